"""The fault suite's stack: the app's real processes, and the parts that fail, for real.

Each test gets a database of its own (a copy of one migrated per worker), a
task worker (`manage.py db_worker`, a subprocess it may SIGKILL), an SMTP
server in this process (aiosmtpd) whose every reply the test decides, and
"sessions": scripts run in a separate Python process with Django's test
client against that database, through the whole middleware stack. Nothing
is mocked: a refused e-mail is refused by a server over TCP, a dead worker
is a killed process, a stopped Redis is a stopped redis-server.
"""

import asyncio
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import json, os, re, sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.core.signals import got_request_exception
from django.test import Client
statuses = []
errors = []
got_request_exception.connect(
    lambda sender, request, **kwargs: errors.append(f"{request.path}: {sys.exc_info()[1]!r}"),
    weak=False,
)

def client():
    return Client(raise_request_exception=False)

def seen(response):
    statuses.append(response.status_code)
    return response

def done(**result):
    print(json.dumps({"statuses": statuses, "errors": errors, **result}, default=str))
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"{message} within {timeout} s")


class MailServer:
    """An SMTP server on loopback; REPLY(recipient, count) decides each message's fate.

    REPLY returns "250" (accepted and kept), an SMTP error reply ("421 ...",
    "550 ..."), or "hang": no answer to the DATA until released, after which
    the message is refused (the client that sent it may be dead by then).
    """

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.accepted = []
        self.refused = []
        self.hanging = threading.Event()
        self.reply = lambda recipient, count: "250"
        self.port = free_port()
        self._release = None
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.release()
        self.controller.stop()

    def release(self):
        if self._release is not None:
            self.controller.loop.call_soon_threadsafe(self._release.set)

    async def handle_DATA(self, server, session, envelope):
        [recipient] = envelope.rcpt_tos
        count = sum(1 for to, _body in self.accepted if to == recipient)
        reply = self.reply(recipient, count)
        if reply == "hang":
            self._release = asyncio.Event()
            self.hanging.set()
            await self._release.wait()
            reply = "451 4.3.0 Not kept: released after the sender was gone"
        if reply.startswith("250"):
            self.accepted.append((recipient, envelope.content.decode("utf-8", "replace")))
            return "250 2.0.0 Kept"
        self.refused.append((recipient, reply))
        return reply

    def to(self, recipient):
        return [body for to, body in self.accepted if to == recipient]


class Site:
    """One database and the settings every process of the test shares."""

    def __init__(self, folder, env):
        self.folder = folder
        self.env = env
        self.workers = []

    def run(self, script, *args, timeout=120, env=None):
        """Run SCRIPT (after PRELUDE) in a fresh process; return the JSON it printed last."""
        done = subprocess.run(
            [sys.executable, "-c", PRELUDE + script, *map(str, args)],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise AssertionError(f"session failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self, script, *args, env=None):
        """Start SCRIPT in the background (a session under load); return the process."""
        return subprocess.Popen(
            [sys.executable, "-c", PRELUDE + script, *map(str, args)],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def worker(self):
        """Start the task worker as production runs it; the test may kill it."""
        log = open(self.folder / f"worker-{len(self.workers)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(process)
        return process

    def stop_workers(self):
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def worker_log(self):
        return "\n".join(p.read_text() for p in sorted(self.folder.glob("worker-*.log")))


def base_env(database_url):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "PYTEST_", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.settings",
        DEBUG="0",
        SECRET_KEY="faults-only-secret-key-not-for-production",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        SITE_URL="http://testserver",
        ROUND_GROUP_MIN_RESPONDENTS="1",
        EXPORT_IMMEDIATE_ROWS="0",
        CACHE_KEY_PREFIX=f"faults-{uuid.uuid4().hex}",
        # Faults within seconds: a lease of 3 s, a recovery pass every second,
        # a failed attempt tried again after 2 s (then 4, 8, ...), and a mail
        # server that does not answer for 1 s failing the attempt.
        TASK_LEASE_SECONDS="3",
        TASK_RECOVERY_SECONDS="1",
        TASK_RETRY_SECONDS="2",
        EMAIL_TIMEOUT="1",
        EMAIL_USE_TLS="0",
        LOG_LEVEL="WARNING",
    )
    return env


def postgres_url():
    """The CI's PostgreSQL server (DATABASE_URL), when the suite runs against one."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def with_name(url, name):
    from urllib.parse import urlsplit

    return urlsplit(url)._replace(path=f"/{name}").geturl()


def postgres(url, *statements):
    import psycopg2

    connection = psycopg2.connect(with_name(url, "postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def migrate(url):
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=base_env(url),
        check=True,
    )


@pytest.fixture(scope="session")
def migrated(tmp_path_factory, worker_id):
    """A migrated database, copied for each test: a SQLite file, or a PostgreSQL template.

    The SQLite file is migrated once for the whole run: the first worker to need it
    migrates it while the others wait, in the run's temporary folder they share.
    """
    url = postgres_url()
    if url:
        name = f"faults_template_{worker_id}"
        postgres(url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
        migrate(with_name(url, name))
        yield with_name(url, name)
        postgres(url, f"DROP DATABASE IF EXISTS {name}")
        return
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the run's folder, above each worker's own
    template = shared / "faults-template.sqlite3"
    with open(shared / "faults-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            migrating = template.with_suffix(".migrating")
            migrating.unlink(missing_ok=True)  # what a worker that failed half-way left
            migrate(f"sqlite:///{migrating}")
            migrating.rename(template)
    yield f"sqlite:///{template}"


@pytest.fixture
def database(migrated, tmp_path):
    """A database of the test's own, as migrated: on the suite's database server."""
    if not migrated.startswith("sqlite"):
        name = f"faults_{uuid.uuid4().hex[:12]}"
        template = migrated.rsplit("/", 1)[1]
        postgres(migrated, f"CREATE DATABASE {name} TEMPLATE {template}")
        yield with_name(migrated, name)
        postgres(migrated, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        return
    copy = tmp_path / "db.sqlite3"
    shutil.copy(migrated.removeprefix("sqlite:///"), copy)
    yield f"sqlite:///{copy}"


@pytest.fixture
def mail_server():
    server = MailServer()
    yield server
    server.stop()


@pytest.fixture
def site(database, mail_server, tmp_path):
    env = base_env(database)
    env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(mail_server.port))
    site = Site(tmp_path, env)
    yield site
    site.stop_workers()


SEED = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from assessments.models import Membership, Organization, Questionnaire, Response, Round

user = get_user_model().objects.create_user("lead@acme.example", "lead@acme.example", "pw-12345-x")
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
organization = Organization.objects.create(name="Acme")
Membership.objects.create(organization=organization, user=user, role="marketing")
questionnaire = Questionnaire.objects.active()
last = Round.objects.create(
    organization=organization, questionnaire=questionnaire, closed_at=timezone.now()
)
people = [f"person{n}@acme.example" for n in range(int(sys.argv[1]))]
for email in people:
    Response.objects.create(
        round=last, questionnaire=questionnaire, organization_name="Acme", role="sales",
        email=email,
    )
done(user=user.pk, organization=organization.pk, people=people)
"""


@pytest.fixture
def seeded(site):
    """A member of Acme, whose last round had PEOPLE (six) to invite again."""
    return site.run(SEED, 6)
