"""Rewrite the tables that held readable tokens, so their old values leave the files.

0007 overwrote the tokens and 0008 dropped their columns, but both leave the
old values in the table files (dead row versions, dropped columns) until the
tables are rewritten. Not atomic: VACUUM cannot run inside a transaction.
Backups taken before this migration still hold the old tokens.
"""

from django.db import migrations

TABLES = ["assessments_response", "assessments_memberinvitation", "assessments_round"]


def rewrite(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"VACUUM FULL {connection.ops.quote_name(table)}")
        elif connection.vendor == "sqlite" and not connection.is_in_memory_db():
            cursor.execute("VACUUM")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("assessments", "0016_fragment_cache_table"),
    ]

    operations = [
        migrations.RunPython(rewrite, migrations.RunPython.noop, elidable=True),
    ]
