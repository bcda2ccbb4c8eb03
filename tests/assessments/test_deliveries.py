"""E-mails that fail: retried when the failure passes, shown where someone can act when it does not.

The mail server is the outside world, so here it is a backend that answers as
a refusing server would (tests/faults/ runs a real one); the queue, the worker
and its retries are the real ones.
"""

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import tasks
from assessments.management.commands.db_worker import maintain
from assessments.models import Delivery, MemberInvitation, PortfolioExport, Response, Round
from smarketing import faults
from tests.helpers import private_path, private_token, run_worker

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class RefusingServer(EmailBackend):
    """The test outbox behind a mail server that gives the queued REPLIES first, one per message."""

    replies = []

    def send_messages(self, messages):
        if type(self).replies:
            raise type(self).replies.pop(0)
        return super().send_messages(messages)


@pytest.fixture
def server(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.EMAIL_BACKEND = "tests.assessments.test_deliveries.RefusingServer"
    RefusingServer.replies = []
    return RefusingServer


def busy():
    return smtplib.SMTPResponseException(421, b"4.3.2 Service not available, try later")


def unknown(address):
    return smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 No such mailbox")})


def invite(member, round, email="new@acme.example"):
    response = member.post(
        reverse("assessments:round_invite", args=[round.pk]),
        {"email": email, "name": "New", "role": "sales", "language": "en"},
    )
    assert response.status_code == 302
    return Response.objects.get(email=email)


def later(seconds):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds))


@pytest.mark.parametrize(
    "first, waits",
    [(15, [15, 30, 60, 120, 240, 240]), (2, [2, 4, 8, 16, 32, 64, 128, 240, 240])],
)
def test_the_wait_before_a_retry_starts_at_the_setting_and_doubles_up_to_four_minutes(
    settings, first, waits
):
    settings.TASK_RETRY_SECONDS = first
    assert [faults.retry_delay(attempts) for attempts in range(1, len(waits) + 1)] == waits


def test_a_busy_mail_server_is_tried_again_with_backoff_and_the_mail_goes_once(
    member, round, server, monkeypatch
):
    invitee = invite(member, round)
    server.replies = [busy(), busy()]
    run_worker(monkeypatch)
    assert mail.outbox == []
    [queued] = DBTaskResult.objects.filter(task_path="assessments.tasks.send_emails")
    assert queued.status == "READY" and "421" in queued.traceback
    # First retry after 15 s, the next 30 s after that: not before.
    assert 14 < (queued.run_after - timezone.now()).total_seconds() <= 15
    delivery = invitee.deliveries.get()
    assert delivery.status == "queued" and delivery.error.startswith("421")
    page = member.get(round.get_absolute_url()).content.decode()
    assert "Not sent yet" in page
    with later(16):
        run_worker(monkeypatch)
        queued.refresh_from_db()
        assert 29 < (queued.run_after - timezone.now()).total_seconds() <= 30
    with later(16 + 31):
        run_worker(monkeypatch)
    [sent] = mail.outbox
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3 and delivery.error == ""
    # Only the link of the attempt that went works, besides the one never handed out.
    assert invitee.links.count() == 2 and delivery.link.response == invitee
    assert member.get(private_path(private_token(sent.body))).status_code == 302
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    # Run again (a worker that died after sending): nothing goes twice.
    tasks.send_emails.call([delivery.pk])
    assert len(mail.outbox) == 1


def test_a_refused_address_shows_not_delivered_beside_the_invitee_with_send_again(
    member, round, server, monkeypatch
):
    invitee = invite(member, round, "nobody@acme.example")
    server.replies = [unknown("nobody@acme.example")]
    run_worker(monkeypatch)
    assert mail.outbox == []
    delivery = invitee.deliveries.get()
    assert delivery.status == "failed" and "550 5.1.1 No such mailbox" in delivery.error
    # Not retried: the task did its work; the refused link never works.
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert delivery.link is None and invitee.links.count() == 1
    page = member.get(round.get_absolute_url()).content.decode()
    assert "Not delivered" in page and "No such mailbox" in page
    resend = reverse("assessments:response_resend", args=[round.pk, invitee.pk])
    assert resend in page
    assert member.post(resend).status_code == 302
    run_worker(monkeypatch)
    [sent] = mail.outbox
    assert sent.to == ["nobody@acme.example"]
    assert "Not delivered" not in member.get(round.get_absolute_url()).content.decode()


