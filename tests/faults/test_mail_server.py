"""The mail server refuses, then accepts: every e-mail goes once, a refused address is shown."""

import time

import pytest

from tests.faults.conftest import wait_for
from tests.helpers import PRIVATE_LINK

pytestmark = pytest.mark.faults

SESSION = """
from django.contrib.auth import get_user_model
from django.urls import reverse

member = client()
member.force_login(get_user_model().objects.get(pk=int(sys.argv[1])))
people = json.loads(sys.argv[3])
seen(member.post(
    reverse("assessments:round_new", args=[int(sys.argv[2])]),
    {"visibility": "confidential", "reinvite": people},
))
visitors = {}
for email in ("ana@acme.example", "typo@acme.example"):
    visitor = visitors[email] = client()
    data = {"organization_name": "Acme", "role": "ceo", "email": email}
    seen(visitor.post(reverse("assessments:start"), data))
# The visitors keep the page open, which asks what became of their e-mail.
pages = {}
for _ in range(600):
    for email, visitor in visitors.items():
        page = seen(visitor.get(reverse("assessments:link_sent"), {"part": "status"}))
        pages[email] = page.content.decode()
    if all("data-final" in page for page in pages.values()):
        break
    import time; time.sleep(0.2)
done(pages=pages)
"""

CHECK = """
from django.contrib.auth import get_user_model
from assessments.models import Response, Round

links = json.loads(sys.argv[2])
opened = {}
for email, token in links:
    page = seen(client().get(f"/r/{token}/"))
    opened[email] = (page.status_code, Response.objects.by_token(token).get().email)
member = client()
member.force_login(get_user_model().objects.get(pk=int(sys.argv[1])))
round = Round.objects.filter(closed_at=None).get()
page = seen(member.get(round.get_absolute_url())).content.decode()
done(opened=opened, round_page=page)
"""


def test_a_refusing_mail_server_loses_nothing_and_a_refused_address_is_shown(
    site, seeded, mail_server
):
    people = seeded["people"]
    refused = people[-1]
    state = {"down": True}

    def reply(recipient, count):
        if recipient in (refused, "typo@acme.example"):
            return "550 5.1.1 No such mailbox here"
        return "421 4.3.2 Service not available, try later" if state["down"] else "250"

    mail_server.reply = reply
    site.worker()
    session = site.start(SESSION, seeded["user"], seeded["organization"], _json(people))
    wait_for(lambda: len(mail_server.refused) >= 2, 30, "the server refused the first e-mails")
    # The relay comes back.
    state["down"] = False
    back = time.monotonic()
    expected = [*people[:-1], "ana@acme.example"]
    wait_for(lambda: all(mail_server.to(email) for email in expected), 60, "every e-mail delivered")
    delivered_after = time.monotonic() - back
    out, err = session.communicate(timeout=120)
    assert session.returncode == 0, err[-3000:]
    visitors = _last_json(out)

    # Within 5 minutes of its return (here the first retry comes 2 s after a
    # refusal, TASK_RETRY_SECONDS; the longest wait between attempts is 4 minutes).
    assert delivered_after < 5 * 60
    # Each person got exactly one e-mail, and its link opens their own response.
    links = []
    for email in expected:
        [body] = mail_server.to(email)
        links.append((email, PRIVATE_LINK.findall(body)[-1]))
    assert mail_server.to(refused) == [] and mail_server.to("typo@acme.example") == []
    checked = site.run(CHECK, seeded["user"], _json(links))
    assert checked["opened"] == {email: [302, email] for email, _token in links}
    # The member sees the refused invitee as not delivered, with the server's words.
    page = checked["round_page"]
    assert "Not delivered" in page and "No such mailbox here" in page
    # The visitor who typed a refused address learns it; the other that it went.
    assert "could not be delivered" in visitors["pages"]["typo@acme.example"]
    assert "was sent to the address you gave" in visitors["pages"]["ana@acme.example"]
    assert 500 not in visitors["statuses"] + checked["statuses"]


def _json(value):
    import json

    return json.dumps(value)


def _last_json(output):
    import json

    return json.loads(output.strip().splitlines()[-1])
