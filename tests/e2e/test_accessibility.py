"""axe-core (WCAG 2.1 A and AA) on every page, in English and in Spanish: zero violations."""

from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, MemberInvitation, PortfolioExport, Response, Round
from assessments.tokens import unsubscribe_token
from stages.models import Stage
from tests.helpers import by_question, highest, lowest, submit_response

pytestmark = pytest.mark.django_db(transaction=True)

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    host = urlparse(live_server.url).hostname
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "domain": host, "path": "/"}])


def violations(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        (url, v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]


def standalone_result(questionnaire, pick):
    """A submitted response outside any round; return its result page."""
    response = Response.objects.create(
        questionnaire=questionnaire, organization_name="Acme", role="ceo"
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=question, option=pick(question))
        for section in questionnaire.pages()
        for question in section.questions.all()
    )
    response.submit()
    return reverse("assessments:result", args=[response.token])


@pytest.fixture
def world(questionnaire, leader, make_consultant, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    organization = leader.organizations.get()
    earlier = Round.objects.create(
        organization=organization, questionnaire=questionnaire, opened_on="2026-01-05"
    )
    for role, pick in [("marketing", highest), ("sales", lowest)]:
        submit_response(earlier, role, pick)
    Round.objects.filter(pk=earlier.pk).update(closed_at="2026-01-20T10:00Z")
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    submitted = submit_response(round, "marketing", highest, email="m@acme.example", name="Marta")
    submit_response(round, "sales", lowest)
    submit_response(round, "ceo", highest)
    open_response = Response.objects.create(
        round=round, questionnaire=questionnaire, organization_name="Acme", role="sales"
    )
    invitation = MemberInvitation.objects.create(
        organization=organization, email="new@acme.example", role="ceo", invited_by=leader
    )
    consultant = make_consultant("c@consult.example", organization)
    kept = submit_response(None, "ceo", highest, questionnaire=questionnaire)
    pending, ready = (
        PortfolioExport.objects.create(
            requested_by=consultant, format="csv", status=status, rows=1, content=b"x"
        )
        for status in ["pending", "ready"]
    )
    return {
        "users": {"member": leader, "consultant": consultant},
        "public": [
            "/",
            "/continuum/",
            *[stage.get_absolute_url() for stage in Stage.objects.all()],
            reverse("assessments:start"),
            *[
                reverse("assessments:page", args=[open_response.token, number])
                for number in range(1, 5)
            ],
            reverse("assessments:result", args=[submitted.token]),
            # A lower bound (stage 2 unknown), and too few answers to place anyone.
            standalone_result(questionnaire, by_question({2: None, 3: 3, 4: 3})),
            standalone_result(questionnaire, lambda question: None),
            round.get_share_url(),
            reverse("assessments:unsubscribe", args=[unsubscribe_token("r", open_response.pk)]),
            reverse("account_login"),
            reverse("account_signup"),
            reverse("account_reset_password"),
            reverse("account_reset_password_done"),
            reverse("account_email_verification_sent"),
            reverse("accept_invitation", args=[invitation.token]),
            "/no-such-page/",
        ],
        "member": [
            reverse("assessments:organizations"),
            reverse("assessments:organization_new"),
            organization.get_absolute_url(),
            reverse("assessments:members", args=[organization.pk]),
            reverse("assessments:organization_settings", args=[organization.pk]),
            reverse("assessments:organization_delete", args=[organization.pk]),
            reverse("assessments:round_new", args=[organization.pk]),
            reverse("assessments:round_close", args=[round.pk]),
            round.get_absolute_url(),
            earlier.get_absolute_url(),
            reverse("account_change_password"),
            reverse("profile"),
            reverse("delete_account"),
            reverse("account_email"),
            reverse("mfa_index"),
            reverse("assessments:keep_result", args=[kept.token]),
        ],
        "consultant": [
            reverse("admin:dashboard"),
            reverse("admin:dashboard_client", args=[organization.pk]),
            reverse("admin:dashboard_report", args=[organization.pk]),
            reverse("admin:dashboard_prepared_export", args=[pending.pk]),
            reverse("admin:dashboard_prepared_export", args=[ready.pk]),
        ],
    }


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_has_no_accessibility_violation(browser, live_server, world, language):
    found = []
    for persona in ["public", "member", "consultant"]:
        context = browser.new_context(base_url=live_server.url)
        host = urlparse(live_server.url).hostname
        context.add_cookies(
            [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
        )
        if persona != "public":
            log_in(context, live_server, world["users"][persona])
        page = context.new_page()
        for url in world[persona]:
            found += violations(page, url)
        context.close()
    assert not found, "\n".join(f"{url} {rule} {targets}" for url, rule, targets in found)