def test_one_refused_address_does_not_hold_up_the_rest_of_a_batch(
    member, organization, questionnaire, server, monkeypatch
):
    last = Round.objects.create(
        organization=organization, questionnaire=questionnaire, closed_at=timezone.now()
    )
    for name in ("a", "b", "c"):
        Response.objects.create(
            round=last,
            questionnaire=questionnaire,
            organization_name="Acme",
            role="sales",
            email=f"{name}@acme.example",
        )
    data = {"visibility": "confidential", "reinvite": ["a@acme.example", "b@acme.example"]}
    data["reinvite"].append("c@acme.example")
    member.post(reverse("assessments:round_new", args=[organization.pk]), data)
    server.replies = [unknown("a@acme.example")]
    run_worker(monkeypatch)
    assert sorted(m.to[0] for m in mail.outbox) == ["b@acme.example", "c@acme.example"]
    statuses = dict(Delivery.objects.values_list("response__email", "status"))
    assert statuses["a@acme.example"] == "failed"


def test_opening_a_round_mails_each_invited_member_once_and_never_the_opener(
    member, leader, organization, make_leader, server, monkeypatch
):
    """The round form invites the members through deliveries; "Answer now" is not an e-mail."""
    make_leader("sergio@acme.example", organization=organization, role="sales")
    make_leader("carmen@acme.example", organization=organization, role="ceo")
    url = reverse("assessments:round_new", args=[organization.pk])
    form = member.get(url).context["form"]
    data = {"members": form["members"].value(), "visibility": form["visibility"].value()}
    assert member.post(url, data).status_code == 302
    round = Round.objects.get()
    own = round.responses.get(email=leader.email)
    assert not own.deliveries.exists()
    kinds = Delivery.objects.values_list("response__email", "kind")
    assert sorted(kinds) == [
        ("carmen@acme.example", Delivery.Kind.ROUND_INVITATION),
        ("sergio@acme.example", Delivery.Kind.ROUND_INVITATION),
    ]
    # The server refuses whichever of the two goes first.
    server.replies = [unknown("the first address")]
    run_worker(monkeypatch)
    statuses = dict(Delivery.objects.values_list("response__email", "status"))
    [refused] = [email for email, status in statuses.items() if status == "failed"]
    [sent] = [email for email, status in statuses.items() if status == "sent"]
    assert [m.to for m in mail.outbox] == [[sent]]
    page = member.get(round.get_absolute_url()).content.decode()
    assert "Not delivered" in page and "No such mailbox" in page
    resend = reverse(
        "assessments:response_resend", args=[round.pk, round.responses.get(email=refused).pk]
    )
    assert resend in page
    # Run again (a worker that died after sending): nobody gets a second e-mail.
    tasks.send_emails.call(list(Delivery.objects.values_list("pk", flat=True)))
    assert len(mail.outbox) == 1


def test_a_member_invitation_refused_says_so_on_the_members_page(
    member, organization, server, monkeypatch
):
    url = reverse("assessments:members", args=[organization.pk])
    member.post(url, {"email": "ghost@acme.example", "role": "sales", "language": "en"})
    server.replies = [unknown("ghost@acme.example")]
    run_worker(monkeypatch)
    page = member.get(url).content.decode()
    assert "ghost@acme.example" in page and "Not delivered" in page
    invitation = MemberInvitation.objects.get()
    member.post(reverse("assessments:invitation_resend", args=[organization.pk, invitation.pk]))
    run_worker(monkeypatch)
    assert len(mail.outbox) == 1 and "Not delivered" not in member.get(url).content.decode()


