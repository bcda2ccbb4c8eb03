"""On a phone the header's links fold behind a Menu button that the keyboard can open."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_menu_folds_on_a_phone_and_opens_with_the_keyboard(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    link = page.get_by_role("link", name="Take the assessment").first
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert not link.is_visible()
    header_height = page.locator("header").bounding_box()["height"]
    assert header_height < 800 / 6  # the folded header takes little of the screen

    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true" and link.is_visible()
    assert link.bounding_box()["height"] >= 44  # a touch target
    page.keyboard.press("Escape")
    assert not link.is_visible()
    context.close()


def test_the_menu_stays_open_on_a_wide_screen(page):
    page.goto("/")
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("link", name="Take the assessment").first.is_visible()


TOO_SMALL = """() => Array.from(document.querySelectorAll(
  "main button, main select, main input:not([type=radio]):not([type=checkbox]):not([type=hidden]),"
  + " main .form-check, main .btn, header .menu-toggle"
)).filter((element) => element.offsetParent !== null)
  .map((element) => [element.outerHTML.slice(0, 80), element.getBoundingClientRect().height])
  .filter(([html, height]) => height < 44)"""


def test_touch_targets_are_44_px_high_on_a_phone(browser, live_server, new_response):
    from tests.helpers import private_path

    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    page = context.new_page()
    for url in ["/", "/assessment/", private_path(new_response.token), "/accounts/login/"]:
        page.goto(url)
        assert page.evaluate(TOO_SMALL) == [], url
    context.close()
