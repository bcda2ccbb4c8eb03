import datetime

import pytest
from django.utils import timezone

from assessments.models import Response, Round
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

    # A member of one organization lands on its team page.
    log_in(page, "ana@acme.example")
    assert page.url.endswith(round.organization.get_absolute_url())
    assert "1 of 1 submitted" in page.content()
    # A confidential round publishes its figures when a member closes it.
    assert page.locator("[data-chart]").count() == 0
    page.goto(round.get_absolute_url())
    page.get_by_role("link", name="Close the round").click()
    assert "Everyone invited has submitted." in page.content()
    page.get_by_role("button", name="Close the round").click()
    # The round's page draws its result; the team page, the overview, its progress line.
    page.wait_for_url(f"**{round.get_absolute_url()}")
    assert charts_drawn(page) >= 1
    position = page.locator("[data-chart=position-chart-data] .scatterlayer .point")
    assert position.count() == 2  # the team and the sales side
    page.get_by_role("link", name=round.organization.name).click()
    assert charts_drawn(page) >= 1
    assert page.locator("[data-chart=progress-chart-data] .scatterlayer .point").count() >= 1


def log_in(page, email):
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", "pw-for-tests")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_year_of_a_team(page, leader, round, make_leader, settings):
    """Remind, close with confirmation, open the next round, finish a plan, part ways."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    organization = round.organization
    colleague = make_leader("carl@acme.example", organization=organization, role="sales")
    invited = Response.objects.create(
        round=round,
        questionnaire=round.questionnaire,
        organization_name=organization.name,
        role="sales",
        email="s@acme.example",
        invited_at=timezone.now() - datetime.timedelta(days=4),
    )
    log_in(page, "ana@acme.example")
    page.goto(round.get_absolute_url())
    page.get_by_role("button", name="Remind now s@acme.example").click()
    assert "Reminder sent to s@acme.example." in page.content()
    invited.refresh_from_db()
    assert invited.reminders_sent == 1

    page.goto(private_path(invited.issue_link()))
    finish(page, index=2)
    page.goto(round.get_absolute_url())
    page.get_by_role("link", name="Close the round").click()
    assert "Everyone invited has submitted." in page.content()
    page.get_by_role("button", name="Close the round").click()
    page.get_by_role("link", name=organization.name).click()

    plan_link = page.get_by_role("link", name="Add steps to the plan")
    plan_link.click()
    page.locator("#id_item").select_option(index=1)
    page.locator("#id_owner_person").select_option(label="carl@acme.example")
    page.get_by_role("button", name="Add to the plan").click()
    page.get_by_role("link", name=organization.name).click()
    page.get_by_role("button", name="Mark as done").click()
    assert "Marked done" in page.content() and "Mark as open" in page.content()

    page.get_by_role("link", name="Start the next round").click()
    page.get_by_role("button", name="Start the round").click()
    assert "The round is open." in page.content()
    assert Round.objects.filter(organization=organization, closed_at=None).count() == 1

    page.goto(f"/organizations/{organization.pk}/members/")
    page.get_by_role("button", name="Remove carl@acme.example").click()
    assert "carl@acme.example is no longer a member" in page.content()
    assert not organization.memberships.filter(user=colleague).exists()

    page.goto(f"/organizations/{organization.pk}/delete/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything first (ZIP)").click()
    assert download.value.suggested_filename.endswith(".zip")
    page.get_by_label("Type the organization's name to confirm").fill(organization.name)
    page.get_by_role("button", name="Delete the organization").click()
    assert "and all its data are deleted." in page.content()
    assert not Round.objects.filter(organization_id=organization.pk).exists()
