"""Every page, the admin pages consultants use and the static error pages pass an HTML checker.

html-validate (pinned in tests/node/package.json) with its standard preset and
the heading-level rule: valid markup, no skipped heading level. The site's own
pages also pass its a11y preset; the admin's pages are Django's markup around
ours, held to the standard preset (axe checks them in the browser tests).
"""

import json
import shutil
import subprocess
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import (
    Evidence,
    MemberInvitation,
    Membership,
    Organization,
    PlanItem,
    Response,
    Round,
)
from assessments.throttle import link_busy, too_many
from smarketing import views as site_views
from stages.models import NextStep, Stage
from tests.helpers import (
    add_evidence,
    among_peers,
    busy_round,
    by_question,
    close,
    highest,
    lowest,
    submit_response,
    waiting_for_columns,
)

NODE = Path(__file__).resolve().parent / "node"
CHECKER = NODE / "node_modules/.bin/html-validate"
CONFIGS = {"site": NODE / "htmlvalidate.json", "admin": NODE / "htmlvalidate-admin.json"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(questionnaire, leader, make_leader, make_consultant, settings):
    """URLs by persona: the public, a member, a consultant in the admin."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    organization = leader.organizations.get()
    earlier = Round.objects.create(
        organization=organization, questionnaire=questionnaire, opened_on="2026-01-05"
    )
    for role, pick in [("marketing", highest), ("sales", lowest), ("ceo", highest)]:
        submit_response(earlier, role, pick)
    close(earlier)
    plan_item = PlanItem.objects.create(round=earlier, step=NextStep.objects.first(), owner="sales")
    # An open round (each person's answers shown) and a workshop on the earlier round.
    open_round = Round.objects.create(
        organization=organization,
        questionnaire=questionnaire,
        opened_on="2025-06-02",
        visibility=Round.Visibility.OPEN,
    )
    submit_response(open_round, "marketing", highest, name="Marta")
    submit_response(open_round, "sales", lowest, name="Saul")
    close(open_round)
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    submitted = submit_response(round, "marketing", highest, email="m@acme.example")
    waiting = Response.objects.create(
        round=round, questionnaire=questionnaire, organization_name="Acme", role="sales"
    )
    invitation = MemberInvitation.objects.create(
        organization=organization, email="new@acme.example", role="ceo", invited_by=leader
    )
    consultant = make_consultant("c@consult.example", organization)
    opener = Client()
    opener.force_login(leader)
    opener.post(reverse("assessments:workshop_open", args=[earlier.pk]))
    item = earlier.workshop.items.first()
    opener.post(reverse("assessments:workshop_time_box", args=[earlier.pk]), {"time_box": 30})
    workshop_pages = [
        reverse(f"assessments:{name}", args=[earlier.pk])
        for name in [
            "workshop",
            "workshop_present",
            "workshop_follow",
            "workshop_summary",
            "workshop_finish",
        ]
    ] + [reverse("assessments:workshop_item", args=[earlier.pk, item.pk])]
    # CRM evidence: read for the earlier round, one waiting for its columns, one being read.
    add_evidence(earlier, leader)
    columns_page = waiting_for_columns(round, leader)
    Evidence.objects.create(
        round=open_round, kind="leads", status="parsing", filename="big.csv", file_format="csv"
    )
    # Peers, so that the benchmark pages show every section.
    among_peers(organization)
    lower_bound = submit_response(
        None, "ceo", by_question({2: 3, 3: None, 4: 3}), questionnaire=questionnaire
    )
    # What makes stage 2 missing (held back), and a CRO over weak foundations (quoted).
    held_back = submit_response(
        None,
        "ceo",
        by_question({2: 3, 3: 1, 4: 0, "strategic.lead-definition": 0}),
        questionnaire=questionnaire,
    )
    org_chart = submit_response(
        None, "ceo", by_question({2: 1, 3: 1, 4: 4}), questionnaire=questionnaire
    )
    assert (held_back.flags, org_chart.flags) == (["held-back"], ["foundation-gap"])
    # A leadership team without an open round: the round form, with what each choice shows.
    team = Organization.objects.create(name="Beta Leaders")
    Membership.objects.create(organization=team, user=leader, role="marketing")
    make_leader("sergio@beta.example", organization=team, role="sales")
    make_leader("carmen@beta.example", organization=team, role="ceo")
    admin_pages = [reverse("admin:index")]
    for obj in [organization, earlier, submitted, plan_item]:
        meta = obj._meta
        admin_pages += [
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]),
        ]
    return {
        None: [
            "/",
            "/continuum/",
            *[stage.get_absolute_url() for stage in Stage.objects.all()],
            reverse("assessments:start"),
            *[
                reverse("assessments:page", args=[waiting.token, number])
                for number in range(1, len(questionnaire.pages()) + 1)
            ],
            reverse("assessments:result", args=[submitted.token]),
            reverse("assessments:result", args=[lower_bound.token]),
            reverse("assessments:result", args=[held_back.token]),
            reverse("assessments:result", args=[org_chart.token]),
            round.get_share_url(),
            reverse("account_login"),
            reverse("account_signup"),
            reverse("account_reset_password"),
            reverse("account_reset_password_done"),
            reverse("account_email_verification_sent"),
            reverse("account_confirm_email", args=["no-such-key"]),
            reverse("accept_invitation", args=[invitation.token]),
            "/no-such-page/",
        ],
        leader: [
            reverse("assessments:organizations"),
            organization.get_absolute_url(),
            reverse("assessments:members", args=[organization.pk]),
            reverse("assessments:organization_settings", args=[organization.pk]),
            reverse("assessments:round_new", args=[organization.pk]),
            reverse("assessments:round_new", args=[team.pk]),
            # A member with an open round: its "Answer now" first, then answering alone.
            reverse("assessments:start"),
            reverse("assessments:start") + "?alone=1",
            reverse("assessments:round_close", args=[round.pk]),
            round.get_absolute_url(),
            earlier.get_absolute_url(),
            open_round.get_absolute_url(),
            reverse("assessments:evidence_upload", args=[earlier.pk]),
            columns_page,
            *workshop_pages,
            reverse("assessments:benchmark", args=[organization.pk]),
            reverse("assessments:benchmark_settings", args=[organization.pk]),
            reverse("profile"),
            reverse("account_email"),
            reverse("account_change_password"),
            reverse("mfa_index"),
        ],
        consultant: [
            reverse("admin:dashboard"),
            reverse("admin:dashboard_client", args=[organization.pk]),
            reverse("admin:dashboard_report", args=[organization.pk]),
            reverse("admin:dashboard_benchmark"),
            *admin_pages,
            # A lookup the list does not declare: the 400 page that says so.
            reverse("admin:assessments_organization_changelist") + "?name__regex=x",
        ],
    }


def error_pages():
    """The pages Django shows when something goes wrong, rendered as a visitor gets them."""
    request = RequestFactory().get("/")
    request.user = None
    return {
        "500": site_views.server_error(request),
        "403-csrf": site_views.csrf_failure(request),
        "429": too_many(request),
        "429-link-busy": link_busy(request, busy_round(), timezone.now() + timedelta(minutes=9)),
    }


def rendered(pages, language="en"):
    """(where, HTML) of every page of PAGES and every error page, in LANGUAGE."""
    files = []
    for user, urls in pages.items():
        client = Client()
        client.cookies["django_language"] = language
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 400, 404), url
            files.append((url, response.content))
    with translation.override(language):
        for name, response in error_pages().items():
            files.append((f"error page {name}", response.content))
    return files


def test_every_page_passes_the_html_checker(pages, tmp_path):
    if not CHECKER.exists():
        pytest.skip("html-validate is not installed (make tools)")
    files = rendered(pages)
    names = {"site": {}, "admin": {}}
    for number, (url, content) in enumerate(files):
        path = tmp_path / f"page-{number}.html"
        path.write_bytes(content)
        names["admin" if url.startswith("/admin/") else "site"][str(path)] = url
    errors = []
    for kind, checked in names.items():
        # The report goes to a file: a piped stdout is cut short when the checker exits.
        report_file = tmp_path / f"report-{kind}.json"
        result = subprocess.run(
            [shutil.which("node"), str(CHECKER), "-c", str(CONFIGS[kind])]
            + ["-f", f"json={report_file}", *checked],
            capture_output=True,
            text=True,
        )
        errors += [
            f"{checked[report['filePath']]}:{message['line']}: {message['ruleId']}: "
            f"{message['message']}"
            for report in json.loads(report_file.read_text())
            for message in report["messages"]
        ]
        assert errors or result.returncode == 0, result.stderr
    assert not errors, "\n".join(errors)
    # Every page was checked: the site's and the admin's, none lost on the way.
    assert len(names["site"]) + len(names["admin"]) == len(files)
    assert len(names["site"]) > 20 and len(names["admin"]) > 8


class VisibleText(HTMLParser):
    """What a reader sees or hears: text outside scripts and styles, labelling attributes."""

    HIDDEN = {"script", "style", "template"}
    READ = {"alt", "title", "aria-label", "placeholder", "value", "content"}

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in self.READ and value]

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


TEMPLATE_SYNTAX = ("{#", "#}", "{%", "%}", "{{", "}}")


def template_text(html):
    """The pieces of template syntax a reader would see on the page."""
    parser = VisibleText()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    text = " ".join(parser.parts)
    return [marker for marker in TEMPLATE_SYNTAX if marker in text]


def test_a_multi_line_template_comment_is_caught():
    """Django prints a {# #} comment that spans lines: the check below would notice."""
    from django.template import Context, Template

    html = Template("<p>{# one line #}Hello</p>\n{# two\nlines #}").render(Context())
    assert template_text(html) == ["{#", "#}"]
    assert template_text("<script>const x = '{{';</script><p>Hello</p>") == []
    assert template_text('<img alt="{{ name }}" src="x.png">') == ["{{", "}}"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_template_text_reaches_a_reader(pages, language):
    # Finding: every result page opened with "{# A submitted result never changes: … #}".
    leaks = {
        where: found for where, html in rendered(pages, language) if (found := template_text(html))
    }
    assert not leaks, leaks
