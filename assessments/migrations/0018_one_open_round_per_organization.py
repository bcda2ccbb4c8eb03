from django.db import migrations, models
from django.utils import timezone


def close_extra_open_rounds(apps, schema_editor):
    """Close lapsed rounds, and every open round but the latest of each organization."""
    Round = apps.get_model("assessments", "Round")
    now = timezone.now()
    Round.objects.filter(closed_at__isnull=True, closes_on__lt=timezone.localdate()).update(
        closed_at=now
    )
    latest_seen = set()
    for round in Round.objects.filter(closed_at__isnull=True).order_by(
        "organization_id", "-opened_on", "-pk"
    ):
        if round.organization_id in latest_seen:
            Round.objects.filter(pk=round.pk).update(closed_at=now)
        latest_seen.add(round.organization_id)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0017_rewrite_tables_without_old_tokens"),
    ]

    operations = [
        migrations.RunPython(close_extra_open_rounds, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="round",
            constraint=models.UniqueConstraint(
                condition=models.Q(closed_at__isnull=True),
                fields=("organization",),
                name="one_open_round_per_organization",
            ),
        ),
    ]
