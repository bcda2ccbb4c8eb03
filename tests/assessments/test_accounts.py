import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode

from assessments.models import MemberInvitation, Membership, Organization, Response, Round
from tests.helpers import answer_all, invitation_token, lowest, private_token, submit_response

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Leo",
    "last_name": "Ruiz",
    "email": "Leo@Acme.example",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
}


def link_in(message, fragment):
    """The path of the first link in MESSAGE's text that contains FRAGMENT."""
    url = next(word for word in message.body.split() if fragment in word)
    return url.split("testserver", 1)[-1]


def logged_in(client):
    return client.get(reverse("assessments:organizations")).status_code == 200


def test_signup_confirms_the_address_before_the_account_is_used(client, django_user_model):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = django_user_model.objects.get()
    assert user.email == "leo@acme.example"
    assert not logged_in(client)
    [message] = mail.outbox
    assert message.to == ["leo@acme.example"]
    confirm = link_in(message, "/accounts/confirm-email/")
    response = client.post(confirm)
    assert response.status_code == 302
    assert logged_in(client)
    assert EmailAddress.objects.get(user=user).verified


def test_signup_never_tells_whether_an_address_has_an_account(client, leader, django_user_model):
    new = client.post(reverse("account_signup"), SIGNUP)
    existing = Client().post(reverse("account_signup"), {**SIGNUP, "email": "ANA@acme.example"})
    assert (existing.status_code, existing.url) == (new.status_code, new.url)
    page = Client().get(existing.url)
    assert "already" not in page.text.lower()
    assert django_user_model.objects.filter(email__iexact="ana@acme.example").count() == 1
    # The owner of the address is told, by e-mail, that someone tried.
    assert [m.to for m in mail.outbox] == [["leo@acme.example"], ["ana@acme.example"]]


def test_login_with_email_in_any_case_and_logout(client, leader):
    response = client.post(
        reverse("account_login"), {"login": "ANA@acme.example", "password": "pw-for-tests"}
    )
    assert response.status_code == 302
    # Ana is a member of one organization: her work is its team page.
    assert response.url == leader.organizations.get().get_absolute_url()
    client.post(reverse("account_logout"))
    response = client.get(reverse("assessments:organizations"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_password_reset_sends_a_working_link(client, leader):
    client.post(reverse("account_reset_password"), {"email": "ana@acme.example"})
    [message] = mail.outbox
    form = client.get(link_in(message, "/accounts/password/reset/key/"), follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"password1": "another-long-passphrase", "password2": "another-long-passphrase"},
    )
    assert response.status_code == 302
    leader.refresh_from_db()
    assert leader.check_password("another-long-passphrase")


def test_password_reset_for_an_unknown_address_sends_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "who@nowhere.example"})
    assert response.status_code == 302  # the same answer as for a known address
    assert mail.outbox == []


def test_admin_login_goes_through_the_sites_login(client, make_consultant):
    make_consultant("cons@c.example")
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    client.post(reverse("account_login"), {"login": "cons@c.example", "password": "pw-for-tests"})
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.fixture
def result(client, new_response):
    answer_all(client, new_response, pick=lowest)
    return new_response


def test_result_page_offers_to_keep_the_result(client, result):
    page = client.get(reverse("assessments:result", args=[result.token]))
    keep = reverse("assessments:keep_result", args=[result.token])
    assert keep in page.text
    # Whoever keeps a result mostly has no account yet: sign-up comes first, log in is offered.
    response = client.get(keep)
    assert response.status_code == 302
    assert response.url == reverse("account_signup") + f"?next={keep}"
    signup = client.get(response.url)
    login = reverse("account_login") + "?" + urlencode({"next": keep})
    assert f'<a href="{escape(login)}">Log in</a> instead' in signup.text
    # Signed up and confirmed in this browser: straight back to keeping the result.
    client.post(response.url, SIGNUP)
    confirmed = client.post(link_in(mail.outbox[-1], "/accounts/confirm-email/"))
    assert confirmed.url == keep
    assert client.get(keep).status_code == 200


def test_keeping_a_result_in_a_new_organization(client, result, leader):
    client.force_login(leader)
    keep = reverse("assessments:keep_result", args=[result.token])
    form = client.get(keep)
    assert form.context["form"].initial["name"] == "Acme"
    response = client.post(keep, {"organization": "new", "name": "Acme Ltd", "role": "sales"})
    round = Round.objects.get()
    assert response.url == round.get_absolute_url()
    assert round.organization.name == "Acme Ltd"
    assert round.organization.memberships.get(user=leader).role == "sales"
    assert round.organization.created_by == leader  # one contributor to the benchmark
    result.refresh_from_db()
    assert result.round == round and not round.is_open
    assert round.respondents == 1 and round.position == result.position
    page = client.get(response.url)
    assert "is now a round of Acme Ltd" in page.text


