"""Members and invitations: roles, removing, leaving, resending, withdrawing, reminding."""

import datetime

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from assessments import cadence, throttle
from assessments.models import MemberInvitation, Membership
from tests.helpers import close, highest, invitation_token, private_token, submit_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(make_leader, organization):
    return make_leader("carl@acme.example", organization=organization, role="sales")


@pytest.fixture
def invitation(leader, organization):
    return MemberInvitation.objects.create(
        organization=organization,
        email="sam@acme.example",
        role="ceo",
        invited_by=leader,
        language="es",
        message="Te esperamos <b>el lunes</b>",
    )


def members_url(organization):
    return reverse("assessments:members", args=[organization.pk])


def test_the_list_shows_roles_join_dates_and_when_invitations_expire(
    client, leader, organization, colleague, invitation
):
    client.force_login(leader)
    page = client.get(members_url(organization)).text
    assert "carl@acme.example" in page and "Sales leader (CSO)" in page
    assert date_format(timezone.localdate()) in page
    assert "sam@acme.example" in page and "valid until" in page
    MemberInvitation.objects.update(created_at=timezone.now() - datetime.timedelta(days=15))
    assert "expired" in client.get(members_url(organization)).text


def test_a_member_changes_a_role(client, leader, organization, colleague):
    membership = colleague.memberships.get()
    client.force_login(leader)
    url = reverse("assessments:member_role", args=[organization.pk, membership.pk])
    page = client.post(url, {"role": "ceo"}, follow=True)
    assert "carl@acme.example is now CEO / general manager." in page.text
    membership.refresh_from_db()
    assert membership.role == "ceo"
    refused = client.post(url, {"role": "king"}, follow=True)
    assert "Choose one of the roles listed." in refused.text
    membership.refresh_from_db()
    assert membership.role == "ceo"


def test_a_removed_member_loses_access(client, leader, organization, colleague):
    client.force_login(leader)
    membership = colleague.memberships.get()
    url = reverse("assessments:member_remove", args=[organization.pk, membership.pk])
    page = client.post(url, follow=True)
    assert "carl@acme.example is no longer a member" in page.text
    client.force_login(colleague)
    assert client.get(organization.get_absolute_url()).status_code == 404


def test_the_last_member_is_never_removed_and_cannot_leave(client, leader, organization):
    client.force_login(leader)
    membership = leader.memberships.get()
    page = client.get(members_url(organization)).text
    assert "invite someone before you can leave" in page and "Leave the organization" not in page
    url = reverse("assessments:member_remove", args=[organization.pk, membership.pk])
    assert "The last member cannot be removed." in client.post(url, follow=True).text
    leave = reverse("assessments:organization_leave", args=[organization.pk])
    assert "You are the last member" in client.post(leave, follow=True).text
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_leaves(client, leader, organization, colleague):
    client.force_login(colleague)
    leave = reverse("assessments:organization_leave", args=[organization.pk])
    response = client.post(leave)
    assert response["Location"] == reverse("assessments:organizations")
    assert not organization.memberships.filter(user=colleague).exists()
    assert organization.memberships.filter(user=leader).exists()


def test_another_organizations_member_changes_nothing(
    client, other_leader, organization, colleague, invitation, round
):
    membership = colleague.memberships.get()
    response = round.responses.create(
        questionnaire=round.questionnaire,
        organization_name="Acme",
        role="sales",
        email="x@acme.example",
        invited_at=timezone.now() - datetime.timedelta(days=5),
    )
    client.force_login(other_leader)
    for name, args, data in [
        ("member_role", [organization.pk, membership.pk], {"role": "ceo"}),
        ("member_remove", [organization.pk, membership.pk], {}),
        ("organization_leave", [organization.pk], {}),
        ("invitation_resend", [organization.pk, invitation.pk], {}),
        ("invitation_revoke", [organization.pk, invitation.pk], {}),
        ("response_remind", [round.pk, response.pk], {}),
    ]:
        assert client.post(reverse(f"assessments:{name}", args=args), data).status_code == 404
    membership.refresh_from_db()
    assert membership.role == "sales" and MemberInvitation.objects.filter(pk=invitation.pk).exists()
    assert mail.outbox == []


