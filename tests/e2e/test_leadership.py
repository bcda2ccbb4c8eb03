"""A leadership team sees its gap and settles it in one meeting, at the production threshold."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Round
from tests.e2e.helpers import finish

pytestmark = pytest.mark.django_db(transaction=True)

# Option index per person: 0 = the least aligned answer; "highest" the most aligned,
# whatever the question's number of options.
ANSWERS = {"ana@acme.example": "highest", "sergio@acme.example": 0, "carmen@acme.example": 1}


def log_in(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", "pw-for-tests")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def answer_now(page):
    page.get_by_role("button", name="Answer now").click()
    page.wait_for_url("**/page/1/")


def test_a_cmo_cso_and_ceo_see_their_gap_on_the_round_page_and_in_the_workshop(
    browser, live_server, leader, organization, make_leader, settings
):
    assert settings.ROUND_GROUP_MIN_RESPONDENTS == 3
    for email, role, name in [
        ("sergio@acme.example", "sales", "Sergio"),
        ("carmen@acme.example", "ceo", "Carmen"),
    ]:
        user = make_leader(email, organization=organization, role=role)
        user.first_name = name
        user.save()

    # The CMO opens a round with the form's defaults: the members invited, an open round.
    cmo = log_in(browser, live_server, "ana@acme.example")
    # A member of one organization lands on its team page.
    assert cmo.url.endswith(organization.get_absolute_url())
    cmo.get_by_role("link", name="Start the first round").click()
    expect(cmo.locator("main")).to_contain_text(
        "a confidential round keeps the gap between them hidden from the team"
    )
    expect(cmo.locator("input[name=visibility][value=open]")).to_be_checked()
    cmo.get_by_role("button", name="Start the round").click()
    round = Round.objects.get(organization=organization)
    assert not round.is_confidential and round.responses.count() == 3

    # Each answers where they are: the CMO on the round's page, the others from the team page.
    answer_now(cmo)
    finish(cmo, ANSWERS["ana@acme.example"])
    for email in ("sergio@acme.example", "carmen@acme.example"):
        colleague = log_in(browser, live_server, email)
        answer_now(colleague)
        finish(colleague, ANSWERS[email])
        colleague.context.close()

    # The CMO closes the round; the gap shows in figures, side by side.
    cmo.goto(round.get_absolute_url())
    cmo.get_by_role("link", name="Close the round").click()
    expect(cmo.locator("main")).to_contain_text("Everyone invited has submitted.")
    cmo.get_by_role("button", name="Close the round").click()
    gap = cmo.locator("table", has_text="Attainment per stage, as each side sees it")
    expect(gap).to_be_visible()
    expect(gap.locator("tbody tr").first).to_contain_text("100%")
    expect(gap.locator("tbody tr").first).to_contain_text("0%")
    expect(cmo.locator("main")).not_to_contain_text("hidden")

    # In the workshop, the agenda is ranked by that gap and the presenter shows both sides.
    cmo.get_by_role("link", name=re.compile("Prepare the workshop")).click()
    cmo.get_by_role("button", name="Open the workshop").click()
    expect(cmo.locator("main")).to_contain_text("100 points")
    expect(cmo.locator("main")).to_contain_text("90 minutes planned of a 90-minute meeting")
    cmo.get_by_role("link", name="Present").click()
    expect(cmo.locator(".workshop-means")).to_contain_text("Marketing side: 100%")
    expect(cmo.locator(".workshop-means")).to_contain_text("Sales side: 0%")
    expect(cmo.locator("main")).to_contain_text("Sergio")
    assert cmo.errors == []