def test_a_new_organization_records_who_created_it(client, leader):
    client.force_login(leader)
    data = {"name": "Second Co", "industry": "", "size": "", "cadence": "quarterly", "role": "ceo"}
    assert client.post(reverse("assessments:organization_new"), data).status_code == 302
    created = Organization.objects.get(name="Second Co")
    assert created.created_by == leader and created.memberships.get().user == leader


def test_keeping_a_result_in_one_of_my_organizations(client, result, leader, organization):
    client.force_login(leader)
    keep = reverse("assessments:keep_result", args=[result.token])
    client.post(keep, {"organization": str(organization.pk)})
    assert Round.objects.get().organization == organization
    assert Organization.objects.count() == 1
    # Kept once: the link no longer offers it, a second try is a 404.
    assert client.post(keep, {"organization": str(organization.pk)}).status_code == 404
    assert Round.objects.count() == 1


def test_only_my_organizations_can_receive_a_result(client, result, leader, other_leader):
    client.force_login(leader)
    foreign = other_leader.organizations.get()
    keep = reverse("assessments:keep_result", args=[result.token])
    response = client.post(keep, {"organization": str(foreign.pk)})
    assert response.status_code == 200
    assert not Round.objects.exists()


def test_an_unsubmitted_or_filed_response_cannot_be_kept(client, leader, new_response, round):
    client.force_login(leader)
    keep = reverse("assessments:keep_result", args=[new_response.token])
    assert client.get(keep).status_code == 404
    filed = submit_response(round, "sales")
    assert client.get(reverse("assessments:keep_result", args=[filed.token])).status_code == 404


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


@pytest.fixture
def invitation(leader, organization):
    return MemberInvitation.objects.create(
        organization=organization, email="sam@acme.example", role="ceo", invited_by=leader
    )


def test_invited_leader_signs_up_with_the_invited_address_and_joins(
    client, organization, invitation
):
    url = reverse("accept_invitation", args=[invitation.token])
    page = client.get(url)
    signup = page.context["signup_url"]
    assert "email=sam%40acme.example" in signup
    response = client.post(signup, {**SIGNUP, "email": "sam@acme.example"})
    # The invitation link went to that mailbox: no second confirmation is needed.
    assert response.status_code == 302 and response.url == url
    assert mail.outbox == []
    client.post(url)
    assert organization.memberships.get(user__email="sam@acme.example").role == "ceo"


def test_signing_up_from_an_invitation_with_another_address_does_not_join(
    client, organization, invitation, django_user_model
):
    url = reverse("accept_invitation", args=[invitation.token])
    client.get(url)
    client.post(reverse("account_signup") + f"?next={url}", {**SIGNUP, "email": "eve@evil.example"})
    # That address must be confirmed first, and even then the invitation is not for it.
    assert not logged_in(client)
    eve = django_user_model.objects.get(email="eve@evil.example")
    EmailAddress.objects.filter(user=eve).update(verified=True)
    client.force_login(eve)
    page = client.post(url)
    assert "This invitation is for sam@acme.example" in page.text
    assert not organization.members.filter(pk=eve.pk).exists()


def test_an_unconfirmed_copy_of_the_invited_address_does_not_join(
    client, organization, invitation, other_leader
):
    EmailAddress.objects.create(user=other_leader, email="sam@acme.example", verified=False)
    client.force_login(other_leader)
    client.post(reverse("accept_invitation", args=[invitation.token]))
    assert not organization.members.filter(pk=other_leader.pk).exists()


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
    response = client.post(
        reverse("assessments:round_new", args=[organization.pk]), {"visibility": "confidential"}
    )
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
    client.post(
        reverse("assessments:round_new", args=[organization.pk]), {"visibility": "confidential"}
    )
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
    assert "3 of 3 submitted (100% response rate)" in page.text
    # A confidential round shows its figures once it is closed, on its own page.
    assert "position_chart" not in client.get(round.get_absolute_url()).context
    client.post(reverse("assessments:round_close", args=[round.pk]))
    assert client.get(organization.get_absolute_url()).context["latest"] == round
    page = client.get(round.get_absolute_url())
    labels = [t["name"] for t in page.context["position_chart"]["data"]]
    assert labels == ["Team", "Marketing side", "Sales side", "Leadership"]
    assert page.context["round_summary"].shows_gap


def field_block(page, name):
    """The HTML of one crispy field: its label, input, errors and help."""
    start = page.index(f'id="div_id_{name}"')
    following = page.find('id="div_id_', start + 1)
    return page[start : following if following != -1 else None]


