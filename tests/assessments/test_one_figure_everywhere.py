"""One response, walked through every page and export: the same figures everywhere."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import results, scoring
from assessments.models import Response, Round
from stages.models import Stage
from tests.helpers import answer_all, by_question, close, submit_response

pytestmark = pytest.mark.django_db

# Stage 2 partly in place with "I don't know" inside two indicators, stages 3 and 4 absent.
# Scored per answer for the person and per indicator for the team, it read 82% of the way on
# the result page and 97% on the team page (the "53% vs 51%").
PARTLY_KNOWN = by_question(
    {
        ("strategic.shared-priority", 0): 2,
        ("strategic.shared-priority", 1): 2,
        ("strategic.leadership-meetings", 0): None,
        ("strategic.leadership-meetings", 1): 3,
        "strategic.implementation-plan": 0,
        ("strategic.joint-audience", 0): 2,
        ("strategic.joint-audience", 1): 1,
        ("strategic.lead-definition", 0): None,
        ("strategic.lead-definition", 1): 3,
        3: 0,
        4: 0,
    }
)


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def compact(html):
    return " ".join(html.split())


@pytest.fixture
def walked(client, round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    response = Response.objects.create(
        round=round,
        questionnaire=round.questionnaire,
        organization_name=round.organization.name,
        role="marketing",
    )
    answer_all(client, response, pick=PARTLY_KNOWN)
    response.refresh_from_db()
    close(round)  # a confidential round publishes its figures when it closes
    return response


def test_a_round_of_one_stores_exactly_its_responses_result(walked):
    round = walked.round
    assert walked.stage == 1 and walked.coverage < 1
    for field in ["position", "stage", "attainment", "indicator_scores", "flags", "coverage"]:
        assert getattr(round, field) == getattr(walked, field), field


def test_one_response_reads_the_same_on_every_page_and_export(client, leader, superuser, walked):
    reading = walked.reading
    position, progress = str(reading), reading.progress_percent
    coverage = scoring.percent(walked.coverage)
    lead = results.percent(walked.indicator_scores["strategic.lead-definition"])
    way = f"{progress}% of the way to stage 2, “Strategic alignment”."

    result = compact(client.get(reverse("assessments:result", args=[walked.token])).text)
    assert f'<span class="position">{position}</span>' in result
    assert way in result
    assert f"Coverage {coverage}%" in result
    assert re.search(
        rf"qualified\. <span[^>]*>\(makes the stage\)</span></td> <td[^>]*>{lead}%</td>", result
    )
    # One headline: the same words for the same figure on every page and in the sheet.
    stages = {stage.number: stage for stage in Stage.objects.all()}
    title = results.verdict(walked.position, walked.stage, walked.flags, stages)
    assert title and f"<span>— {title}</span>" in result

    client.force_login(leader)
    team = compact(client.get(walked.round.organization.get_absolute_url()).text)
    assert f'<span class="position">{position}</span>' in team
    assert way in team and f"<span>— {title}</span>" in team
    round_page = compact(client.get(walked.round.get_absolute_url()).text)
    assert f'<span class="position">{position}</span>' in round_page
    assert way in round_page and f"<span>— {title}</span>" in round_page
    assert re.search(rf"Marketing side</th><td[^>]*>1</td> <td[^>]*>{position}</td>", round_page)

    client.force_login(superuser)
    portfolio = compact(client.get(reverse("admin:dashboard")).text)
    assert f'<span class="chip stage-1">{position}</span>' in portfolio
    organization = walked.round.organization
    detail = compact(client.get(reverse("admin:dashboard_client", args=[organization.pk])).text)
    assert f'<span class="position">{position}</span>' in detail and way in detail
    assert f"<span>— {title}</span>" in detail

    [exported] = csv_rows(
        client.post(reverse("admin:dashboard_responses_export", args=[walked.round.pk, "csv"]))
    )
    assert str(scoring.one_decimal(exported["position"])) == position
    assert scoring.percent(float(exported["coverage"])) == coverage
    assert results.percent(float(exported["strategic.lead-definition"])) == lead
    [round_row] = csv_rows(
        client.post(reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"]))
    )
    assert round_row["position"] == exported["position"]
    assert round_row["coverage"] == exported["coverage"]
    assert round_row["flags"] == " ".join(walked.flags)
    sheet = openpyxl.load_workbook(
        io.BytesIO(
            client.post(
                reverse("admin:dashboard_rounds_export", args=[organization.pk, "xlsx"])
            ).content
        )
    ).active
    header, values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert dict(zip(header, values, strict=True))["stage_label"] == title


def test_the_dashboard_flags_the_perception_gap_the_team_page_shows(
    client, leader, superuser, round, settings
):
    # Finding: the dashboard compared the two sides' positions, the team page each stage and
    # indicator. Here the positions are close but one indicator is "in place" for marketing
    # and "missing" for sales.
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    submit_response(round, "marketing", by_question({"strategic.lead-definition": 3}, default=1))
    submit_response(round, "sales", by_question({"strategic.lead-definition": 0}, default=1))
    close(round)
    marketing, sales = round.groups["marketing"], round.groups["sales"]
    assert abs(marketing["position"] - sales["position"]) < 0.5  # less than half a stage

    client.force_login(leader)
    team = client.get(round.organization.get_absolute_url()).text
    assert '<span class="status status-partly">Perception gap</span>' in team
    team = client.get(round.get_absolute_url()).text  # the round page explains it
    assert "Perception gap</h2>" in team and 'class="table-warning"' in team
    # The indicator they see apart reads as both figures, never as their mean (50%).
    disputed = "disputed: marketing 100%, sales 0%"
    assert disputed in team

    client.force_login(superuser)
    [row] = client.get(reverse("admin:dashboard")).context["clients"]
    assert "perception-gap" in row.flag_codes
    [exported] = csv_rows(client.post(reverse("admin:dashboard_export", args=["csv"])))
    assert "perception-gap" in exported["flags"].split()
    organization = round.organization
    detail = client.get(reverse("admin:dashboard_client", args=[organization.pk])).text
    assert f'<span class="disputed">{disputed}</span>' in detail
    [round_row] = csv_rows(
        client.post(reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"]))
    )
    assert round_row["disputed"] == f"strategic.lead-definition: {disputed[len('disputed: ') :]}"


@pytest.mark.parametrize("opened_on, overdue", [("2026-01-15", False), ("2026-01-14", True)])
def test_overdue_reads_the_same_on_the_team_page_the_dashboard_and_the_export(
    client, leader, superuser, organization, questionnaire, opened_on, overdue
):
    # Quarterly: due on 15 April. On the due day a round is due, not yet overdue.
    with time_machine.travel(datetime.datetime(2026, 4, 15, 12, tzinfo=datetime.UTC), tick=False):
        Round.objects.create(
            organization=organization,
            questionnaire=questionnaire,
            opened_on=datetime.date.fromisoformat(opened_on),
            closed_at=timezone.now(),
        )
        client.force_login(leader)
        team = client.get(organization.get_absolute_url()).text
        assert ('<span class="status status-missing">Overdue</span>' in team) is overdue
        client.force_login(superuser)
        portfolio = client.get(reverse("admin:dashboard")).text
        assert ("(overdue)" in portfolio) is overdue
        only_overdue = client.get(reverse("admin:dashboard"), {"overdue": "1"})
        assert len(only_overdue.context["clients"]) == int(overdue)
        [row] = csv_rows(client.post(reverse("admin:dashboard_export", args=["csv"])))
        assert row["overdue"] == str(overdue)


@pytest.mark.parametrize("closes_on, is_open", [("2026-04-15", True), ("2026-04-14", False)])
def test_an_open_round_reads_the_same_on_the_team_page_the_dashboard_and_in_reminders(
    client, leader, superuser, organization, questionnaire, closes_on, is_open
):
    # A round stays open through its closing day.
    with time_machine.travel(datetime.datetime(2026, 4, 15, 12, tzinfo=datetime.UTC), tick=False):
        round = Round.objects.create(
            organization=organization,
            questionnaire=questionnaire,
            opened_on=datetime.date(2026, 4, 1),
            closes_on=datetime.date.fromisoformat(closes_on),
        )
        Response.objects.create(
            round=round,
            questionnaire=questionnaire,
            organization_name=organization.name,
            role="sales",
            email="s@acme.example",
            invited_at=timezone.now() - datetime.timedelta(days=5),
        )
        client.force_login(leader)
        team = client.get(organization.get_absolute_url()).text
        assert ("See who answered, invite, remind or close the round" in team) is is_open
        client.force_login(superuser)
        [row] = client.get(reverse("admin:dashboard")).context["clients"]
        assert (row.invited == 1) is is_open
        call_command("send_reminders", stdout=io.StringIO())
        assert len(mail.outbox) == int(is_open)
