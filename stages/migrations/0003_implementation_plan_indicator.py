"""Add stage 2's implementation plan as a key indicator, in English and Spanish.

The article names "develop an alignment implementation plan" as what moves a
team from strategic to operational alignment; questionnaire v2 asks about it.
It is `strategic.implementation-plan` in stages/content/continuum.yaml: a new
database already has it from 0002, so this sync only matters to a database
that loaded the continuum before the indicator existed.
"""

from django.db import migrations

from assessments.content_rows import sync_continuum


class Migration(migrations.Migration):
    dependencies = [("stages", "0002_load_continuum_content")]

    operations = [migrations.RunPython(sync_continuum, migrations.RunPython.noop)]
