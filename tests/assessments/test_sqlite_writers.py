"""On the embedded SQLite default, simultaneous submits wait for each other instead of failing."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_simultaneous_submits_on_sqlite_all_succeed(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "ALLOWED_HOSTS": "testserver",
        "REDIS_URL": "",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.assessments.sqlite_writers", "6"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    # Every submit lands on its result page; none is refused as "database is locked".
    assert outcome == {"statuses": [302] * 6, "respondents": 6}, done.stderr[-3000:]
