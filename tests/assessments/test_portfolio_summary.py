"""The portfolio's stored columns: kept right by the model methods, read by every sort and page."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Organization, Response, Round
from tests.helpers import highest, lowest, submit_response

pytestmark = pytest.mark.django_db


def stored(organization):
    return Organization.objects.get(pk=organization.pk)


def new_round(organization, questionnaire, **fields):
    return Round.objects.create(
        organization=organization, questionnaire=questionnaire, consultant_access=True, **fields
    )


def test_columns_follow_invitations_submits_closing_and_deletion(organization, questionnaire):
    assert stored(organization).last_round_on is None
    round = new_round(organization, questionnaire)
    row = stored(organization)
    assert row.last_round_on == round.opened_on and row.next_due_on is not None
    assert (row.open_round_invited, row.open_round_submitted, row.response_rate) == (0, 0, None)

    waiting = Response.objects.create(
        round=round,
        questionnaire=questionnaire,
        organization_name=organization.name,
        role="sales",
        email="wait@acme.example",
    )
    first = submit_response(round, "marketing", highest)
    row = stored(organization)
    assert (row.open_round_invited, row.open_round_submitted, row.response_rate) == (2, 1, 0.5)
    assert row.latest_position == first.position and row.latest_stage == 4
    assert row.latest_respondents == 1 and row.latest_consultant_access

    waiting.delete()
    assert stored(organization).open_round_invited == 1

    round.close()
    row = stored(organization)
    assert (row.open_round_invited, row.response_rate) == (0, None)

    second = new_round(organization, questionnaire)
    submit_response(second, "marketing", lowest)
    row = stored(organization)
    assert row.previous_position == first.position
    assert row.change == row.latest_position - first.position < 0

    second.delete()
    row = stored(organization)
    assert row.latest_position == first.position and row.change is None


def test_confidential_round_reaches_the_portfolio_only_once_published(
    organization, questionnaire, settings
):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 2
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    submit_response(round, "marketing", highest)
    submit_response(round, "sales", highest)
    assert stored(organization).latest_position is None  # open: nothing published yet
    round.close()
    round.refresh_from_db()
    assert stored(organization).latest_position == round.position == 4


def test_the_daily_sweep_closes_rounds_whose_closing_day_passed(organization, questionnaire):
    today = timezone.localdate()
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, closes_on=today
    )
    for role in ["marketing", "sales", "ceo"]:
        submit_response(round, role, highest)
    assert stored(organization).open_round_submitted == 3
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        call_command("send_reminders")
    round.refresh_from_db()
    assert round.closed_at is not None
    row = stored(organization)
    assert row.open_round_submitted == 0 and row.latest_position == round.position


def test_refresh_portfolio_rebuilds_stale_columns(organization, questionnaire):
    round = new_round(organization, questionnaire)
    submit_response(round, "marketing", highest)
    Organization.objects.update(latest_position=None, last_round_on=None, open_round_invited=9)
    call_command("refresh_portfolio")
    round.refresh_from_db()
    row = stored(organization)
    assert row.latest_position == round.position and row.last_round_on == round.opened_on
    assert row.open_round_invited == 1


QUERIES = [
    {},
    {"page": "2"},
    {"page": "last"},
    {"stage": "4"},
    {"overdue": "1"},
    {"q": "client"},
    {"stage": "4", "sort": "-rate"},
    *({"sort": key} for key in ["name", "industry", "position", "change", "last_round", "rate"]),
    *({"sort": f"-{key}"} for key in ["position", "change", "last_round", "rate", "due"]),
]


def add_clients(questionnaire, count):
    for index in range(count):
        organization = Organization.objects.create(
            name=f"Client {Organization.objects.count()}", industry="software"
        )
        round = new_round(organization, questionnaire)
        if index % 2:
            submit_response(round, "marketing", highest)


def dashboard_queries(client, query):
    """The queries of one view of the dashboard with QUERY (its second view: caches warm)."""
    client.get(reverse("admin:dashboard"), query)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("admin:dashboard"), query).status_code == 200
    return captured.captured_queries


def test_every_sort_filter_and_page_costs_the_same_at_two_sizes(
    client, superuser, questionnaire, subtests
):
    """One dataset, grown once, for every query (building it took a second a query)."""
    add_clients(questionnaire, 3)
    client.force_login(superuser)
    small = {str(query): dashboard_queries(client, query) for query in QUERIES}
    add_clients(questionnaire, 60)
    for query in QUERIES:
        with subtests.test(query=query):
            queries = small[str(query)]
            assert len(queries) <= 10
            assert len(dashboard_queries(client, query)) == len(queries)
            # Nothing but the organizations' own table is read for the rows.
            page_query = queries[3]["sql"]
            assert "assessments_round" not in page_query
            assert "assessments_response" not in page_query