@pytest.mark.django_db
def test_a_password_error_shows_under_the_field_it_concerns(client):
    weak = client.post(
        "/accounts/signup/",
        {"email": "x@acme.example", "password1": "123", "password2": "123"},
    ).text
    assert "too short" in field_block(weak, "password1")
    assert "too short" not in field_block(weak, "password2")
    different = client.post(
        "/accounts/signup/",
        {"email": "x@acme.example", "password1": "a-long-pass-123", "password2": "another-one-9"},
    ).text
    assert "same password" in field_block(different, "password2")
    assert "same password" not in field_block(different, "password1")


def test_sign_up_asks_for_a_name_and_invitations_carry_it(client, django_user_model):
    nameless = client.post(reverse("account_signup"), {**SIGNUP, "first_name": " "})
    assert nameless.status_code == 200 and "This field is required." in nameless.text
    too_long = client.post(reverse("account_signup"), {**SIGNUP, "first_name": "A" * 151})
    assert "at most 150 characters" in too_long.text
    assert not django_user_model.objects.exists()
    client.post(reverse("account_signup"), SIGNUP)
    user = django_user_model.objects.get()
    assert (user.first_name, user.last_name, user.get_full_name()) == ("Leo", "Ruiz", "Leo Ruiz")
    client.post(link_in(mail.outbox[-1], "/accounts/confirm-email/"))
    organization = Organization.objects.create(name="Acme")
    Membership.objects.create(organization=organization, user=user, role="marketing")
    client.post(
        reverse("assessments:members", args=[organization.pk]),
        {"email": "sam@acme.example", "role": "sales", "language": "en"},
    )
    invitation = mail.outbox[-1]
    assert "Leo Ruiz invites you to join “Acme”" in invitation.body
    page = Client().get(reverse("accept_invitation", args=[invitation_token(invitation.body)]))
    assert "Leo Ruiz invited sam@acme.example to become a member." in page.text


def test_an_inviter_without_a_name_is_named_by_address(client, leader, organization):
    client.force_login(leader)
    client.post(
        reverse("assessments:members", args=[organization.pk]),
        {"email": "sam@acme.example", "role": "sales", "language": "en"},
    )
    assert "ana@acme.example invites you to join" in mail.outbox[-1].body


@pytest.fixture
def logging_in(client):
    def log_in(user, next=None):
        url = reverse("account_login") + (f"?next={next}" if next else "")
        response = client.post(url, {"login": user.email, "password": "pw-for-tests"})
        assert response.status_code == 302
        return response.url

    return log_in


def test_a_consultant_lands_on_the_dashboard(logging_in, make_consultant, organization):
    consultant = make_consultant("cons@c.example", organization)
    assert logging_in(consultant) == reverse("admin:dashboard")


def test_a_member_of_one_organization_lands_on_its_team_page(client, logging_in, leader):
    team = leader.organizations.get().get_absolute_url()
    assert logging_in(leader) == team
    # The home page sends there too, for whoever is logged in.
    assert client.get(reverse("home")).url == team
    assert f'href="{reverse("home")}">Go to your work' in client.get("/").text


def test_a_member_of_several_organizations_lands_on_the_list(logging_in, leader, make_leader):
    make_leader("olga@acme.example", organization=Organization.objects.create(name="Beta"))
    Membership.objects.create(
        organization=Organization.objects.get(name="Beta"), user=leader, role="ceo"
    )
    assert logging_in(leader) == reverse("assessments:organizations")


def test_a_newcomer_lands_on_what_to_do_first(client, logging_in, django_user_model):
    newcomer = django_user_model.objects.create_user("new", "new@acme.example", "pw-for-tests")
    EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=True, primary=True)
    landing = logging_in(newcomer)
    assert landing == reverse("assessments:organizations")
    page = client.get(landing).text
    assert "What to do first" in page and "Add your organization" in page
    assert "Open the dashboard" not in page


def test_a_staff_member_without_the_dashboard_permission_is_a_member_like_others(
    logging_in, leader
):
    leader.is_staff = True
    leader.save()
    assert logging_in(leader) == leader.organizations.get().get_absolute_url()


@pytest.mark.parametrize(
    ("next", "safe"),
    [("/continuum/", True), ("https://evil.example/", False), ("//evil.example/", False)],
)
def test_a_safe_next_wins_over_the_landing(logging_in, leader, next, safe):
    team = leader.organizations.get().get_absolute_url()
    assert logging_in(leader, next=next) == (next if safe else team)


