import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Membership, Response, Round
from tests.helpers import highest, submit_response

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 1, 31, 9, 0, tzinfo=datetime.UTC)


def at(days):
    return time_machine.travel(START + datetime.timedelta(days=days), tick=False)


def invite(round, email, language="en", **fields):
    return Response.objects.create(
        round=round,
        questionnaire=round.questionnaire,
        organization_name=round.organization.name,
        role="sales",
        email=email,
        language=language,
        invited_at=START,
        **fields,
    )


@pytest.fixture
def open_round(organization, questionnaire):
    with at(0):
        return Round.objects.create(organization=organization, questionnaire=questionnaire)


def reminders():
    return [m for m in mail.outbox if "Reminder" in m.subject or "Recordatorio" in m.subject]


def test_reminders_are_spaced_capped_at_two_and_never_sent_twice(open_round):
    invite(open_round, "late@acme.example")
    with at(1):
        call_command("send_reminders")
    assert reminders() == []
    with at(3):
        call_command("send_reminders")
        call_command("send_reminders")  # cron ran twice: still one reminder
    assert len(reminders()) == 1
    with at(5):
        call_command("send_reminders")
    assert len(reminders()) == 1  # only two days after the first
    with at(6):
        call_command("send_reminders")
    with at(20):
        call_command("send_reminders")
    assert len(reminders()) == 2
    assert Response.objects.get().reminders_sent == 2


def test_no_reminder_for_submitted_anonymous_or_closed(open_round, organization, questionnaire):
    done = submit_response(open_round, "marketing", highest, email="done@acme.example")
    Response.objects.filter(pk=done.pk).update(invited_at=START)
    invite(open_round, "")  # shared-link visitor without e-mail: nobody to remind
    with at(0):
        closed = Round.objects.create(
            organization=organization, questionnaire=questionnaire, closed_at=START
        )
    invite(closed, "closed@acme.example")
    with at(4):
        call_command("send_reminders")
    assert reminders() == []


def test_each_email_is_in_the_recipients_language_with_text_and_html(open_round):
    invite(open_round, "es@acme.example", language="es", name="Ana")
    invite(open_round, "en@acme.example", language="en")
    with at(3):
        call_command("send_reminders")
    by_recipient = {m.to[0]: m for m in mail.outbox}
    spanish, english = by_recipient["es@acme.example"], by_recipient["en@acme.example"]
    assert spanish.subject.startswith("Recordatorio")
    assert "Hola, Ana" in spanish.body
    assert english.subject.startswith("Reminder")
    for message in (spanish, english):
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html" and "/r/" in html


def test_members_are_told_once_when_the_next_round_is_due(
    organization, leader, make_leader, questionnaire
):
    make_leader("es@acme.example", organization=organization, role="sales")
    Membership.objects.filter(user__email="es@acme.example").update(language="es")
    Round.objects.create(
        organization=organization, questionnaire=questionnaire, opened_on=datetime.date(2026, 1, 31)
    )
    with at(85):  # quarterly: due on 30 April
        call_command("send_reminders")
    assert mail.outbox == []
    with at(89):
        call_command("send_reminders")
        call_command("send_reminders")
    notices = {m.to[0]: m for m in mail.outbox}
    assert set(notices) == {"ana@acme.example", "es@acme.example"}
    assert "next alignment round" in notices["ana@acme.example"].subject
    assert "siguiente ronda" in notices["es@acme.example"].subject
    with at(120):
        call_command("send_reminders")
    assert len(mail.outbox) == 2


def test_a_new_round_moves_the_due_date(organization, leader, questionnaire):
    Round.objects.create(
        organization=organization,
        questionnaire=questionnaire,
        opened_on=datetime.date(2026, 1, 31),
        closed_at=timezone.now(),
    )
    Round.objects.create(
        organization=organization, questionnaire=questionnaire, opened_on=datetime.date(2026, 4, 20)
    )
    with at(95):
        call_command("send_reminders")
    assert mail.outbox == []
