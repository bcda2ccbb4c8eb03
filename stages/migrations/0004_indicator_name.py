"""Give every key indicator a short name, in English and Spanish.

Heatmap columns and export lines need a few words; the indicator's sentence
is too long for a column on A4, and its key is an identifier, not a label.
The names are in stages/content/continuum.yaml.
"""

from django.db import migrations, models

from assessments.content_rows import sync_continuum


def field():
    return models.CharField(
        "name",
        max_length=60,
        default="",
        help_text="A few words that head a column of the heatmap or a line of an export.",
    )


class Migration(migrations.Migration):
    dependencies = [("stages", "0003_implementation_plan_indicator")]

    operations = [
        migrations.AddField("indicator", "name", field()),
        migrations.AddField("indicator", "name_en", field()),
        migrations.AddField("indicator", "name_es", field()),
        migrations.RunPython(sync_continuum, migrations.RunPython.noop),
        migrations.AlterField(
            "indicator",
            "name",
            models.CharField(
                "name",
                max_length=60,
                help_text="A few words that head a column of the heatmap or a line of an export.",
            ),
        ),
        migrations.AlterField(
            "indicator",
            "name_en",
            models.CharField(
                "name",
                max_length=60,
                null=True,
                help_text="A few words that head a column of the heatmap or a line of an export.",
            ),
        ),
        migrations.AlterField(
            "indicator",
            "name_es",
            models.CharField(
                "name",
                max_length=60,
                null=True,
                help_text="A few words that head a column of the heatmap or a line of an export.",
            ),
        ),
    ]
