"""Mark the indicators the article names as what makes each stage.

The article gives each stage its key indicators: strategic alignment is a
mutually agreed lead definition and a regular cadence of CMO–CSO meetings;
operational alignment, common metrics on one scorecard and a revenue council;
functional alignment, a revenue leader (CRO or CCO) over both functions.
A stage counts as reached only once these are established (see
assessments/scoring.py); the other indicators count in its mean.
"""

from django.db import migrations, models

NAMED = [
    "strategic.lead-definition",
    "strategic.leadership-meetings",
    "operational.shared-dashboard",
    "operational.revenue-council",
    "functional.revenue-leader",
]


def mark_named(apps, schema_editor):
    Indicator = apps.get_model("stages", "Indicator")
    Indicator.objects.filter(key__in=NAMED).update(defines_stage=True)


class Migration(migrations.Migration):
    dependencies = [("stages", "0004_indicator_name")]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="defines_stage",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "One of the practices the article names as what makes this stage: the "
                    "stage counts as reached only once each of them is known and established. "
                    "Results are scored with it, so it cannot change once answers refer to "
                    "the indicator."
                ),
                verbose_name="defines its stage",
            ),
        ),
        migrations.RunPython(mark_named, migrations.RunPython.noop),
    ]
