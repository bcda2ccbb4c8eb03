"""Store private links as digests only, so no database reader can rebuild a working link.

Existing response and invitation tokens keep working: their digests are kept.
A round's shared link is derived from its id and the SECRET_KEY from now on,
so the links of rounds that were open change; members copy the new one from
the round page.
"""

import hashlib
import secrets

import django.db.models.deletion
from django.db import migrations, models


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def keep_digests(apps, schema_editor):
    Response = apps.get_model("assessments", "Response")
    PrivateLink = apps.get_model("assessments", "PrivateLink")
    MemberInvitation = apps.get_model("assessments", "MemberInvitation")
    links = (
        PrivateLink(response_id=pk, digest=_digest(token))
        for pk, token in Response.objects.values_list("pk", "token").iterator()
    )
    PrivateLink.objects.bulk_create(links, batch_size=1000)
    for invitation in MemberInvitation.objects.only("pk", "token"):
        MemberInvitation.objects.filter(pk=invitation.pk).update(
            token_digest=_digest(invitation.token)
        )
    # Overwrite the readable tokens before 0008 drops their columns: a dropped
    # column's values stay in the table's files until the table is rewritten
    # (0017 rewrites it).
    Round = apps.get_model("assessments", "Round")
    for model, field in [(Response, "token"), (MemberInvitation, "token"), (Round, "share_token")]:
        for pk in model.objects.values_list("pk", flat=True).iterator():
            model.objects.filter(pk=pk).update(**{field: "x" + secrets.token_hex(31)})


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_consultants_group"),
    ]

    operations = [
        migrations.CreateModel(
            name="PrivateLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="assessments.response",
                    ),
                ),
            ],
            options={
                "verbose_name": "private link",
                "verbose_name_plural": "private links",
            },
        ),
        migrations.AddField(
            model_name="memberinvitation",
            name="token_digest",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(keep_digests, migrations.RunPython.noop, elidable=True),
    ]
