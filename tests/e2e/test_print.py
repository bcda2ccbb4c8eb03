"""Paper: the documents people print fit A4 and carry every chart, however the print starts.

On the demo data (the rounds a team builds in a year, a team round of seven, a finished
workshop): a result prints on at most 2 A4 pages, a client report on at most 4, a workshop
summary on 1, in English and Spanish, with no chart box left empty. The browser's own Print
(no page button) draws the charts that had not scrolled into view; printed before the
chart library arrived, a chart leaves no empty box.
"""

import io
import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assessments.management.commands.load_demo import CONSULTANT_EMAIL, WORKSHOP_IN_PROGRESS
from assessments.models import Organization, Round, Workshop
from tests.e2e.conftest import ARTIFACTS
from tests.helpers import by_question, submit_response

pytestmark = pytest.mark.django_db(transaction=True)

# An A4 page's width inside the print stylesheet's 12 mm margins, in CSS pixels: the print
# layout the browser makes for paper, so the checks below see what the PDF holds.
PAPER_WIDTH = 703
MOST_PAGES = {"result": 2, "report": 4, "summary": 1}

# Each chart box of the page, in the layout in force: drawn (plotly's svg inside), shown,
# and no wider than its box.
CHART_BOXES = """() => Array.from(document.querySelectorAll("[data-chart]")).map((box) => {
  const svg = box.querySelector(".main-svg");
  return {
    chart: box.dataset.chart,
    drawn: svg !== null,
    height: box.getBoundingClientRect().height,
    fits: svg === null || svg.getBoundingClientRect().width <= box.clientWidth + 1,
  };
})"""
ALL_DRAWN = """() => Array.from(document.querySelectorAll("[data-chart]"))
  .every((box) => box.querySelector(".main-svg") !== null)"""