def test_the_header_offers_sign_up_to_visitors_and_the_dashboard_to_consultants(
    client, make_consultant
):
    visitor = client.get("/").text
    assert f'<a class="nav-link" href="{reverse("account_signup")}">Sign up</a>' in visitor
    assert f'href="{reverse("account_signup")}">sign up</a>' in visitor  # the home page's own
    client.force_login(make_consultant("cons@c.example"))
    consultant = client.get("/").text
    assert f'href="{reverse("admin:dashboard")}">Dashboard</a>' in consultant
    assert ">Sign up<" not in consultant


def test_the_verify_page_sends_the_e_mail_again_within_the_limits(client, django_user_model):
    with time_machine.travel("2026-12-01 09:00", tick=False):
        client.post(reverse("account_signup"), SIGNUP)
        page = client.get(reverse("account_email_verification_sent"))
        assert reverse("resend_confirmation") in page.text
        assert len(mail.outbox) == 1
        # At once: the first is barely out, nothing more goes and the page says why.
        refused = client.post(reverse("resend_confirmation"), follow=True)
        assert "An e-mail went to this address a short while ago" in refused.text
        assert len(mail.outbox) == 1
    with time_machine.travel("2026-12-01 09:04", tick=False):
        resent = client.post(reverse("resend_confirmation"), follow=True)
        assert "A confirmation e-mail went to leo@acme.example." in resent.text
        assert [m.to for m in mail.outbox] == [["leo@acme.example"]] * 2
        # The new link works like the first.
        client.post(link_in(mail.outbox[-1], "/accounts/confirm-email/"))
        assert logged_in(client)


def test_resending_for_a_taken_address_looks_the_same_and_tells_its_owner(client, leader):
    with time_machine.travel("2026-12-01 09:00", tick=False):
        client.post(reverse("account_signup"), {**SIGNUP, "email": "ana@acme.example"})
    with time_machine.travel("2026-12-01 09:04", tick=False):
        resent = client.post(reverse("resend_confirmation"), follow=True)
    assert "A confirmation e-mail went to ana@acme.example." in resent.text
    assert [m.subject for m in mail.outbox] == ["Smarketing: You already have an account"] * 2


def test_nothing_to_resend_without_a_sign_up_waiting(client):
    response = client.post(reverse("resend_confirmation"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_login")
    assert "if your e-mail address still needs confirming, a new link goes to it" in response.text
    assert mail.outbox == []


def test_argon2_hashes_new_passwords_and_upgrades_old_ones_at_login(client, settings, leader):
    from smarketing import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    leader.password = make_password("pw-for-tests", hasher="pbkdf2_sha256")
    leader.save()
    client.post(reverse("account_login"), {"login": "ana@acme.example", "password": "pw-for-tests"})
    leader.refresh_from_db()
    assert leader.password.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
    assert leader.check_password("pw-for-tests")


@pytest.mark.parametrize("remember", [True, False])
def test_remember_me_keeps_the_session_as_long_as_the_login_page_says(
    client, leader, settings, remember
):
    settings.SESSION_COOKIE_AGE = 21 * 24 * 60 * 60
    page = client.get(reverse("account_login"))
    assert "Stay logged in on this device for 21 days." in page.text
    data = {"login": "ana@acme.example", "password": "pw-for-tests"}
    client.post(reverse("account_login"), {**data, **({"remember": "on"} if remember else {})})
    # Unticked, the session ends with the browser.
    assert client.session.get_expire_at_browser_close() is not remember
    if remember:
        assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_the_apps_own_e_mails_name_the_site_from_the_setting(client, leader, settings):
    settings.SITE_NAME = "Acme Align"
    client.force_login(leader)
    organization = leader.organizations.get()
    client.post(
        reverse("assessments:members", args=[organization.pk]),
        {"email": "sam@acme.example", "role": "sales", "language": "en"},
    )
    [message] = mail.outbox
    assert message.subject == "An invitation to join your leadership team on Acme Align"
    assert f"join “{organization.name}” on Acme Align, where" in message.body
    assert message.body.rstrip().endswith("Acme Align")
    assert "Smarketing" not in message.body + message.alternatives[0][0]


class RefusingMailServer(BaseEmailBackend):
    """A mail server that is away: every connection is refused."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("account_signup", SIGNUP),
        ("account_reset_password", {"email": "ana@acme.example"}),
    ],
)
def test_an_account_email_the_mail_server_refuses_is_said_not_a_500(
    client, leader, settings, django_user_model, url, data
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    users = django_user_model.objects.count()
    response = client.post(reverse(url), data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert escape("The e-mail could not be sent just now") in page
    # A sign-up is kept: the confirmation can be asked for again once the server is back.
    assert django_user_model.objects.count() == users + (url == "account_signup")
