"""Backups restore: the same figures on the same pages after dump, wipe and restore.

On SQLite through the online backup API; on PostgreSQL (the second CI pass)
through pg_dump and pg_restore, skipped with a reason where they are missing.
"""

import re
import sqlite3

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.helpers import close, highest, lowest, submit_response

pytestmark = pytest.mark.django_db(transaction=True)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def tools():
    if connection.vendor == "postgresql":
        from assessments.management.commands.backup import postgres_tool

        try:
            postgres_tool("pg_dump")
        except Exception as exc:  # CommandError: the client tools are missing
            pytest.skip(str(exc))


def pages(client, round, responses):
    """What a member and each respondent see: the figures, without per-request tokens."""
    seen = [client.get(round.get_absolute_url())]
    seen += [client.get(reverse("assessments:result", args=[token])) for token in responses]
    assert all(page.status_code == 200 for page in seen)
    return [CSRF.sub("", page.content.decode()) for page in seen]


def test_a_backup_restores_the_same_figures_on_the_same_pages(
    member, round, tools, tmp_path, monkeypatch
):
    tokens = []
    for role, pick in (("marketing", highest), ("sales", lowest), ("ceo", highest)):
        response = submit_response(round, role, pick)
        tokens.append(response.token)
    close(round)
    round.refresh_from_db()
    assert round.position is not None
    before = pages(member, round, tokens)
    assert str(round.position_display) in before[0]

    backup = tmp_path / "smarketing.backup"
    call_command("backup", backup, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("flush", interactive=False, verbosity=0)
    assert member.get(round.get_absolute_url()).status_code == 302  # the member is gone
    call_command("restore", backup, interactive=False, stdout=open("/dev/null", "w"))  # noqa: SIM115

    member.force_login(round.created_by)
    assert pages(member, round, tokens) == before


def test_a_sqlite_backup_is_a_whole_database_on_its_own(round, tools, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own file format")
    submit_response(round, "marketing")
    backup = tmp_path / "copy.sqlite3"
    call_command("backup", backup, stdout=open("/dev/null", "w"))  # noqa: SIM115
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # A fresh database restored from it: every table and row is there.
    fresh = sqlite3.connect(tmp_path / "fresh.sqlite3")
    copy.backup(fresh)
    assert fresh.execute("SELECT count(*) FROM assessments_response").fetchone() == (1,)
    assert fresh.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 20


def test_restore_refuses_a_file_that_is_no_backup(db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own file format")
    from django.core.management.base import CommandError

    junk = tmp_path / "junk.backup"
    junk.write_text("not a database")
    with pytest.raises(CommandError):
        call_command("restore", junk, interactive=False)
