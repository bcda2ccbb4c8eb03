"""Rounds get a name, unique per organization: two rounds opened on one day read alike by date.

Existing rounds are named "Round 1", "Round 2"… in the order they opened, in
the language of the member who opened them (else the organization's first
member's, else English), as a new round is named when none is given.
"""

import django.db.models.functions.text
from django.db import migrations, models

# Frozen here: the app's catalogue may change, the names given now may not.
ROUND_NAME = {"en": "Round {number}", "es": "Ronda {number}"}
BATCH = 2000


def name_rounds(apps, schema_editor):
    Round = apps.get_model("assessments", "Round")
    Membership = apps.get_model("assessments", "Membership")
    languages = {}
    for membership in Membership.objects.order_by("created_at", "pk"):
        languages.setdefault((membership.organization_id, None), membership.language)
        languages.setdefault((membership.organization_id, membership.user_id), membership.language)
    numbers, batch = {}, []
    rounds = Round.objects.order_by("organization_id", "opened_on", "pk")
    for pk, organization, creator in list(
        rounds.values_list("pk", "organization_id", "created_by_id")
    ):
        number = numbers[organization] = numbers.get(organization, 0) + 1
        language = languages.get((organization, creator), languages.get((organization, None), "en"))
        name = ROUND_NAME.get(language[:2], ROUND_NAME["en"]).format(number=number)
        batch.append(Round(pk=pk, name=name))
        if len(batch) == BATCH:
            Round.objects.bulk_update(batch, ["name"])
            batch = []
    Round.objects.bulk_update(batch, ["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0037_prepared_exports_know_what_they_list"),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="name",
            field=models.CharField(default="", max_length=100, verbose_name="name"),
            preserve_default=False,
        ),
        migrations.RunPython(name_rounds, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="round",
            constraint=models.UniqueConstraint(
                models.F("organization"),
                django.db.models.functions.text.Lower("name"),
                name="one_round_name_per_organization",
            ),
        ),
    ]
