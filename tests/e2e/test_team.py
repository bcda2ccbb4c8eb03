import pytest

from assessments.models import Response
from tests.e2e.helpers import charts_drawn, finish
from tests.helpers import private_path

pytestmark = pytest.mark.django_db(transaction=True)


def test_invited_respondent_answers_and_a_member_sees_the_round(page, leader, round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    invited = Response.objects.create(
        round=round,
        questionnaire=round.questionnaire,
        organization_name=round.organization.name,
        role="sales",
        email="s@acme.example",
    )
    page.goto(private_path(invited.token))
    finish(page, index=2)
    page.wait_for_url("**/result/")
    assert "count towards the team result" in page.content()
    assert "Your answers are confidential" in page.content()

    page.goto("/accounts/login/")
    page.fill("#id_login", "ana@acme.example")
    page.fill("#id_password", "pw-for-tests")
    page.locator("main form button[type=submit]").click()
    page.get_by_role("link", name=round.organization.name).click()
    assert "1 of 1 submitted" in page.content()
    # A confidential round publishes its figures when a member closes it.
    assert page.locator("[data-chart]").count() == 0
    page.goto(round.get_absolute_url())
    page.get_by_role("link", name="Close the round").click()
    assert "Everyone invited has submitted." in page.content()
    page.get_by_role("button", name="Close the round").click()
    page.get_by_role("link", name=round.organization.name).click()
    assert charts_drawn(page) >= 1
    position = page.locator("[data-chart=position-chart-data] .scatterlayer .point")
    assert position.count() == 2  # the team and the sales side
    assert page.locator("[data-chart=progress-chart-data] .scatterlayer .point").count() >= 1
