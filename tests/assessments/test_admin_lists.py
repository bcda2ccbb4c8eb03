"""Admin lists stay small and cheap with big rounds: paginated, one count, no inline of all."""

import pytest
from django.db import connection
from django.urls import reverse

from assessments.models import Organization, Response, Round
from tests.helpers import highest, submit_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_round(questionnaire):
    organization = Organization.objects.create(name="Big Client")
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, consultant_access=True
    )
    submit_response(round, "marketing", highest, name="Submitted Sam")
    Response.objects.bulk_create(
        Response(
            round=round,
            questionnaire=questionnaire,
            organization_name=organization.name,
            role="sales",
            email=f"p{n}@big.example",
            name=f"Person {n}",
        )
        for n in range(60)
    )
    return round


def test_the_round_page_links_to_its_responses_instead_of_listing_them(
    client, make_consultant, big_round
):
    client.force_login(make_consultant("c@consult.example", big_round.organization))
    page = client.get(reverse("admin:assessments_round_change", args=[big_round.pk]))
    assert page.status_code == 200
    assert "Person 7" not in page.text and "61 responses" in page.text
    listing = client.get(
        reverse("admin:assessments_response_changelist"), {"round__id__exact": big_round.pk}
    )
    assert listing.status_code == 200
    assert len(listing.context["cl"].result_list) == 50
    assert listing.context["cl"].show_full_result_count is False


def test_a_consultant_filtering_another_clients_round_sees_nothing(
    client, make_consultant, big_round, questionnaire
):
    other = Organization.objects.create(name="Mine")
    client.force_login(make_consultant("c@consult.example", other))
    listing = client.get(
        reverse("admin:assessments_response_changelist"), {"round__id__exact": big_round.pk}
    )
    assert listing.status_code == 200 and len(listing.context["cl"].result_list) == 0


def test_a_large_unfiltered_table_is_counted_from_the_estimate(big_round, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the planner's estimate is PostgreSQL's")
    from assessments.admin import EstimatedCountPaginator

    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_ABOVE", 0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE assessments_response")
    assert EstimatedCountPaginator(Response.objects.all(), 50).count == 61
    # A filtered list (any consultant's) is counted exactly.
    filtered = Response.objects.filter(submitted_at__isnull=False)
    assert EstimatedCountPaginator(filtered, 50).count == 1
