"""The workshop's presenter view, driven with the keyboard alone, moves a follower's screen."""

import datetime
import re
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import PlanItem, Round, Workshop, WorkshopAnswer, WorkshopItem
from assessments.workshops import item_questions, open_workshop, reschedule
from tests.helpers import by_question, close, submit_response

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in_page(browser, live_server, user, locale="en-GB"):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale=locale)
    host = urlparse(live_server.url).hostname
    cookie = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": cookie, "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


@pytest.fixture
def workshop(questionnaire, leader):
    round = Round.objects.create(
        organization=leader.organizations.get(), questionnaire=questionnaire, visibility="open"
    )
    submit_response(round, "marketing", by_question({"strategic.lead-definition": 3}, 1))
    submit_response(round, "sales", by_question({"strategic.lead-definition": 0}, 1))
    close(round)
    workshop, _ = open_workshop(round, leader)
    return workshop


def heading(page):
    return page.locator("h1#workshop-item")


def test_keyboard_alone_drives_the_presenter_and_the_follower_follows(
    browser, live_server, workshop, leader, make_leader
):
    items = list(workshop.items.order_by("position"))
    round = workshop.round
    presenter = logged_in_page(browser, live_server, leader)
    follower = logged_in_page(browser, live_server, leader)
    presenter.goto(reverse("assessments:workshop_present", args=[round.pk]))
    follower.goto(reverse("assessments:workshop_follow", args=[round.pk]))
    expect(heading(presenter)).to_have_text(items[0].label)
    expect(heading(follower)).to_have_text(items[0].label)
    # The widest gap leads the agenda.
    assert items[0].indicator_key == "strategic.lead-definition"
    expect(presenter.locator("#timer-elapsed")).to_have_text(re.compile(r"^\d+:\d\d$"))

    presenter.keyboard.press("ArrowRight")
    expect(heading(presenter)).to_have_text(items[1].label)
    expect(heading(follower)).to_have_text(items[1].label, timeout=10_000)

    presenter.keyboard.press("PageDown")
    expect(heading(presenter)).to_have_text(items[2].label)
    presenter.keyboard.press("ArrowLeft")
    expect(heading(presenter)).to_have_text(items[1].label)

    # Jump: type the item's number, then Enter.
    presenter.keyboard.type("9")
    presenter.keyboard.press("Enter")
    expect(heading(presenter)).to_have_text(items[8].label)
    expect(heading(follower)).to_have_text(items[8].label, timeout=10_000)
    assert Workshop.objects.get(pk=workshop.pk).current_item_id == items[8].pk
    assert presenter.errors == [] and follower.errors == []


def test_jump_list_and_buttons_work_with_tab_and_enter(browser, live_server, workshop, leader):
    items = list(workshop.items.order_by("position"))
    page = logged_in_page(browser, live_server, leader)
    page.goto(reverse("assessments:workshop_present", args=[workshop.round.pk]))
    page.locator("#jump-to").focus()
    page.locator("#jump-to").select_option("5")
    page.keyboard.press("Tab")  # to "Go"
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text(items[4].label)


@pytest.fixture
def finished(workshop, leader):
    """The workshop with every indicator decided, a note and an action each, and two topics."""
    round = workshop.round
    now = timezone.now()
    for item in workshop.items.select_related("indicator"):
        WorkshopAnswer.objects.bulk_create(
            WorkshopAnswer(item=item, question=q, option=list(q.options.all())[2])
            for q in item_questions(round, item)
        )
        item.decided_at = now
        item.note = (
            "Marketing and sales read this differently; the team agreed where it stands today "
            "and who takes the next step before the next round."
        )
        item.plan_item = PlanItem.objects.create(
            round=round,
            indicator=item.indicator,
            owner="both",
            due_on=datetime.date(2030, 3, 31),
            note="Draft it together at the next leadership meeting and share it with both teams.",
        )
        item.save()
    for title in ["Budget for joint events", "Hiring a revenue operations analyst"]:
        WorkshopItem.objects.create(workshop=workshop, title=title, position=99, minutes=10)
    workshop.status, workshop.finished_at = Workshop.Status.FINISHED, now
    workshop.save()
    reschedule(workshop)
    workshop.refresh_result()
    return workshop


def pages_printed(page):
    """Print the page as the browser saves it to PDF on A4, and count the pages."""
    pdf = page.pdf(format="A4", print_background=True)
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize(
    ("locale", "heading"), [("en-GB", "Alignment workshop"), ("es-ES", "Taller")]
)
def test_the_summary_prints_on_one_a4_page_in_the_readers_language(
    browser, live_server, finished, leader, locale, heading
):
    page = logged_in_page(browser, live_server, leader, locale=locale)
    page.goto(reverse("assessments:workshop_summary", args=[finished.round.pk]))
    expect(page.locator("h1")).to_contain_text(heading)
    assert page.locator("html").get_attribute("lang") == locale[:2]
    scheduled = finished.items.filter(next_time=False).count()
    assert page.locator("table.summary-table tbody tr").count() == scheduled >= 10
    assert pages_printed(page) == 1
    # The Print button shows once its script runs, and opens the browser's print dialog.
    button = page.locator("[data-print]")
    expect(button).to_be_visible()
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    button.click()
    page.wait_for_function("() => window.printed === true")
    assert page.errors == []
