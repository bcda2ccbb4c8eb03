"""Load the four stages of the marketing–sales alignment continuum, in English and Spanish.

The content is stages/content/continuum.yaml, a reviewed data file; a new
database gets all of it here, with the fields the stages have at this point
(indicators' names and defines_stage come with 0004 and 0005, which fill them
from the same file).
"""

from django.db import migrations

from assessments.content_rows import sync_continuum


class Migration(migrations.Migration):
    dependencies = [("stages", "0001_initial")]

    operations = [migrations.RunPython(sync_continuum, migrations.RunPython.noop)]
