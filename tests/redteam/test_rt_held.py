"""Red team: attacks tried on the code under review that it withstood (kept as regressions)."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments import tokens
from assessments.models import Membership, Response
from tests.helpers import highest, invitation_token, submit_response, use_up_starts

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(round, make_consultant, other_leader, questionnaire):
    from assessments.models import Round

    round.consultant_access = True
    round.save()
    victim = submit_response(round, "marketing", highest, name="Marta Ruiz")
    other_round = Round.objects.create(
        organization=other_leader.organizations.get(), questionnaire=questionnaire
    )
    other_victim = submit_response(other_round, "sales", highest, name="Olga Other")
    return {
        "round": round,
        "victim": victim,
        "other_victim": other_victim,
        "consultant_a": make_consultant("a@consult.example", round.organization),
        "consultant_none": make_consultant("none@consult.example"),
    }


@pytest.mark.parametrize(
    "changelist, lookup",
    [
        ("assessments_round_changelist", "organization__invitations__token_digest__startswith"),
        ("assessments_round_changelist", "responses__links__digest__startswith"),
        ("assessments_round_changelist", "organization__members__password__startswith"),
        ("assessments_response_changelist", "links__digest__gte"),
        ("assessments_response_changelist", "round__created_by__password__startswith"),
        ("assessments_organization_changelist", "memberships__user__authenticator__data__contains"),
        ("assessments_organization_changelist", "members__emailaddress__email__startswith"),
        ("assessments_planitem_changelist", "round__responses__links__digest__startswith"),
    ],
)
def test_secret_lookups_through_relations_are_refused(world, changelist, lookup):
    client = Client()
    client.force_login(world["consultant_a"])
    for value in ("0", "a", "f"):
        page = client.get(reverse(f"admin:{changelist}"), {lookup: value})
        assert page.status_code == 400, (lookup, page.status_code)


def test_a_consultant_without_clients_reaches_no_response(world):
    client = Client()
    client.force_login(world["consultant_none"])
    victim = world["victim"]
    ct = ContentType.objects.get_for_model(Response)
    for url in [
        reverse("admin:assessments_response_change", args=[victim.pk]),
        reverse("admin:assessments_response_history", args=[victim.pk]),
        f"/admin/r/{ct.pk}/{victim.pk}/",
        reverse("admin:dashboard_responses_export", args=[world["round"].pk, "csv"]),
        reverse("admin:dashboard_client", args=[world["round"].organization.pk]),
    ]:
        fetch = client.post if url.endswith((".csv", ".xlsx")) else client.get
        assert fetch(url).status_code == 404, url
    listing = client.get(reverse("admin:assessments_response_changelist"))
    assert "Marta Ruiz" not in listing.text
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "assessments", "model_name": "round", "field_name": "organization"},
    )
    assert world["round"].organization.name not in found.text


def test_a_consultant_of_one_client_reaches_no_other_client(world):
    client = Client()
    client.force_login(world["consultant_a"])
    other = world["other_victim"]
    assert (
        client.get(reverse("admin:assessments_response_change", args=[other.pk])).status_code == 404
    )
    assert "Olga Other" not in client.get(reverse("admin:assessments_response_changelist")).text
    assert (
        "Olga Other"
        not in client.get(reverse("admin:assessments_response_changelist"), {"q": "Olga"}).text
    )


def test_a_forged_share_token_opens_nothing(round):
    genuine = tokens.share_token(round.pk)
    pk, _, mac = genuine.partition("-")
    for forged in [
        f"{round.pk + 1}-{mac}",
        f"{pk}-{mac[:-1]}{'1' if mac.endswith('0') else '0'}",  # one character off
        f"0{pk}-{mac}",
        f"{pk}-{'0' * 40}",
    ]:
        assert Client().get(reverse("assessments:join", args=[forged])).status_code == 404


def test_a_forged_forwarded_for_header_does_not_reset_the_start_limit(questionnaire):
    use_up_starts(998)  # from the test client's own address
    client = Client()
    codes = [
        client.post(
            reverse("assessments:start"),
            {"organization_name": "Acme", "role": "ceo"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        ).status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 429, 429]


def test_an_invitation_is_not_taken_with_another_address(client, leader, organization):
    client.force_login(leader)
    client.post(
        reverse("assessments:members", args=[organization.pk]),
        {"email": "sam@acme.example", "role": "sales"},
    )
    token = invitation_token(mail.outbox[-1].body)
    url = reverse("accept_invitation", args=[token])
    # Someone who got hold of the link signs up with their own address in that session.
    thief = Client()
    thief.get(url)
    thief.post(
        reverse("account_signup"),
        {
            "first_name": "Thief",
            "email": "thief@evil.example",
            "password1": "a-Long-pass-phrase-9",
            "password2": "a-Long-pass-phrase-9",
        },
    )
    assert not EmailAddress.objects.filter(email="thief@evil.example", verified=True).exists()
    assert not EmailAddress.objects.filter(email="sam@acme.example").exists()
    # A verified account that adds the invited address, unconfirmed, cannot accept either.
    other = EmailAddress.objects.create(
        user=leader.__class__.objects.create_user("t2", "t2@evil.example", "pw"),
        email="t2@evil.example",
        verified=True,
        primary=True,
    ).user
    EmailAddress.objects.create(user=other, email="sam@acme.example", verified=False)
    thief2 = Client()
    thief2.force_login(other)
    thief2.post(url)
    assert not Membership.objects.filter(user=other).exists()


def test_the_admin_login_page_authenticates_nobody_on_its_own(superuser):
    """Staff log in through allauth's page (rate limits, two-factor); the admin's form is gone."""
    client = Client()
    page = client.post(reverse("admin:login"), {"username": "root", "password": "pw-for-tests"})
    assert page.status_code == 302 and page.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
