"""Red team: tampered query strings answer 4xx, never 500."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

HUGE = "9" * 25


@pytest.mark.parametrize(
    "changelist",
    ["assessments_response_changelist", "assessments_planitem_changelist"],
)
@pytest.mark.parametrize("who", ["consultant", "superuser"])
def test_a_huge_id_in_an_admin_filter_is_not_a_server_error(
    changelist, who, organization, make_consultant, superuser
):
    user = make_consultant("c@consult.example", organization) if who == "consultant" else superuser
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.get(reverse(f"admin:{changelist}"), {"round": HUGE})
    assert response.status_code < 500, response.status_code


@pytest.mark.parametrize(
    "query",
    [
        {"round__id__exact": HUGE},
        {"questionnaire__id__exact": HUGE},
        {"o": "99"},
        {"p": HUGE},
        {"submitted_at__isempty": "7"},
        {"position__gt": "abc"},
        {"id__in": "1,x"},
    ],
)
def test_other_tampered_admin_filters_are_handled(query, organization, make_consultant):
    client = Client(raise_request_exception=False)
    client.force_login(make_consultant("c@consult.example", organization))
    response = client.get(reverse("admin:assessments_response_changelist"), query)
    assert response.status_code < 500