def test_a_member_invitation_in_the_invitees_language_quotes_the_message(
    client, leader, organization
):
    client.force_login(leader)
    client.post(
        members_url(organization),
        {"email": "sam@acme.example", "role": "ceo", "language": "es", "message": "Hi <b>Sam</b>"},
    )
    [message] = mail.outbox
    assert message.subject == "Una invitación para unirse a su equipo directivo en Smarketing"
    assert "Sam" not in message.subject
    assert "“Hi <b>Sam</b>”" in message.body  # plain text reads as typed
    html = message.alternatives[0][0]
    assert "Hi &lt;b&gt;Sam&lt;/b&gt;" in html and "<b>Sam</b>" not in html
    invitation = MemberInvitation.objects.get()
    assert (invitation.language, invitation.message) == ("es", "Hi <b>Sam</b>")


def test_resending_renews_the_same_invitation_with_a_new_link(
    client, leader, organization, invitation
):
    old_token = invitation.token
    MemberInvitation.objects.update(created_at=timezone.now() - datetime.timedelta(days=20))
    client.force_login(leader)
    url = reverse("assessments:invitation_resend", args=[organization.pk, invitation.pk])
    page = client.post(url, follow=True)
    assert "Invitation sent again to sam@acme.example." in page.text
    renewed = MemberInvitation.objects.get()
    assert renewed.pk == invitation.pk and renewed.is_usable
    [message] = mail.outbox
    assert "“Te esperamos <b>el lunes</b>”" in message.body and "Hola" in message.body
    new_token = invitation_token(message.body)
    assert new_token != old_token
    assert client.get(reverse("accept_invitation", args=[old_token])).status_code == 404
    assert client.get(reverse("accept_invitation", args=[new_token])).status_code == 200


def test_resending_respects_the_mail_limit(client, leader, organization, invitation, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "mail": "1/h/key"}
    client.force_login(leader)
    url = reverse("assessments:invitation_resend", args=[organization.pk, invitation.pk])
    client.post(url)
    digest = MemberInvitation.objects.get().token_digest
    page = client.post(url, follow=True)
    assert "Too many e-mails went to this address" in page.text
    assert len(mail.outbox) == 1 and MemberInvitation.objects.get().token_digest == digest


def test_a_withdrawn_invitation_no_longer_works(client, leader, organization, invitation):
    client.force_login(leader)
    url = reverse("assessments:invitation_revoke", args=[organization.pk, invitation.pk])
    assert "is withdrawn" in client.post(url, follow=True).text
    assert not MemberInvitation.objects.exists()
    assert client.get(reverse("accept_invitation", args=[invitation.token])).status_code == 404


@pytest.fixture
def invitee(round):
    return round.responses.create(
        questionnaire=round.questionnaire,
        organization_name="Acme",
        role="sales",
        email="late@acme.example",
        name="Luis",
        invited_at=timezone.now() - datetime.timedelta(days=4),
    )


def remind_url(response):
    return reverse("assessments:response_remind", args=[response.round_id, response.pk])


def test_remind_now_sends_a_fresh_link_and_counts_it(client, leader, round, invitee):
    client.force_login(leader)
    assert "Remind now" in client.get(round.get_absolute_url()).text
    page = client.post(remind_url(invitee), follow=True)
    assert "Reminder sent to late@acme.example." in page.text
    invitee.refresh_from_db()
    assert invitee.reminders_sent == 1
    [message] = mail.outbox
    assert message.to == ["late@acme.example"]
    assert (
        client.get(reverse("assessments:resume", args=[private_token(message.body)])).status_code
        == 302
    )

    again = client.post(remind_url(invitee), follow=True)
    assert "the next reminder can go on" in again.text
    invitee.refresh_from_db()
    assert invitee.reminders_sent == 1 and len(mail.outbox) == 1


def test_remind_now_stops_at_the_commands_maximum(client, leader, invitee):
    invitee.reminders_sent = cadence.MAX_REMINDERS
    invitee.last_reminded_at = timezone.now() - datetime.timedelta(days=10)
    invitee.save()
    client.force_login(leader)
    page = client.post(remind_url(invitee), follow=True)
    assert "has had 2 reminders, the most anyone gets" in page.text
    assert mail.outbox == []
    # The round page no longer offers it for that person.
    assert remind_url(invitee) not in client.get(invitee.round.get_absolute_url()).text


