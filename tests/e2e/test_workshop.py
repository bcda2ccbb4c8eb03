"""The workshop's presenter view, driven with the keyboard alone, moves a follower's screen."""

import re
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Round, Workshop
from assessments.workshops import open_workshop
from tests.helpers import by_question, close, submit_response

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
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
