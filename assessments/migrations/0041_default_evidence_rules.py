"""The evidence rules' starting values (docs/evidence.md "Evidence beside opinion"); edited in the admin."""

from django.db import migrations

# metric: (in place at, missing at, fewest records). Hours for the follow-up
# time, whole percent for shares; context metrics give no verdict.
RULES = {
    "follow-up-hours": (24, 72, 30),
    "never-worked": (10, 30, 30),
    "decided": (80, 40, 30),
    "stage-set": (95, 70, 30),
    "source-set": (90, 60, 30),
    "qualified-to-won": (None, None, 30),
    "marketing-sourced": (None, None, 30),
}


def load(apps, schema_editor):
    MetricRule = apps.get_model("assessments", "MetricRule")
    for metric, (in_place, missing, records) in RULES.items():
        MetricRule.objects.get_or_create(
            metric=metric,
            defaults={"in_place_at": in_place, "missing_at": missing, "min_records": records},
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0040_evidence_uploads_mappings_and_rules")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