def test_nobody_is_reminded_of_a_closed_round_or_after_submitting(client, leader, round, invitee):
    submitted = submit_response(
        round, "marketing", highest, email="done@acme.example", invited_at=invitee.invited_at
    )
    client.force_login(leader)
    assert "Only people invited" in client.post(remind_url(submitted), follow=True).text
    close(round)
    assert "Only people invited" in client.post(remind_url(invitee), follow=True).text
    assert mail.outbox == []


def test_remind_now_respects_the_mail_limit(client, leader, invitee, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "mail": "1/h/key"}
    request = RequestFactory().post("/")  # allauth's limiter leaves GET requests alone
    request.user = leader
    assert throttle.allowed(request, "mail", address="late@acme.example")
    client.force_login(leader)
    page = client.post(remind_url(invitee), follow=True)
    assert "Too many e-mails went to this address" in page.text
    invitee.refresh_from_db()
    assert invitee.reminders_sent == 0 and mail.outbox == []


NOW = datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "state",
    [
        {"invited_at": NOW},  # just invited: the "offered, then refused"
        {"invited_at": NOW - 2 * DAY},
        {"invited_at": NOW - 4 * DAY},
        {"invited_at": NOW - 9 * DAY, "reminders_sent": 1, "last_reminded_at": NOW - DAY},
        {"invited_at": NOW - 9 * DAY, "reminders_sent": 1, "last_reminded_at": NOW - 3 * DAY},
        {"invited_at": NOW - 9 * DAY, "reminders_sent": 2, "last_reminded_at": NOW - 5 * DAY},
        {"invited_at": NOW - 4 * DAY, "reminders_stopped_at": NOW - DAY},
        {"invited_at": None},
        {"invited_at": NOW - 4 * DAY, "email": ""},
    ],
)
def test_remind_now_shows_exactly_when_sending_it_would_work(
    client, leader, round, invitee, state, time_machine
):
    """One rule: the button is on the page if and only if pressing it sends the reminder."""
    time_machine.move_to(NOW, tick=False)
    type(invitee).objects.filter(pk=invitee.pk).update(**state)
    client.force_login(leader)
    offered = remind_url(invitee) in client.get(round.get_absolute_url()).text
    client.post(remind_url(invitee))
    assert offered == (len(mail.outbox) == 1)


def test_a_fresh_invitee_shows_when_the_first_reminder_may_go(client, leader, round, invitee):
    type(invitee).objects.filter(pk=invitee.pk).update(invited_at=timezone.now())
    invitee.refresh_from_db()
    client.force_login(leader)
    page = client.get(round.get_absolute_url()).text
    next_at = invitee.invited_at + cadence.REMINDER_SPACING
    when = date_format(timezone.localtime(next_at), "DATETIME_FORMAT")
    assert "Remind now" not in page and f"next reminder from {when}" in page
    # The refusal names the same moment.
    assert when in client.post(remind_url(invitee), follow=True).text


def test_the_leader_sees_who_asked_for_no_more_reminders(client, leader, round, invitee):
    stopped = timezone.now() - DAY
    type(invitee).objects.filter(pk=invitee.pk).update(reminders_stopped_at=stopped)
    client.force_login(leader)
    page = " ".join(client.get(round.get_absolute_url()).text.split())
    day = date_format(timezone.localtime(stopped), "SHORT_DATE_FORMAT")
    row = page[page.index("Luis") :]
    assert row.index(f"Unsubscribed</span> asked for no more reminders on {day}") < row.index(
        "</tr>"
    )
    assert remind_url(invitee) not in page


def test_the_members_page_shows_who_stopped_the_due_notices(client, leader, colleague):
    Membership.objects.filter(user=colleague).update(due_notices=False)
    client.force_login(leader)
    page = " ".join(client.get(members_url(colleague.organizations.get())).text.split())
    row = page[page.index("carl@acme.example") :]
    assert row.index("gets no e-mail when the next round is due") < row.index("</tr>")
    ana = page[page.index("ana@acme.example") :]
    assert "gets no e-mail" not in ana[: ana.index("</tr>")]


def test_the_unsubscribed_invitee_reads_in_spanish(client, leader, round, invitee, spanish):
    type(invitee).objects.filter(pk=invitee.pk).update(reminders_stopped_at=timezone.now())
    client.force_login(leader)
    page = client.get(round.get_absolute_url()).text
    assert "Dado de baja" in page and "pidió no recibir más recordatorios el" in page
