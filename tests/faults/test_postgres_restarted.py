"""PostgreSQL restarts under load: requests get "back in a moment", nothing is lost or doubled.

A throwaway cluster of the test's own (restarting the suite's server would
break the other tests running beside it), only when the suite runs against
PostgreSQL, and with Debian's PostgreSQL 15 binaries.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.faults.conftest import (
    ROOT,
    SEED,
    Site,
    base_env,
    free_port,
    postgres_url,
    wait_for,
)
from tests.helpers import PRIVATE_LINK

PGBIN = Path("/usr/lib/postgresql/15/bin")

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not postgres_url(), reason="the suite runs on SQLite (DATABASE_URL)"),
    pytest.mark.skipif(not (PGBIN / "initdb").exists(), reason="PostgreSQL 15 is not installed"),
]

LOAD = """
import time
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse
from assessments.models import Questionnaire, Round
from tests.helpers import page_data, highest

# On a busy machine this script may still be starting when the database restarts.
while True:
    try:
        sections = list(Questionnaire.objects.active().pages())
        share = Round.objects.get(closed_at=None).get_share_url()
        break
    except (OperationalError, InterfaceError):
        connection.close()
        time.sleep(0.2)
submitted = 0
deadline = time.monotonic() + float(sys.argv[1])

def flow():
    # One visitor through the shared link to the submit; False if a page failed.
    visitor = client()
    page = seen(visitor.post(share, {"role": "sales"}))
    if page.status_code != 302:
        return False
    token = page["Location"].split("/")[2]
    for number, section in enumerate(sections, start=1):
        url = reverse("assessments:page", args=[token, number])
        if seen(visitor.post(url, page_data(section, highest, next="1"))).status_code != 302:
            return False
    return True

while time.monotonic() < deadline:
    try:
        if flow():
            submitted += 1
        else:
            time.sleep(0.2)
    except (OperationalError, InterfaceError):  # this script's own queries, while it restarts
        connection.close()
        time.sleep(0.2)
done(submitted=submitted)
"""

CHECK = """
from assessments.models import Delivery, Response, Round

round = Round.objects.get(closed_at=None)
answered = round.responses.filter(submitted_at__isnull=False).count()
opened = {}
for email, token in json.loads(sys.argv[1]):
    page = seen(client().get(f"/r/{token}/"))
    opened[email] = (page.status_code, Response.objects.by_token(token).get().email)
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT extract(epoch FROM pg_postmaster_start_time())")
    [started] = cursor.fetchone()
done(
    started=float(started),
    respondents=round.respondents,
    answered=answered,
    stale=round.result_stale,
    opened=opened,
    deliveries=sorted(Delivery.objects.values_list("status", flat=True)),
)
"""

OPEN_ROUND = """
from django.contrib.auth import get_user_model
from django.urls import reverse

member = client()
member.force_login(get_user_model().objects.get(pk=int(sys.argv[1])))
seen(member.post(
    reverse("assessments:round_new", args=[int(sys.argv[2])]),
    {"visibility": "open", "reinvite": json.loads(sys.argv[3])},
))
done()
"""


def as_postgres(*command):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)


@pytest.fixture
def cluster():
    # Not under pytest's temporary folder, which only its owner may enter.
    folder = Path(tempfile.mkdtemp(prefix="smarketing-faults-pg."))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()
    as_postgres(str(PGBIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
    ctl = [str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w"]

    def restart():
        as_postgres(*ctl, "-m", "fast", "-o", options, "restart")

    as_postgres(*ctl, "-o", options, "start")
    as_postgres(str(PGBIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "s")
    yield f"postgres://postgres@127.0.0.1:{port}/s", restart
    as_postgres(*ctl, "-m", "immediate", "stop")
    shutil.rmtree(folder, ignore_errors=True)


def test_a_postgres_restart_under_load_loses_and_doubles_nothing(cluster, mail_server, tmp_path):
    url, restart = cluster
    env = base_env(url)
    env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(mail_server.port), DB_CONN_MAX_AGE="60")
    migrate = [sys.executable, "manage.py", "migrate", "--no-input", "-v0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    site = Site(tmp_path, env)
    try:
        seeded = site.run(SEED, 20)
        people = seeded["people"]
        site.run(OPEN_ROUND, seeded["user"], seeded["organization"], json.dumps(people))
        # A slow mail server: the batch is still going out when the database restarts.
        mail_server.reply = lambda recipient, count: time.sleep(0.3) or "250"
        site.worker()
        load = [site.start(LOAD, 8) for _ in range(2)]
        time.sleep(2)
        restarted = time.time()
        restart()
        outputs = [process.communicate(timeout=120) for process in load]
        for process, (_out, err) in zip(load, outputs, strict=True):
            assert process.returncode == 0, err[-3000:]
        runs = [json.loads(out.strip().splitlines()[-1]) for out, _err in outputs]
        wait_for(lambda: all(mail_server.to(e) for e in people), 90, "every invitation sent")
        links = []
        for email in people:
            [body] = mail_server.to(email)  # exactly one each
            links.append((email, PRIVATE_LINK.findall(body)[-1]))

        def current():
            state = site.run(CHECK, json.dumps(links))
            return state if not state["stale"] else None

        wait_for(current, 60, "the round's figures caught up")
        state = current()
    finally:
        site.stop_workers()
    statuses = [status for run in runs for status in run["statuses"]]
    # The server restarted while both sessions were busy (a request caught in
    # it answers 503 "back in a moment"; the rest reconnect).
    assert state["started"] > restarted and len(statuses) > 40
    assert 500 not in statuses + state["statuses"], [run["errors"] for run in runs]
    assert sum(run["submitted"] for run in runs) == state["answered"] == state["respondents"]
    assert state["opened"] == {email: [302, email] for email in people}
    assert set(state["deliveries"]) == {"sent"}
