"""Create the database cache's table, so `migrate` alone prepares a database.

Without REDIS_URL the shared cache (rate limits, rendered results) is a table;
this is what `manage.py createcachetable` does, and like it, it does nothing
when the table exists or when the cache is Redis.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_remove_stored_tokens"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True),
    ]
