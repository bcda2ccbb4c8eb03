"""Two app processes share lockouts and rate limits through the shared cache.

Each process is a separate Python interpreter with the same settings and one
file database, as two gunicorn workers (or, with REDIS_URL, two servers) are:
what one counts, the other sees. A per-process cache would fail both tests.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import json, sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client

action, email, password, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if action == "user":
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    user = get_user_model().objects.create_user(email, email, password)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    print(json.dumps([]))
    sys.exit()
client = Client(REMOTE_ADDR="10.20.30.40")
outcomes = []
for _ in range(count):
    if action == "login":
        response = client.post("/accounts/login/", {"login": email, "password": password})
        if "Too many failed attempts to log in" in response.content.decode():
            outcomes.append("locked")
        else:
            outcomes.append("in" if response.status_code == 302 else "refused")
    else:
        response = client.post("/accounts/signup/", {})
        outcomes.append(response.status_code)
print(json.dumps(outcomes))
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """Run SCRIPT as a fresh process against one migrated file database; return its output."""
    folder = tmp_path_factory.mktemp("two-processes")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        # Counts of an earlier run left in Redis must not count here.
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )

    def run(*args):
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, *map(str, args)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    return run


def test_failed_logins_in_one_process_lock_the_account_in_another(app):
    app("user", "shared@acme.example", "right-pw-1234", 0)
    app("user", "other@acme.example", "right-pw-1234", 0)
    assert app("login", "shared@acme.example", "wrong", 5) == ["refused"] * 5
    # Another process, the right password: locked, while another account gets in.
    assert app("login", "shared@acme.example", "right-pw-1234", 1) == ["locked"]
    assert app("login", "other@acme.example", "right-pw-1234", 1) == ["in"]


def test_a_rate_limit_counts_the_requests_of_every_process(app):
    first = app("signup", "-", "-", 10)
    assert 429 not in first
    # The same client address, now served by another process: over the limit of 10 an hour.
    assert app("signup", "-", "-", 1) == [429]
