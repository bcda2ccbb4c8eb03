"""Nobody can make the server send many e-mails, put their text in a subject, or flood rows."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments.models import MemberInvitation, Organization, Response, Round
from tests.helpers import close, use_up_starts

pytestmark = pytest.mark.django_db

SPAM = "WIN A PRIZE at http://spam.example & O'Brien"


def start(client, **fields):
    data = {"organization_name": SPAM, "role": "ceo", "name": SPAM, **fields}
    return client.post(reverse("assessments:start"), data)


def test_typed_text_never_reaches_a_subject_and_bodies_are_plain(client, questionnaire):
    start(client, email="victim@example.com")
    [message] = mail.outbox
    assert "spam.example" not in message.subject and "PRIZE" not in message.subject
    # The anonymous visitor's own words are not put into the mail at all.
    assert "spam.example" not in message.body
    assert "spam.example" not in message.alternatives[0][0]


def test_plain_text_mails_are_not_html_escaped(client, leader, organization):
    Organization.objects.filter(pk=organization.pk).update(name="O'Brien & Sons")
    client.force_login(leader)
    client.post(
        reverse("assessments:members", args=[organization.pk]),
        {"email": "sam@acme.example", "role": "sales"},
    )
    [message] = mail.outbox
    assert "“O'Brien & Sons”" in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body
    assert "O'Brien" not in message.subject
    assert "O&#x27;Brien &amp; Sons" in message.alternatives[0][0]


def test_one_address_gets_a_handful_of_private_links_then_none(questionnaire):
    statuses = []
    for n in range(8):
        visitor = Client(REMOTE_ADDR=f"10.0.0.{n}")
        statuses.append(start(visitor, email="Victim@Example.com").status_code)
    assert len(mail.outbox) == 5
    assert statuses == [302] * 5 + [200] * 3
    refused = start(Client(REMOTE_ADDR="10.0.1.1"), email="victim@example.com")
    assert "Too many e-mails went to this address" in refused.text
    # A refused start writes nothing.
    assert Response.objects.count() == 5


def test_one_client_cannot_flood_anonymous_starts(client, questionnaire):
    # A thousand an hour from one address: a venue's Wi-Fi, not a script.
    use_up_starts(998)
    statuses = [start(client).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert Response.objects.count() == 2
    assert "Too many requests" in start(client).text
    # Another client is not affected.
    assert start(Client(REMOTE_ADDR="10.0.0.9")).status_code == 302


def test_a_rounds_shared_link_is_limited_the_same_way(client, round):
    use_up_starts(999)
    assert client.post(round.get_share_url(), {"role": "sales"}).status_code == 302
    assert client.post(round.get_share_url(), {"role": "sales"}).status_code == 429
    assert round.responses.count() == 1


def test_repeated_member_invitations_are_not_duplicated(client, leader, organization):
    client.force_login(leader)
    url = reverse("assessments:members", args=[organization.pk])
    client.post(url, {"email": "sam@acme.example", "role": "sales"})
    again = client.post(url, {"email": "SAM@acme.example", "role": "ceo"})
    assert "already waiting to be accepted" in again.text
    assert MemberInvitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_expired_invitation_is_renewed_not_doubled(client, leader, organization):
    import datetime

    from django.utils import timezone

    old = MemberInvitation.objects.create(
        organization=organization, email="sam@acme.example", role="sales", invited_by=leader
    )
    MemberInvitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=20)
    )
    client.force_login(leader)
    client.post(
        reverse("assessments:members", args=[organization.pk]),
        {"email": "sam@acme.example", "role": "ceo"},
    )
    renewed = MemberInvitation.objects.get()
    assert renewed.pk == old.pk and renewed.is_usable and renewed.role == "ceo"
    # The old link no longer works; the new one does.
    assert not MemberInvitation.objects.by_token(old.token).exists()
    assert len(mail.outbox) == 1


def test_invitations_to_one_address_are_limited(client, leader, organization, round):
    client.force_login(leader)
    others = [Organization.objects.create(name=f"Org {n}") for n in range(6)]
    for other in others:
        other.memberships.create(user=leader, role="ceo")
        client.post(
            reverse("assessments:members", args=[other.pk]),
            {"email": "victim@example.com", "role": "sales"},
        )
    assert len(mail.outbox) == 5
    assert MemberInvitation.objects.count() == 5
    refused = client.post(
        reverse("assessments:round_invite", args=[round.pk]),
        {"email": "victim@example.com", "role": "sales"},
    )
    assert refused.status_code == 400
    assert "Too many e-mails went to this address" in refused.text
    assert not round.responses.exists()


def test_a_member_cannot_send_unlimited_invitations(client, leader, round, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "invite": "3/h/user"}
    client.force_login(leader)
    url = reverse("assessments:round_invite", args=[round.pk])
    statuses = [
        client.post(url, {"email": f"p{n}@example.com", "role": "sales"}).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert round.responses.count() == 3 and len(mail.outbox) == 3


def test_reinviting_a_round_over_the_limits_writes_nothing(client, leader, round, settings):
    for n in range(2):
        round.responses.create(
            questionnaire=round.questionnaire,
            organization_name="A",
            role="sales",
            email=f"p{n}@example.com",
        )
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "invite": "1/h/user"}
    close(round)
    client.force_login(leader)
    response = client.post(
        reverse("assessments:round_new", args=[round.organization.pk]),
        {"reinvite": ["p0@example.com", "p1@example.com"], "visibility": "open"},
    )
    assert response.status_code == 429
    assert Round.objects.count() == 1 and mail.outbox == []


def test_password_reset_mails_to_one_address_are_limited(client, leader):
    for n in range(5):
        Client(REMOTE_ADDR=f"10.0.0.{n}").post(
            reverse("account_reset_password"), {"email": "ana@acme.example"}
        )
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("typed", "counted"),
    [
        ("Ana@Example.com", "ana@example.com"),
        ("ana+news@example.com", "ana@example.com"),  # a sub-address, at any provider
        ("a.na@example.com", "a.na@example.com"),  # dots matter where the provider says so
        ("a.n.a+x@gmail.com", "ana@gmail.com"),
        ("A.na@GoogleMail.com", "ana@gmail.com"),  # one provider, two domains
        ('"a.na+x"@gmail.com', "ana@gmail.com"),
        ("+only@example.com", "+only@example.com"),  # nothing before the tag: kept as typed
    ],
)
def test_limits_count_the_mailbox_an_address_reaches(typed, counted):
    from assessments.throttle import mailbox

    assert mailbox(typed) == counted


def test_the_providers_that_ignore_dots_are_a_setting(settings):
    from assessments.throttle import mailbox

    settings.MAILBOX_DOTLESS_DOMAINS = {"example.org"}
    assert mailbox("a.n.a@example.org") == "ana@example.org"
    assert mailbox("a.n.a@gmail.com") == "a.n.a@gmail.com"
