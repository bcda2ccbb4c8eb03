import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.models import MemberInvitation, Membership, Organization, Response, Round
from tests.conftest import answer_all, lowest
from tests.helpers import invitation_token, private_token

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "Leo@Acme.example",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
    "organization_name": "Acme",
    "role": "sales",
    "industry": "software",
    "size": "51-250",
}


def test_signup_creates_the_account_organization_and_membership(client, django_user_model):
    response = client.post(reverse("signup"), SIGNUP)
    user = django_user_model.objects.get()
    organization = Organization.objects.get()
    assert user.username == user.email == "leo@acme.example"
    assert Membership.objects.get().role == "sales"
    assert (organization.name, organization.industry, organization.size) == (
        "Acme",
        "software",
        "51-250",
    )
    assert response.url == organization.get_absolute_url()
    assert client.get(response.url).status_code == 200  # logged in


def test_signup_refuses_an_existing_email(client, leader):
    response = client.post(reverse("signup"), {**SIGNUP, "email": "ANA@acme.example"})
    assert response.status_code == 200
    assert "already exists" in response.text
    assert Organization.objects.count() == 1


def test_anonymous_respondent_keeps_the_result_with_a_new_organization(client, new_response):
    answer_all(client, new_response, pick=lowest)
    result = client.get(reverse("assessments:result", args=[new_response.token]))
    assert f"?response={new_response.token}" in result.text
    form = client.get(reverse("signup"), {"response": new_response.token})
    assert form.context["form"].initial["organization_name"] == "Acme"

    client.post(reverse("signup"), {**SIGNUP, "response": new_response.token})
    new_response.refresh_from_db()
    round = Round.objects.get()
    assert new_response.round == round
    assert round.organization.name == "Acme"
    assert not round.is_open
    assert round.respondents == 1 and round.position == new_response.position


def test_a_response_that_is_not_submitted_or_already_filed_cannot_be_claimed(
    client, new_response, round
):
    client.post(reverse("signup"), {**SIGNUP, "response": new_response.token})
    assert not Round.objects.exclude(pk=round.pk).exists()


def test_login_with_email_in_any_case_and_logout(client, leader):
    response = client.post(
        reverse("login"), {"username": "ANA@acme.example", "password": "pw-for-tests"}
    )
    assert response.status_code == 302
    assert response.url == reverse("assessments:organizations")
    client.post(reverse("logout"))
    response = client.get(reverse("assessments:organizations"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_password_reset_sends_a_working_link(client, leader):
    client.post(reverse("password_reset"), {"email": "ana@acme.example"})
    [message] = mail.outbox
    link = next(line for line in message.body.splitlines() if "/reset/" in line)
    path = link.split("testserver")[1]
    form = client.get(path, follow=True)
    assert form.context["validlink"]
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"},
    )
    assert response.status_code == 302
    leader.refresh_from_db()
    assert leader.check_password("another-long-passphrase")


def test_member_invites_a_leader_who_accepts(client, leader, organization, make_leader):
    client.force_login(leader)
    client.post(
        reverse("assessments:members", args=[organization.pk]),
        {"email": "Sam@acme.example", "role": "sales"},
    )
    invitation = MemberInvitation.objects.get()
    [message] = mail.outbox
    token = invitation_token(message.body)
    assert MemberInvitation.objects.by_token(token).get() == invitation
    assert message.to == ["sam@acme.example"]

    sam = make_leader("sam@acme.example")
    client.force_login(sam)
    url = reverse("accept_invitation", args=[token])
    client.post(url)
    client.post(url)  # replayed: nothing more
    assert Membership.objects.filter(organization=organization, user=sam).get().role == "sales"


def test_invitation_for_someone_else_does_not_make_you_a_member(
    client, leader, organization, other_leader
):
    invitation = MemberInvitation.objects.create(
        organization=organization, email="sam@acme.example", role="sales", invited_by=leader
    )
    client.force_login(other_leader)
    response = client.post(reverse("accept_invitation", args=[invitation.token]))
    assert "This invitation is for sam@acme.example" in response.text
    assert not organization.members.filter(pk=other_leader.pk).exists()


def test_invited_leader_signs_up_into_the_organization(client, leader, organization):
    invitation = MemberInvitation.objects.create(
        organization=organization, email="sam@acme.example", role="ceo", invited_by=leader
    )
    data = {**SIGNUP, "email": "sam@acme.example", "invitation": invitation.token}
    client.post(reverse("signup"), data)
    assert Organization.objects.count() == 1
    assert organization.memberships.get(user__email="sam@acme.example").role == "ceo"


def test_expired_or_used_invitation_is_refused_clearly(client, leader, organization):
    invitation = MemberInvitation.objects.create(
        organization=organization, email="sam@acme.example", role="ceo", invited_by=leader
    )
    MemberInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=15)
    )
    response = client.get(reverse("accept_invitation", args=[invitation.token]))
    assert response.status_code == 410
    assert "no longer valid" in response.text


