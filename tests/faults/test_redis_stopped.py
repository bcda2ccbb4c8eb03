"""Redis stops during a session: every page still answers, limits still count, /healthz says so."""

import shutil
import subprocess

import pytest

from tests.faults.conftest import free_port, wait_for

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]

SESSION = """
import time
from django.contrib.auth import get_user_model
from django.urls import reverse
from assessments.models import Response
from tests.helpers import page_data, highest

def health():
    return json.loads(seen(client().get("/healthz")).content)

def step():
    print("step", flush=True)
    sys.stdin.readline()

member = client()
member.force_login(get_user_model().objects.get(pk=int(sys.argv[1])))
organization = reverse("assessments:team", args=[int(sys.argv[2])])
visitor = client()
before = health()
seen(visitor.post(reverse("assessments:start"), {"organization_name": "Acme", "role": "ceo"}))
response = Response.objects.get(email="")
token = response.issue_link()
seen(member.get(organization))
step()  # Redis is stopped here.
during = health()
began = time.monotonic()
sections = response.questionnaire.pages()
for number, section in enumerate(sections, start=1):
    seen(visitor.post(reverse("assessments:page", args=[token, number]),
                      page_data(section, highest, next="1")))
result = seen(visitor.get(reverse("assessments:result", args=[token])))
seen(client().post(reverse("assessments:start"), {"organization_name": "B", "role": "cmo"}))
seen(member.get(organization))
# Failed logins still lock the account, counted in the fallback.
logins = []
for password in ["wrong"] * 5 + ["pw-12345-x"]:
    data = {"login": "lead@acme.example", "password": password}
    page = seen(client().post("/accounts/login/", data))
    locked = "Too many failed attempts to log in" in page.content.decode()
    logins.append("locked" if locked else page.status_code)
spent = time.monotonic() - began
step()  # Redis is back.
time.sleep(5.5)
after = health()
done(before=before, during=during, after=after, logins=logins, spent=spent,
     result=result.status_code, submitted=Response.objects.get(pk=response.pk).submitted_at)
"""


def test_a_stopped_redis_costs_no_page_and_the_cache_comes_back(site, seeded, tmp_path):
    port = free_port()

    def redis():
        return subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
        )

    server = redis()
    env = {"REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    session = site.start(SESSION, seeded["user"], seeded["organization"], env=env)
    try:
        session_in = session.stdin
        wait_for(lambda: _line(session) == "step", 60, "the session began")
        server.kill()
        server.wait(10)
        session_in.write("go\n")
        session_in.flush()
        wait_for(lambda: _line(session) == "step", 120, "the session went on without Redis")
        server = redis()
        session_in.write("go\n")
        session_in.flush()
        session_in.close()
        session.stdin = None
        out, err = session.communicate(timeout=60)
    finally:
        server.kill()
        server.wait(10)
    assert session.returncode == 0, err[-3000:]
    state = __import__("json").loads(out.strip().splitlines()[-1])
    assert state["before"] == {"status": "ok", "database": "ok", "cache": "ok"}
    assert state["during"] == {"status": "degraded", "database": "ok", "cache": "degraded"}
    assert state["after"]["cache"] == "ok"
    assert state["result"] == 200 and state["submitted"]
    assert state["logins"] == [200] * 5 + ["locked"]
    # A dead Redis cost the whole session well under a second per request.
    assert state["spent"] < 20
    assert 500 not in state["statuses"]


def _line(process):
    line = process.stdout.readline()
    if not line and process.poll() is not None:
        raise AssertionError(f"the session ended:\n{process.stderr.read()[-3000:]}")
    return line.strip()
