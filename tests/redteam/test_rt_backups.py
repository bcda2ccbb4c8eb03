"""Red team: links issued before the digests migration, read back from the database files.

"No admin page, export, lookup, backup or database reader can rebuild a working
link" (docs/security.md, Security). Migration 0008 drops the readable token columns; on
PostgreSQL ALTER TABLE ... DROP COLUMN does not rewrite the table, so every
pre-migration token stays in the table's data files (and in physical backups:
pg_basebackup, disk snapshots) while its digest keeps the link working.

Runs on PostgreSQL only (the .ci/run second pass); needs a superuser to read the
relation file with pg_read_binary_file, as CI's throwaway cluster has.
"""

import secrets

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assessments.models import Response

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL keeps dropped columns' data"
    ),
]

BEFORE = [("assessments", "0006_consultants_group")]


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_links_issued_before_the_migration_cannot_be_read_from_the_table_files():
    leaves = latest()
    migrate(BEFORE)
    tokens = [secrets.token_urlsafe(32) for _ in range(5)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM assessments_questionnaire ORDER BY id LIMIT 1")
        questionnaire = cursor.fetchone()[0]
        for token in tokens:
            cursor.execute(
                "INSERT INTO assessments_response (token, organization_name, role, name, email,"
                " language, created_at, updated_at, attainment, indicator_scores, flags,"
                " questionnaire_id, reminders_sent) VALUES (%s, 'Acme', 'ceo', '', '', 'en',"
                " now(), now(), '{}', '{}', '[]', %s, 0)",
                [token, questionnaire],
            )
    migrate(leaves)
    # The old links still work: their digests were kept.
    assert Response.objects.by_token(tokens[0]).exists()
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_read_binary_file(pg_relation_filepath('assessments_response'))")
        data = bytes(cursor.fetchone()[0])
    readable = [token for token in tokens if token.encode() in data]
    assert not readable, f"{len(readable)} working private links readable in the table's file"
