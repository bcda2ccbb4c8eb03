from django.db import migrations

# The portfolio's search by name (and the admin's organization search) is
# name__icontains, which PostgreSQL runs as UPPER(name::text) LIKE UPPER('%…%'):
# no B-tree serves a pattern with a leading wildcard, so it read all 100,000
# rows. A trigram index on exactly that expression does. SQLite has neither
# the extension nor the operator class; there the search stays a scan, which
# is fine at the sizes SQLite serves. (Django's TrigramExtension operation is
# not used: its reverse runs PostgreSQL SQL on any database.)
NAME = "org_name_trgm_idx"


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm ships with PostgreSQL and is a trusted extension: the database's
    # owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON assessments_organization "
        "USING gin (UPPER(name::text) gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")
    schema_editor.execute("DROP EXTENSION IF EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0029_email_deliveries"),
    ]

    operations = [
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
