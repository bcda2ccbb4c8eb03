"""Load version 1 of the questionnaire, in English and Spanish, and make it active.

The content is assessments/content/questionnaire-v1.yaml, a reviewed data
file. Each question probes one indicator of stage 2, 3 or 4. Its four options
describe what teams actually do, from least to most aligned, and score 0, 1/3,
2/3 and 1. The article's named indicators carry weight 1.5 in their main
question.
"""

from django.db import migrations

from assessments.content_rows import add_questionnaire


def load_version_1(apps, schema_editor):
    add_questionnaire(apps, 1)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("stages", "0002_load_continuum_content"),
    ]

    operations = [migrations.RunPython(load_version_1, migrations.RunPython.noop)]
