"""axe-core (WCAG 2.1 A and AA) on every page, in English and in Spanish: zero violations."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import tasks
from assessments.models import (
    Answer,
    MemberInvitation,
    Membership,
    Organization,
    PlanItem,
    PortfolioExport,
    Response,
    Round,
)
from assessments.tokens import unsubscribe_token
from stages.models import NextStep, Stage
from tests.e2e.helpers import charts_drawn
from tests.helpers import (
    add_evidence,
    among_peers,
    busy_round,
    by_question,
    highest,
    lowest,
    submit_response,
    waiting_for_columns,
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Only what fails comes back: the nodes that pass are many, and of no use here.
    "resultTypes": ["violations"],
}


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    host = urlparse(live_server.url).hostname
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "domain": host, "path": "/"}])


def violations(page, url):
    page.goto(url)  # until the load event: styles and scripts are in
    # The charts draw as they scroll into view: all of them are checked, drawn.
    if page.locator("[data-chart]").count():
        charts_drawn(page)
    results = run_axe(page)
    return [(url, v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]


def with_axe(context):
    """CONTEXT, with axe-core in every page it opens (rather than sent again to each one)."""
    context.add_init_script(script=Axe().axe_script)
    return context


def run_axe(page):
    return page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)


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
    tasks.submit_response(response)
    return reverse("assessments:result", args=[response.token])


def workshop_pages(round, user):
    """The pages of ROUND's alignment workshop, opened, with one decision and one added topic."""
    from django.utils import timezone

    from assessments.models import WorkshopAnswer, WorkshopItem
    from assessments.workshops import item_questions, open_workshop, reschedule

    workshop, _ = open_workshop(round, user)
    item = workshop.items.first()
    WorkshopAnswer.objects.bulk_create(
        WorkshopAnswer(item=item, question=question, option=highest(question))
        for question in item_questions(round, item)
    )
    WorkshopItem.objects.filter(pk=item.pk).update(
        decided_at=timezone.now(), note="Agreed after a long talk"
    )
    WorkshopItem.objects.create(
        workshop=workshop, title="Joint events budget", position=99, minutes=5
    )
    # A short meeting, so that the agenda also lists what waits for next time.
    type(workshop).objects.filter(pk=workshop.pk).update(time_box=45)
    workshop.refresh_from_db()
    reschedule(workshop)
    workshop.refresh_result()
    names = ["workshop", "workshop_present", "workshop_follow", "workshop_summary"]
    return [
        reverse(f"assessments:{name}", args=[round.pk]) for name in [*names, "workshop_finish"]
    ] + [reverse("assessments:workshop_item", args=[round.pk, item.pk])]


@pytest.fixture
def world(questionnaire, leader, make_leader, make_consultant, settings):
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
    item = PlanItem.objects.create(round=earlier, step=NextStep.objects.first(), owner="sales")
    # A leadership team without an open round: the round form, with what each choice shows.
    team = Organization.objects.create(name="Beta Leaders")
    Membership.objects.create(organization=team, user=leader, role="marketing")
    make_leader("sergio@beta.example", organization=team, role="sales")
    make_leader("carmen@beta.example", organization=team, role="ceo")
    admin_pages = [reverse("admin:index")]
    for obj in [organization, earlier, submitted, item]:
        meta = obj._meta
        admin_pages += [
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]),
        ]
    # CRM evidence read for the earlier round; one of this round's waits for its columns.
    add_evidence(earlier, leader)
    columns_page = waiting_for_columns(round, leader)
    # Peers for the benchmark pages, with the organization among them.
    among_peers(organization)
    assert organization.benchmark.gap_group is not None  # every section of the page shows
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
            reverse("assessments:benchmark", args=[organization.pk]),
            reverse("assessments:benchmark_settings", args=[organization.pk]),
            reverse("assessments:organization_delete", args=[organization.pk]),
            reverse("assessments:round_new", args=[organization.pk]),
            reverse("assessments:round_new", args=[team.pk]),
            # A member with an open round: its "Answer now" first, then answering alone.
            reverse("assessments:start"),
            reverse("assessments:start") + "?alone=1",
            reverse("assessments:round_close", args=[round.pk]),
            round.get_absolute_url(),
            earlier.get_absolute_url(),
            reverse("account_change_password"),
            reverse("profile"),
            reverse("delete_account"),
            reverse("account_email"),
            reverse("mfa_index"),
            reverse("assessments:keep_result", args=[kept.token]),
            earlier.get_absolute_url(),
            reverse("assessments:evidence_upload", args=[earlier.pk]),
            columns_page,
            # Not published yet: the workshop page says when it opens.
            reverse("assessments:workshop", args=[round.pk]),
            *workshop_pages(earlier, leader),
        ],
        "consultant": [
            reverse("admin:dashboard"),
            reverse("admin:dashboard_client", args=[organization.pk]),
            reverse("admin:dashboard_report", args=[organization.pk]),
            *admin_pages,
            reverse("admin:dashboard_benchmark"),
            reverse("admin:dashboard_prepared_export", args=[pending.pk]),
            reverse("admin:dashboard_prepared_export", args=[ready.pk]),
        ],
    }


# One test per persona and language, so the parallel workers share the pages out.
@pytest.mark.parametrize("persona", ["public", "member", "consultant"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_has_no_accessibility_violation(browser, live_server, world, language, persona):
    context = with_axe(browser.new_context(base_url=live_server.url))
    host = urlparse(live_server.url).hostname
    context.add_cookies(
        [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
    )
    if persona != "public":
        log_in(context, live_server, world["users"][persona])
    page = context.new_page()
    found = []
    for url in world[persona]:
        found += violations(page, url)
    context.close()
    assert not found, "\n".join(f"{url} {rule} {targets}" for url, rule, targets in found)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_error_pages_have_no_accessibility_violation(browser, live_server, language):
    from django.test import RequestFactory
    from django.utils import translation

    from assessments.throttle import link_busy, too_many
    from smarketing import views

    request = RequestFactory().get("/")
    request.user = None
    in_nine_minutes = timezone.now() + timedelta(minutes=9)
    with translation.override(language):
        pages = {
            "500": views.server_error(request).content,
            "403 (CSRF)": views.csrf_failure(request).content,
            "429": too_many(request).content,
            "429 (shared link busy)": link_busy(request, busy_round(), in_nine_minutes).content,
        }
    context = with_axe(browser.new_context(base_url=live_server.url))
    page = context.new_page()
    found = []
    for name, html in pages.items():
        page.goto("/")  # the site's origin, so the pages' /static/ links load
        page.set_content(html.decode())  # until the load event
        found += [(name, v["id"]) for v in run_axe(page)["violations"]]
    context.close()
    assert not found, found


def test_the_check_finds_a_violation(browser, live_server):
    """axe-core is in the pages and reports: an image without a text and an unlabelled field."""
    context = with_axe(browser.new_context(base_url=live_server.url))
    page = context.new_page()
    page.goto("/")
    page.set_content(
        '<html lang="en"><title>t</title><main><img src="/static/x.png">'
        '<input type="text"></main></html>'
    )
    found = {v["id"] for v in run_axe(page)["violations"]}
    context.close()
    assert {"image-alt", "label"} <= found, found