def pages_in(pdf):
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def context_for(browser, live_server, language, user=None, width=1280):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    host = urlparse(live_server.url).hostname
    cookies = [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        cookies.append({"name": "sessionid", "value": session, "domain": host, "path": "/"})
    context.add_cookies(cookies)
    return context


@pytest.fixture
def demo(questionnaire):
    """The demo data, and the documents its people print."""
    call_command("load_demo", stdout=io.StringIO())
    consultant = get_user_model().objects.get(email=CONSULTANT_EMAIL)
    clients = Organization.objects.filter(consultants=consultant, rounds__isnull=False).distinct()
    biggest = Round.objects.filter(organization__in=clients).order_by("-respondents").first()
    latest = Round.objects.filter(organization__in=clients).order_by("-opened_on").first()
    results = [
        # A member of the busiest team round, and of the latest one.
        biggest.responses.filter(submitted_at__isnull=False).first().issue_link(),
        latest.responses.filter(submitted_at__isnull=False).last().issue_link(),
        # Alone, a lower bound: stage 3 unknown, so the page lists what needs answers.
        submit_response(
            None, "ceo", by_question({2: 3, 3: None, 4: 2}), questionnaire=questionnaire
        ).token,
    ]
    documents = [("result", reverse("assessments:result", args=[token])) for token in results]
    documents += [
        ("report", reverse("admin:dashboard_report", args=[client.pk])) for client in clients
    ]
    documents += [
        ("summary", reverse("assessments:workshop_summary", args=[workshop.round_id]))
        for workshop in Workshop.objects.filter(round__organization__in=clients)
    ]
    assert biggest.respondents >= 7 and len(clients) >= 4
    assert Workshop.objects.filter(round__organization__name=WORKSHOP_IN_PROGRESS).exists()
    return {"consultant": consultant, "documents": documents}


@pytest.mark.parametrize("language", ["en", "es"])
def test_results_reports_and_summaries_fit_their_pages_with_every_chart(
    browser, live_server, demo, language
):
    context = context_for(browser, live_server, language, demo["consultant"], PAPER_WIDTH)
    page = context.new_page()
    problems = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number, (kind, url) in enumerate(demo["documents"]):
        page.emulate_media(media="screen")
        assert page.goto(url).ok, url
        # The print stylesheet applies: the page draws every chart for it, at its size.
        page.emulate_media(media="print")
        page.wait_for_function(ALL_DRAWN, timeout=10_000)
        for box in page.evaluate(CHART_BOXES):
            if not (box["drawn"] and box["height"] > 50 and box["fits"]):
                problems.append(f"{url}: chart {box}")
        pdf = page.pdf(format="A4", print_background=True)
        # Kept for a person to look at, not in the repository.
        (ARTIFACTS / f"print-{kind}-{number}-{language}.pdf").write_bytes(pdf)
        if pages_in(pdf) > MOST_PAGES[kind]:
            problems.append(f"{url}: a {kind} on {pages_in(pdf)} pages")
    context.close()
    assert len({kind for kind, url in demo["documents"]}) == len(MOST_PAGES)
    assert not problems, "\n".join(problems)


DRAWN = """() => Array.from(document.querySelectorAll("[data-chart]"))
  .filter((box) => box.querySelector(".main-svg") !== null).length"""
# Recorded as the browser prints: its listeners run in the order they were added, so these
# see what charts.js's have done, before the print ("beforeprint") and on paper (the print
# media query turning on, in the print layout).
RECORD_BEFORE_PRINT = """() => {
  const drawn = () => Array.from(document.querySelectorAll("[data-chart]"))
    .filter((box) => box.querySelector(".main-svg") !== null).length;
  window.atPrint = null;
  window.addEventListener("beforeprint", () => {
    window.atPrint = { library: window.Plotly !== undefined, drawn: drawn() };
  });
  window.matchMedia("print").addEventListener("change", (event) => {
    if (event.matches) {
      window.boxesOnPaper = Array.from(document.querySelectorAll("[data-chart]")).map((box) =>
        [box.querySelector(".main-svg") !== null, box.getBoundingClientRect().height]);
    }
  });
}"""


@pytest.fixture
def lone_result(questionnaire):
    """A result page whose charts lie below the fold on a phone."""
    response = submit_response(
        None, "marketing", by_question({2: 3, 3: 2, 4: 1}), questionnaire=questionnaire
    )
    return reverse("assessments:result", args=[response.token])


def test_the_browsers_own_print_draws_the_charts_not_yet_scrolled_into_view(
    browser, live_server, lone_result
):
    context = context_for(browser, live_server, "en", width=390)
    page = context.new_page()
    page.goto(lone_result)
    charts = page.locator("[data-chart]").count()
    assert charts >= 2
    assert page.evaluate(DRAWN) == 0  # below the fold: not drawn yet
    page.mouse.move(200, 200)  # the reader's first move brings the library
    page.wait_for_function("() => window.Plotly !== undefined")
    assert page.evaluate(DRAWN) == 0
    page.evaluate(RECORD_BEFORE_PRINT)
    # No button, no drawing asked for: the browser's print, as its menu starts it.
    pdf = page.pdf(format="A4", print_background=True)
    assert page.evaluate("window.atPrint") == {"library": True, "drawn": charts}
    boxes = page.evaluate("window.boxesOnPaper")
    assert len(boxes) == charts and all(drawn and height > 50 for drawn, height in boxes)
    assert pages_in(pdf) <= MOST_PAGES["result"]
    context.close()


def test_printed_before_the_library_arrives_a_chart_leaves_no_empty_box(
    browser, live_server, lone_result
):
    context = context_for(browser, live_server, "es", width=390)
    page = context.new_page()
    page.goto(lone_result)
    charts = page.locator("[data-chart]").count()
    assert charts >= 2
    page.evaluate(RECORD_BEFORE_PRINT)
    pdf = page.pdf(format="A4", print_background=True)
    assert page.evaluate("window.atPrint")["library"] is False
    boxes = page.evaluate("window.boxesOnPaper")
    # Not drawn, and left out of the page rather than printed as an empty frame.
    assert boxes == [[False, 0]] * charts
    # The figures are there in words: the attainment and indicator tables print.
    assert page.locator("table").count() >= 2
    assert pages_in(pdf) <= MOST_PAGES["result"]
    context.close()
