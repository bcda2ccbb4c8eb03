"""How long a sign-up and a login take with PBKDF2 (Django's default) and with Argon2.

Not part of the suite: run `DEBUG=1 .venv/bin/python tests/bench/password_hashing.py`.
Each request goes through the whole stack (forms, validators, allauth, the database) on a
throwaway SQLite database; the figures in the README's Security section come from it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
WORK = Path(tempfile.mkdtemp(prefix="smarketing-hashing-"))
REPEAT = int(os.environ.get("BENCH_REPEAT", 7))
os.environ.update(
    {
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "smarketing.settings",
        "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "LOG_LEVEL": "WARNING",
    }
)
sys.path.insert(0, str(BASE))

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

HASHERS = {
    "PBKDF2 (Django's default)": [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ],
    "Argon2 with Django's parameters (2 passes, 100 MiB, 8 lanes)": [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ],
    "Argon2 with ours (1 pass, 46 MiB, 1 lane: settings.PASSWORD_HASHERS)": (
        settings.PASSWORD_HASHERS
    ),
}
PASSWORD = "a-long-and-unusual-passphrase"


def timed(call):
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(name, hashers, counter):
    signups, logins, hashes = [], [], []
    with override_settings(PASSWORD_HASHERS=hashers):
        for _ in range(REPEAT):
            hashes.append(timed(lambda: make_password(PASSWORD)))
            n = next(counter)
            email = f"bench{n}@example.com"
            visitor = Client(REMOTE_ADDR=f"10.1.{n // 250}.{n % 250}")
            form = {"first_name": "B", "email": email, "password1": PASSWORD, "password2": PASSWORD}
            signups.append(timed(lambda: visitor.post("/accounts/signup/", form)))  # noqa: B023
            EmailAddress.objects.filter(email=email).update(verified=True)
            login = {"login": email, "password": PASSWORD}
            logins.append(timed(lambda: Client().post("/accounts/login/", login)))  # noqa: B023
        algorithm = get_user_model().objects.get(email=email).password.split("$")[0]
    print(
        f"| {name} | `{algorithm}` | {statistics.median(hashes):.2f} s "
        f"({min(hashes):.2f}–{max(hashes):.2f}) | {statistics.median(signups):.2f} s "
        f"({min(signups):.2f}–{max(signups):.2f}) | {statistics.median(logins):.2f} s "
        f"({min(logins):.2f}–{max(logins):.2f}) |"
    )


def main():
    setup_test_environment()
    call_command("migrate", verbosity=0)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"{REPEAT} of each on {os.cpu_count()} cores, load average {load} (median, range):\n")
    print("| hasher | stored as | hash alone | sign-up | login |\n|---|---|---|---|---|")
    counter = iter(range(10_000))
    for name, hashers in HASHERS.items():
        measure(name, hashers, counter)


if __name__ == "__main__":
    main()
