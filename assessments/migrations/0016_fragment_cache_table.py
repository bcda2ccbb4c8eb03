"""Create the table of the second database cache (rendered results), like 0009 did the first.

Rendered results now live apart from the rate-limit counters, so that a
full cache of results never pushes out a lockout.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0015_plan_items_keep_their_content"),
    ]

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=True),
    ]
