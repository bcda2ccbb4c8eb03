import pytest

from assessments.models import Answer, Response
from tests.e2e.helpers import answer_page, charts_drawn, finish, next_page, start

pytestmark = pytest.mark.django_db(transaction=True)


def test_leader_goes_from_home_page_to_result_with_both_charts_drawn(page):
    start(page)
    assert page.get_by_text("Page 1 of 4").is_visible()
    finish(page, index="highest")
    page.wait_for_url("**/result/")
    assert page.locator(".position").inner_text() == "4.0"
    assert "Functional alignment" in page.locator("#headline").inner_text()
    # plotly.js drew both figures as SVG (two .main-svg layers per chart).
    assert charts_drawn(page) >= 2
    assert page.locator("[data-chart=position-chart-data] .scatterlayer .point").count() == 1
    assert page.locator("[data-chart=attainment-chart-data] .bars .point").count() == 3
    assert page.errors == []


def test_least_aligned_everywhere_reads_one_point_zero(page):
    start(page)
    finish(page, index=0)
    page.wait_for_url("**/result/")
    assert page.locator(".position").inner_text() == "1.0"
    assert "Siloed functions" in page.locator("#headline").inner_text()


def test_respondent_closes_the_tab_and_resumes_from_the_link(page, browser, live_server):
    start(page)
    link = page.locator("#private-link").input_value()  # shown on every page
    answer_page(page, 2)
    next_page(page)
    page.wait_for_url("**/page/2/")
    page.context.close()

    later = browser.new_context().new_page()
    later.goto(link)
    later.wait_for_url("**/page/2/")
    later.locator("button[name=back]").click()
    later.wait_for_url("**/page/1/")
    questions = later.locator("fieldset.question")
    count = Response.objects.get().questionnaire.pages()[0].questions.count()
    assert questions.count() == count
    for index in range(count):
        assert questions.nth(index).locator("input[type=radio]").nth(2).is_checked()


def test_whole_flow_in_spanish(page):
    page.goto("/continuum/")
    # One click, keyboard included: focus the button and press Enter.
    page.get_by_role("button", name="Español").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("html[lang=es]")
    assert page.url.endswith("/continuum/")
    assert page.get_by_role("button", name="English").get_attribute("lang") == "en"
    page.goto("/")
    page.locator(".hero .btn-primary").click()
    page.get_by_label("Organización").fill("Acme")
    page.locator("#id_role").select_option("sales")
    page.locator("main form button[type=submit]").click()
    assert page.get_by_text("Página 1 de 4").is_visible()
    finish(page, index="highest")
    page.wait_for_url("**/result/")
    assert page.locator(".position").inner_text() == "4,0"
    assert "Alineación funcional" in page.locator("#headline").inner_text()
    assert charts_drawn(page) >= 2


def test_questionnaire_can_be_completed_with_the_keyboard_alone(page):
    start(page)
    while "/page/" in page.url:
        count = page.locator("fieldset.question").count()
        page.locator("fieldset.question input[type=radio]").first.focus()
        for _ in range(count):
            # Arrow keys move within a radio group and select; Tab goes to the next group.
            page.keyboard.press("ArrowDown")
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Tab")
        # Focus is now on the primary button: Enter submits the page.
        assert page.evaluate("document.activeElement.name") == "next"
        with page.expect_navigation():
            page.keyboard.press("Enter")
    page.wait_for_url("**/result/")
    response = Response.objects.get()
    assert response.is_submitted
    assert set(Answer.objects.values_list("option__order", flat=True)) == {3}
