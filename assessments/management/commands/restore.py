"""Replace the database's contents with a copy written by `manage.py backup`.

Stop the app servers and the worker first: everything written since the
copy is lost. SQLite: the backup API copies the file's pages into the
database in one step. PostgreSQL: pg_restore --clean in one transaction, so a
failed restore leaves the database as it was. See README "Backups".
"""

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from .backup import postgres_args, postgres_tool, sqlite_connection


class Command(BaseCommand):
    help = "Replace the database's contents with FILE, a copy written by manage.py backup."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Do not ask to confirm."
        )

    def handle(self, *args, file, database, interactive, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        connection = connections[database]
        if interactive:
            answer = input(
                f"Replace everything in the database {connection.settings_dict['NAME']} "
                f"with {file}? Type 'yes' to go on: "
            )
            if answer != "yes":
                raise CommandError("Nothing was restored.")
        if connection.vendor == "sqlite":
            source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
            try:
                if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise CommandError(f"{file} is not an intact SQLite database.")
                source.backup(sqlite_connection(connection))
            except sqlite3.DatabaseError as exc:
                raise CommandError(f"{file} is not an SQLite database: {exc}") from exc
            finally:
                source.close()
        elif connection.vendor == "postgresql":
            connection.close()
            args, env = postgres_args(connection)
            command = [postgres_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
            done = subprocess.run(
                [*command, "--single-transaction", *args, str(file)],
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise CommandError(f"pg_restore failed: {done.stderr.strip()}")
        else:
            raise CommandError(f"No restore for {connection.vendor} databases.")
        self.stdout.write(f"Restored the database from {file}.")
