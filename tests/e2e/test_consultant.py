import pytest

from assessments.models import Organization, Round
from tests.e2e.helpers import charts_drawn
from tests.helpers import highest, lowest, submit_response

pytestmark = pytest.mark.django_db(transaction=True)


def test_consultant_logs_in_opens_the_portfolio_and_a_client(page, make_consultant, questionnaire):
    mine = Organization.objects.create(name="Alpha Client")
    theirs = Organization.objects.create(name="Beta Client")
    for organization in (mine, theirs):
        round = Round.objects.create(
            organization=organization, questionnaire=questionnaire, consultant_access=True
        )
        submit_response(round, "marketing", highest)
        submit_response(round, "sales", lowest)
    make_consultant("ca@consult.example", mine)

    page.goto("/admin/")  # staff log in through the site's login page
    page.fill("#id_login", "ca@consult.example")
    page.fill("#id_password", "pw-for-tests")
    page.locator("main form button[type=submit]").click()
    page.get_by_role("link", name="Open the consultants' dashboard").click()
    assert page.get_by_role("link", name="Alpha Client").is_visible()
    assert "Beta Client" not in page.content()
    page.get_by_role("link", name="Alpha Client").click()
    assert charts_drawn(page) >= 2
    assert page.locator("table.heatmap tbody tr").count() == 1
    response = page.goto(f"/admin/dashboard/{theirs.pk}/")
    assert response.status == 404
