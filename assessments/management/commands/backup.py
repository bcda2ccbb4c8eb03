"""Write a consistent copy of the database to a file, while the app runs.

SQLite: SQLite's online backup API copies every page of one snapshot, so
writes in progress (WAL) are either all in the copy or not at all; copying
db.sqlite3 with cp is not safe while the app runs. PostgreSQL: pg_dump in its
custom format (one consistent snapshot; pg_restore reads it). Restore with
`manage.py restore FILE`. See README "Backups".
"""

import os
import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections


def postgres_tool(name):
    """The path of pg_dump or pg_restore: on PATH, else the newest Debian cluster's."""
    found = shutil.which(name) or next(
        iter(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise CommandError(f"{name} is not installed (apt-get install postgresql-client).")
    return found


def postgres_args(connection):
    """Connection options for pg_dump / pg_restore, and the environment with the password."""
    settings = connection.settings_dict
    args = ["--dbname", settings["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [option, str(settings[key])]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env


def sqlite_connection(connection):
    """The live sqlite3 connection of Django's CONNECTION (in-memory test databases included)."""
    connection.ensure_connection()
    return connection.connection


class Command(BaseCommand):
    help = "Write a consistent copy of the database to FILE while the app runs."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file, database, **options):
        connection = connections[database]
        if connection.vendor == "sqlite":
            partial = file.with_name(file.name + ".partial")
            target = sqlite3.connect(partial)
            try:
                with target:
                    sqlite_connection(connection).backup(target)
            finally:
                target.close()
            partial.replace(file)
        elif connection.vendor == "postgresql":
            args, env = postgres_args(connection)
            done = subprocess.run(
                [postgres_tool("pg_dump"), "--format=custom", "--file", str(file), *args],
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise CommandError(f"pg_dump failed: {done.stderr.strip()}")
        else:
            raise CommandError(f"No backup for {connection.vendor} databases.")
        self.stdout.write(f"Backed up the database to {file} ({file.stat().st_size} bytes).")
