"""Charts on a phone, in both languages: no two labels overlap, none is clipped, nothing
scrolls the page sideways, and the charts draw as they scroll into view."""

import os
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import Round
from tests.e2e.conftest import ARTIFACTS
from tests.helpers import (
    among_peers,
    by_question,
    close,
    highest,
    lowest,
    submit_response,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Every piece of text plotly wrote into a chart, with its box; pairs that meet,
# and boxes that leave the chart's own box or the screen.
LABEL_PROBLEMS = """() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  for (const chart of document.querySelectorAll("[data-chart]")) {
    const frame = chart.getBoundingClientRect();
    const boxes = [];
    for (const text of chart.querySelectorAll("svg text")) {
      const label = text.textContent.trim();
      const box = text.getBoundingClientRect();
      if (!label || box.width === 0 || getComputedStyle(text).display === "none") continue;
      boxes.push([label, box]);
      if (box.left < frame.left - 1 || box.right > frame.right + 1 ||
          box.top < frame.top - 1 || box.bottom > frame.bottom + 1 ||
          box.left < 0 || box.right > width) {
        problems.push(`${chart.dataset.chart}: "${label}" is clipped`);
      }
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i], [b, q] = boxes[j];
        const overlap = Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1 &&
          Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1;
        if (overlap) problems.push(`${chart.dataset.chart}: "${a}" overlaps "${b}"`);
      }
    }
  }
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
  }
  return problems;
}"""


@pytest.fixture
def pages(questionnaire, leader, make_consultant, settings):
    """A team with five rounds (every role group shown), and two standalone results."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    organization = leader.organizations.get()
    picks = [lowest, by_question({2: 2, 3: 1, 4: 0}), by_question({2: 3, 3: 2, 4: 1}), highest]
    for month in range(1, 6):
        round = Round.objects.create(
            organization=organization,
            questionnaire=questionnaire,
            opened_on=f"2026-0{month}-0{month}",
            visibility=Round.Visibility.OPEN,
        )
        for index, role in enumerate(["marketing", "sales", "ceo", "revenue"]):
            submit_response(round, role, picks[(month + index) % len(picks)])
        close(round)
    consultant = make_consultant("c@consult.example", organization)
    # Peers, so that the benchmark pages draw their charts too.
    among_peers(organization)
    # A lower bound: stage 3 not measured.
    unmeasured = submit_response(
        None, "ceo", by_question({2: 3, 3: None, 4: 3}), questionnaire=questionnaire
    )
    top = submit_response(None, "revenue", highest, questionnaire=questionnaire)
    return {
        "member": (
            leader,
            [
                organization.get_absolute_url(),
                Round.objects.filter(organization=organization)
                .latest("opened_on")
                .get_absolute_url(),
                reverse("assessments:benchmark", args=[organization.pk]),
            ],
        ),
        "consultant": (
            consultant,
            [
                reverse("admin:dashboard_client", args=[organization.pk]),
                reverse("admin:dashboard_report", args=[organization.pk]),
                reverse("admin:dashboard_benchmark"),
            ],
        ),
        "public": (
            None,
            [
                reverse("assessments:result", args=[unmeasured.token]),
                reverse("assessments:result", args=[top.token]),
            ],
        ),
    }


def context_for(browser, live_server, width, language, user):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
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


@pytest.mark.parametrize("width", [320, 390, 1280])
@pytest.mark.parametrize("language", ["en", "es"])
def test_chart_labels_never_overlap_or_clip_from_a_phone_up(
    browser, live_server, pages, width, language
):
    problems = []
    for persona, (user, urls) in pages.items():
        context = context_for(browser, live_server, width, language, user)
        page = context.new_page()
        for number, url in enumerate(urls):
            assert page.goto(url).ok
            count = page.locator("[data-chart]").count()
            assert count, f"{url} has no chart"
            page.evaluate("() => window.smarketingCharts.drawAll()")
            page.wait_for_function(
                f"() => document.querySelectorAll('[data-chart] .main-svg').length >= {count}"
            )
            found = [f"{url} ({persona}): {p}" for p in page.evaluate(LABEL_PROBLEMS)]
            problems += found
            # For a person to look at, not in the repository: the pages with a problem, or
            # all of them with SCREENSHOTS=1 (a full-page screenshot costs a second or two).
            if found or os.environ.get("SCREENSHOTS"):
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                name = f"screen-{persona}-{number}-{language}-{width}.png"
                page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        context.close()
    assert not problems, "\n".join(problems)


def test_charts_draw_when_scrolled_into_view(browser, live_server, pages):
    user, [team, *_] = pages["member"]
    context = context_for(browser, live_server, 390, "en", user)
    page = context.new_page()
    page.goto(team)
    progress = page.locator("[data-chart=progress-chart-data]")
    box = progress.bounding_box()
    assert box["y"] > 800  # below the fold on a phone: not drawn yet
    assert progress.locator(".main-svg").count() == 0
    height = box["height"]
    progress.scroll_into_view_if_needed()
    progress.locator(".main-svg").first.wait_for()
    # The space was kept for the chart: drawing it moved nothing.
    assert progress.bounding_box()["height"] == height
    context.close()


def test_the_client_report_fits_every_heatmap_column_on_a4(browser, live_server, pages):
    consultant, urls = pages["consultant"]
    report = next(url for url in urls if url.endswith("/report/"))
    # A4 portrait inside 12 mm margins (shared.css) is about 703 CSS pixels wide.
    context = context_for(browser, live_server, 703, "es", consultant)
    page = context.new_page()
    page.emulate_media(media="print")
    page.goto(report)
    heatmap = page.locator("table.heatmap")
    headers = heatmap.locator("thead th")
    assert headers.count() >= 10  # the round, then every indicator of stages 2 to 4
    assert "strategic." not in heatmap.inner_text()  # names, never internal keys
    right = page.evaluate("() => document.documentElement.clientWidth")
    for index in range(headers.count()):
        box = headers.nth(index).bounding_box()
        assert box["x"] + box["width"] <= right + 1, headers.nth(index).inner_text()
    context.close()
