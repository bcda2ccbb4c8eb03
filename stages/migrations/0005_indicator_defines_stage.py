"""Mark the indicators the article names as what makes each stage.

The article gives each stage its key indicators: strategic alignment is a
mutually agreed lead definition and a regular cadence of CMO–CSO meetings;
operational alignment, common metrics on one scorecard and a revenue council;
functional alignment, a revenue leader (CRO or CCO) over both functions.
A stage counts as reached only once these are established (see
assessments/scoring.py); the other indicators count in its mean. Which
indicators they are is `defines_stage` in stages/content/continuum.yaml.
"""

from django.db import migrations, models

from assessments.content_rows import sync_continuum


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
        migrations.RunPython(sync_continuum, migrations.RunPython.noop),
    ]
