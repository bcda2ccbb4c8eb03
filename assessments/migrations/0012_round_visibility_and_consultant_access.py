"""Rounds are confidential or open; a round run with a consultant says so for good.

Existing rounds were announced as confidential, so they stay confidential. A
round of an organization that has consultants now was announced as run with
a consultant, so its consultants keep seeing its responses.
"""

from django.db import migrations, models


def mark_rounds_run_with_consultants(apps, schema_editor):
    Round = apps.get_model("assessments", "Round")
    Organization = apps.get_model("assessments", "Organization")
    followed = Organization.objects.filter(consultants__isnull=False).values("pk")
    Round.objects.filter(organization__in=followed).update(consultant_access=True)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_one_pending_invitation_per_address"),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="consultant_access",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="The organization's consultants see individual responses of this round.",
                verbose_name="run with a consultant",
            ),
        ),
        migrations.AddField(
            model_name="round",
            name="visibility",
            field=models.CharField(
                choices=[("confidential", "Confidential"), ("open", "Open")],
                default="confidential",
                help_text="Confidential: members see combined figures only, once the round closes with enough answers. Open: members see each person's answers, with their name.",
                max_length=12,
                verbose_name="who sees the answers",
            ),
        ),
        migrations.RunPython(
            mark_rounds_run_with_consultants, migrations.RunPython.noop, elidable=True
        ),
    ]