def test_member_opens_a_round_and_invites_respondents_by_email(client, leader, organization):
    client.force_login(leader)
    response = client.post(reverse("assessments:round_new", args=[organization.pk]), {})
    round = Round.objects.get()
    assert response.url == round.get_absolute_url()
    for email, role in [("m@acme.example", "marketing"), ("s@acme.example", "sales")]:
        client.post(
            reverse("assessments:round_invite", args=[round.pk]),
            {"email": email, "role": role, "name": ""},
        )
    invited = Response.objects.filter(round=round)
    assert invited.count() == 2
    assert all(r.invited_at for r in invited)
    assert [m.to for m in mail.outbox] == [["m@acme.example"], ["s@acme.example"]]
    token = private_token(mail.outbox[0].body)
    assert Response.objects.by_token(token).get() == invited.get(email="m@acme.example")

    again = client.post(
        reverse("assessments:round_invite", args=[round.pk]),
        {"email": "M@acme.example", "role": "marketing"},
    )
    assert again.status_code == 400
    assert "already invited" in again.text
    assert Response.objects.filter(round=round).count() == 2


def test_shared_round_link_gives_each_visitor_a_personal_response(client, round):
    url = round.get_share_url()
    assert round.organization.name in client.get(url).text
    first = client.post(url, {"role": "sales"})
    second = client.post(url, {"role": "ceo"})
    tokens = {first.url.split("/")[2], second.url.split("/")[2]}
    assert len(tokens) == 2
    assert set(Response.objects.filter(round=round).values_list("role", flat=True)) == {
        "sales",
        "ceo",
    }


def test_shared_link_of_a_closed_round_writes_nothing(client, round):
    Round.objects.filter(pk=round.pk).update(closed_at=timezone.now())
    response = client.post(round.get_share_url(), {"role": "sales"})
    assert response.status_code == 410
    assert not Response.objects.exists()


def test_three_invited_leaders_answer_and_a_member_sees_the_round(
    client, leader, organization, settings
):
    """The issue's "done means", through the views and the e-mailed links."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    client.force_login(leader)
    client.post(reverse("assessments:round_new", args=[organization.pk]), {})
    round = Round.objects.get()
    picks = {"marketing": 3, "sales": 0, "ceo": 2}
    for role in picks:
        client.post(
            reverse("assessments:round_invite", args=[round.pk]),
            {"email": f"{role}@acme.example", "role": role},
        )
    client.logout()
    for message, index in zip(mail.outbox, picks.values(), strict=True):
        token = private_token(message.body)
        respondent = Response.objects.by_token(token).get()
        respondent.token = token
        answer_all(client, respondent, pick=lambda q, i=index: list(q.options.all())[i])
    client.force_login(leader)
    page = client.get(organization.get_absolute_url())
    round.refresh_from_db()
    assert round.respondents == 3
    labels = [t["name"] for t in page.context["position_chart"]["data"]]
    assert labels == ["Team", "Marketing side", "Sales side", "Leadership"]
    assert page.context["round_summary"].shows_gap
    assert "3 of 3 submitted (100% response rate)" in page.text
