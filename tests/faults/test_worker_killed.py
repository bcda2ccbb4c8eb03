"""The worker is killed (SIGKILL) in the middle of an invitation batch, then started again."""

import json
import signal

import pytest

from tests.faults.conftest import wait_for
from tests.helpers import PRIVATE_LINK

pytestmark = pytest.mark.faults

SESSION = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from assessments.models import Organization, Response
from tests.helpers import answer_all

user = get_user_model().objects.get(pk=int(sys.argv[1]))
organization = Organization.objects.get(pk=int(sys.argv[2]))
member = client()
member.force_login(user)
people = json.loads(sys.argv[3])
seen(member.post(
    reverse("assessments:round_new", args=[organization.pk]),
    {"visibility": "open", "reinvite": people},
))
round = organization.rounds.get(closed_at=None)
# Two people answer through the shared link while the batch goes out.
for role in ("ceo", "sales"):
    visitor = client()
    seen(visitor.post(round.get_share_url(), {"role": role}))
    response = Response.objects.filter(round=round, role=role, email="").get()
    response.issue_link()
    answer_all(visitor, response)
# A consultant's export, prepared by the worker.
users = get_user_model().objects
consultant = users.create_user("c@firm.example", "c@firm.example", "pw", is_staff=True)
consultant.groups.add(Group.objects.get(name="Consultants"))
organization.consultants.add(consultant)
staff = client()
staff.force_login(consultant)
seen(staff.post(reverse("admin:dashboard_export", args=["csv"])))
done(round=round.pk)
"""

CHECK = """
from django.contrib.auth import get_user_model
from django_tasks_db.models import DBTaskResult
from assessments.models import PortfolioExport, Response, Round

links = json.loads(sys.argv[2])
opened = {}
for email, token in links:
    page = seen(client().get(f"/r/{token}/"))
    opened[email] = (page.status_code, Response.objects.by_token(token).get().email)
round = Round.objects.get(pk=int(sys.argv[3]))
member = client()
member.force_login(get_user_model().objects.get(pk=int(sys.argv[1])))
seen(member.get(round.get_absolute_url()))
done(
    opened=opened,
    stale=round.result_stale,
    respondents=round.respondents,
    position=round.position,
    exports=list(PortfolioExport.objects.values_list("status", flat=True)),
    tasks=sorted(DBTaskResult.objects.values_list("status", flat=True)),
)
"""


def test_a_killed_worker_loses_no_invitation_sends_none_twice_and_its_work_finishes(
    site, seeded, mail_server
):
    people = seeded["people"]
    # The third e-mail of the batch gets no answer: the worker is killed waiting for it.
    mail_server.reply = lambda recipient, count: "hang" if recipient == people[2] else "250"
    session = site.run(SESSION, seeded["user"], seeded["organization"], json.dumps(people))
    worker = site.worker()
    wait_for(mail_server.hanging.is_set, 30, "the worker reached the third e-mail")
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    mail_server.reply = lambda recipient, count: "250"
    mail_server.release()
    assert [to for to, _body in mail_server.accepted] == people[:2]

    site.worker()
    wait_for(lambda: all(mail_server.to(email) for email in people), 60, "every invitation sent")
    links = []
    for email in people:
        [body] = mail_server.to(email)  # exactly one e-mail each, none sent twice
        links.append((email, PRIVATE_LINK.findall(body)[-1]))

    def finished():
        state = site.run(CHECK, seeded["user"], json.dumps(links), session["round"])
        return state if "READY" not in state["tasks"] and "RUNNING" not in state["tasks"] else None

    wait_for(finished, 60, "the queue drained")
    state = finished()
    assert state["opened"] == {email: [302, email] for email in people}
    # The round's figures are current, and the export finished.
    assert state["stale"] is False and state["respondents"] == 2 and state["position"]
    assert state["exports"] == ["ready"]
    assert 500 not in session["statuses"] + state["statuses"]
    assert "lease expired" in site.worker_log()