def test_the_respondent_learns_that_the_private_link_could_not_be_sent(
    client, questionnaire, server, monkeypatch
):
    start = reverse("assessments:start")
    data = {"organization_name": "Acme", "role": "ceo", "email": "typo@acme.example"}
    assert client.post(start, data)["Location"] == reverse("assessments:link_sent")
    waiting = client.get(reverse("assessments:link_sent")).content.decode()
    assert "is on its way" in waiting and "js/link-sent.js" in waiting
    server.replies = [unknown("typo@acme.example")]
    run_worker(monkeypatch)
    status = client.get(reverse("assessments:link_sent"), {"part": "status"}).content.decode()
    assert "could not be delivered" in status and "No such mailbox" in status
    assert f'href="{start}"' in status
    page = client.get(reverse("assessments:link_sent")).content.decode()
    assert "could not be delivered" in page and "js/link-sent.js" not in page
    # Another visitor's session learns nothing of it.
    client.cookies.clear()
    other = client.get(reverse("assessments:link_sent")).content.decode()
    assert "could not be delivered" not in other


def test_a_task_whose_worker_died_runs_again_after_its_lease(member, round, settings, monkeypatch):
    settings.TASKS = DATABASE_QUEUE
    invitee = invite(member, round)
    queued = DBTaskResult.objects.get()
    # A worker claimed it and was killed: RUNNING, nobody working on it.
    queued.claim("dead-worker")
    run_worker(monkeypatch)
    assert mail.outbox == []
    with later(settings.TASK_LEASE_SECONDS - 5):
        run_worker(monkeypatch)
    assert mail.outbox == []
    with later(settings.TASK_LEASE_SECONDS + 5):
        run_worker(monkeypatch)
    [sent] = mail.outbox
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and len(queued.worker_ids) == 2
    assert sent.to == [invitee.email]


def test_an_email_abandoned_mid_send_goes_again_with_a_new_link_and_the_old_one_revoked(
    member, round, settings, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE
    invitee = invite(member, round)
    [(delivery, _message)] = tasks._claim(list(invitee.deliveries.values_list("pk", flat=True)))
    abandoned = delivery.link
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())
    with later(settings.TASK_LEASE_SECONDS + 5):
        run_worker(monkeypatch)
    [sent] = mail.outbox
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert not invitee.links.filter(pk=abandoned.pk).exists()
    assert Response.objects.by_token(private_token(sent.body)).get() == invitee


def test_recovery_queues_stale_rounds_and_stuck_exports_and_fails_old_ones(
    round, make_consultant, settings, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE
    consultant = make_consultant("c@firm.example", round.organization)
    Round.objects.filter(pk=round.pk).update(result_stale=True)
    fresh = PortfolioExport.objects.create(requested_by=consultant, format="csv")
    old = PortfolioExport.objects.create(requested_by=consultant, format="csv")
    PortfolioExport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    maintain()
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == ["assessments.tasks.prepare_export", "assessments.tasks.refresh_round_result"]
    old.refresh_from_db()
    assert old.status == "failed"
    # A second pass finds their tasks waiting: nothing queued twice.
    maintain()
    assert DBTaskResult.objects.count() == 2
    run_worker(monkeypatch)
    round.refresh_from_db()
    fresh.refresh_from_db()
    assert not round.result_stale and fresh.status == "ready" and fresh.content


def test_a_transient_failure_mid_batch_puts_the_rest_back_in_the_queue_at_once(
    member, organization, questionnaire, server, monkeypatch
):
    last = Round.objects.create(
        organization=organization, questionnaire=questionnaire, closed_at=timezone.now()
    )
    people = [f"{name}@acme.example" for name in "abc"]
    for email in people:
        Response.objects.create(
            round=last,
            questionnaire=questionnaire,
            organization_name="Acme",
            role="sales",
            email=email,
        )
    data = {"visibility": "confidential", "reinvite": people}
    member.post(reverse("assessments:round_new", args=[organization.pk]), data)
    original = RefusingServer.send_messages
    calls = []

    def second_is_busy(self, messages):
        calls.append(messages[0].to[0])
        if len(calls) == 2:
            raise busy()
        return original(self, messages)

    monkeypatch.setattr(RefusingServer, "send_messages", second_is_busy)
    run_worker(monkeypatch)
    statuses = dict(Delivery.objects.values_list("response__email", "status"))
    assert statuses == dict(zip(people, ["sent", "queued", "queued"], strict=True))
    # The retry 15 s later sends both: none waits for a "sending" claim to expire.
    with later(16):
        run_worker(monkeypatch)
    assert sorted(m.to[0] for m in mail.outbox) == people
