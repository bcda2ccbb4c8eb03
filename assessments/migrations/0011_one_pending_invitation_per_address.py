"""One pending invitation per address and organization; older duplicates are dropped first."""

from django.db import migrations, models


def drop_duplicate_invitations(apps, schema_editor):
    MemberInvitation = apps.get_model("assessments", "MemberInvitation")
    seen = set()
    pending = MemberInvitation.objects.filter(accepted_at__isnull=True).order_by("-created_at")
    for pk, organization_id, email in pending.values_list("pk", "organization_id", "email"):
        if (organization_id, email) in seen:
            MemberInvitation.objects.filter(pk=pk).delete()
        seen.add((organization_id, email))


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0010_email_addresses_of_existing_accounts"),
    ]

    operations = [
        migrations.RunPython(drop_duplicate_invitations, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="memberinvitation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("accepted_at__isnull", True)),
                fields=("organization", "email"),
                name="one_pending_invitation_per_address",
            ),
        ),
    ]
