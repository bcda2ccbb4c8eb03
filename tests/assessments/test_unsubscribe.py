"""One-click unsubscribe from reminders and due notices, without logging in."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import tokens
from assessments.models import Membership, Organization

pytestmark = pytest.mark.django_db

UNSUBSCRIBE_LINK = "/unsubscribe/"


@pytest.fixture
def invitee(round):
    return round.responses.create(
        questionnaire=round.questionnaire,
        organization_name="Acme",
        role="sales",
        email="late@acme.example",
        invited_at=timezone.now() - datetime.timedelta(days=4),
    )


def unsubscribe_path(message):
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert url in message.body and url.startswith("http")
    return url[url.index(UNSUBSCRIBE_LINK) :]


def test_a_reminder_carries_a_one_click_unsubscribe_that_stops_reminders(invitee):
    call_command("send_reminders")
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)

    stranger = Client(enforce_csrf_checks=True)
    page = stranger.get(path)
    assert "Stop the reminders for this round of “Org of ana@acme.example”?" in page.text
    invitee.refresh_from_db()
    assert invitee.reminders_stopped_at is None  # looking (or a link scanner) stops nothing

    # What a mail client sends for its unsubscribe button: no login, no CSRF token.
    done = stranger.post(path, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded")
    assert done.status_code == 200 and "no more reminders" in done.text
    invitee.refresh_from_db()
    assert invitee.reminders_stopped_at is not None

    mail.outbox.clear()
    type(invitee).objects.filter(pk=invitee.pk).update(
        last_reminded_at=timezone.now() - datetime.timedelta(days=5)
    )
    call_command("send_reminders")
    assert mail.outbox == []


def test_remind_now_respects_an_unsubscribe(client, leader, invitee):
    type(invitee).objects.filter(pk=invitee.pk).update(reminders_stopped_at=timezone.now())
    client.force_login(leader)
    url = reverse("assessments:response_remind", args=[invitee.round_id, invitee.pk])
    assert "asked for no more reminders" in client.post(url, follow=True).text
    assert mail.outbox == []


def test_a_due_notice_unsubscribe_stops_that_members_notices_only(leader, make_leader):
    organization = leader.organizations.get()
    make_leader("carl@acme.example", organization=organization)
    Organization.objects.filter(pk=organization.pk).update(next_due_on=datetime.date(2020, 1, 1))
    call_command("send_reminders")
    ana = next(m for m in mail.outbox if m.to == ["ana@acme.example"])
    path = unsubscribe_path(ana)
    assert "no more e-mails when the next round" in Client().post(path).text
    assert not Membership.objects.get(user=leader).due_notices
    assert Membership.objects.get(user__email="carl@acme.example").due_notices

    mail.outbox.clear()
    Organization.objects.filter(pk=organization.pk).update(
        next_due_on=datetime.date(2020, 4, 1), due_notice_sent_for=None
    )
    call_command("send_reminders")
    assert [m.to for m in mail.outbox] == [["carl@acme.example"]]


def test_a_forged_or_swapped_unsubscribe_link_is_a_404(client, invitee, leader):
    genuine = tokens.unsubscribe_token("r", invitee.pk)
    mac = genuine.partition("-")[2]
    membership = leader.memberships.get()
    for forged in [f"r{invitee.pk}-{'0' * 40}", f"d{membership.pk}-{mac}", f"x{invitee.pk}-{mac}"]:
        url = reverse("assessments:unsubscribe", args=[forged])
        assert client.post(url).status_code == 404, forged
    invitee.refresh_from_db()
    membership.refresh_from_db()
    assert invitee.reminders_stopped_at is None and membership.due_notices


def test_an_unsubscribe_link_survives_a_key_rotation(client, invitee, settings):
    url = reverse("assessments:unsubscribe", args=[tokens.unsubscribe_token("r", invitee.pk)])
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"
    assert client.get(url).status_code == 200
