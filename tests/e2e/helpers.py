def start(page, organization="Acme", role="marketing"):
    page.goto("/")
    page.locator(".hero .btn-primary").click()
    page.get_by_label("Organization").fill(organization)
    page.locator("#id_role").select_option(role)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/page/1/")


def answer_page(page, index):
    """Choose the option at INDEX (0 = least aligned) for every question.

    "highest" is each question's most aligned option, whatever its number of
    options; "I don't know" comes after it.
    """
    for fieldset in page.locator("fieldset.question").all():
        radios = fieldset.locator("input[type=radio]")
        radios.nth(radios.count() - 2 if index == "highest" else index).check()


def next_page(page):
    with page.expect_navigation():
        page.locator("button[name=next]").click()


def finish(page, index):
    while "/page/" in page.url:
        answer_page(page, index)
        next_page(page)


def charts_drawn(page):
    """Draw every chart of the page (they draw lazily, when scrolled into view); count them."""
    page.wait_for_function("() => window.smarketingCharts !== undefined")
    page.evaluate("() => window.smarketingCharts.drawAll()")
    page.wait_for_selector("[data-chart] .main-svg")
    return page.locator("[data-chart] .main-svg").count()
