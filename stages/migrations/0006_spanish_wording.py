"""Spanish wording from a native reading of the continuum.

- "Plan de implementación", the article's own word, instead of "implantación".
- In Spain a "director comercial" is usually the head of sales, so the revenue
  leader is described as leading marketing and sales, with its English titles.
The wording is stages/content/continuum.yaml's; a new database already has it
from 0002.
"""

from django.db import migrations

from assessments.content_rows import sync_continuum


class Migration(migrations.Migration):
    dependencies = [("stages", "0005_indicator_defines_stage")]

    operations = [migrations.RunPython(sync_continuum, migrations.RunPython.noop)]
