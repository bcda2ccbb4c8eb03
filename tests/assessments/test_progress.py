"""Rounds over time: comparability, the progress chart, round over round, the plan's check."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from assessments import results
from assessments.models import PlanItem, Question, Response, Round
from stages.models import Indicator, NextStep, Stage
from tests.helpers import close, highest, lowest, submit_response

pytestmark = pytest.mark.django_db


def pick_by_stage(levels):
    return lambda q: list(q.options.all())[levels.get(q.indicator.stage.number, 0)]


def make_round(organization, questionnaire, day, levels, roles=("marketing", "sales")):
    """A past, closed round; open, so that its figures show whatever the number of respondents."""
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, opened_on=day, visibility="open"
    )
    for role in roles:
        submit_response(round, role, pick_by_stage(levels))
    return close(round)


@pytest.fixture
def stages():
    return list(Stage.objects.with_content())


def test_versions_are_compared_by_indicator_key_and_a_missing_one_is_not_measured(
    organization, questionnaire, stages
):
    first = make_round(organization, questionnaire, datetime.date(2026, 1, 1), {2: 1, 3: 0})
    second_version = questionnaire.clone()
    Question.objects.filter(
        section__questionnaire=second_version, indicator__key="strategic.joint-audience"
    ).delete()
    second_version.publish()
    second = make_round(organization, second_version, datetime.date(2026, 4, 1), {2: 3, 3: 1})

    assert "strategic.joint-audience" not in second.indicator_scores
    comparison = results.compare_rounds(first, second, stages)
    [missing] = comparison.not_measured
    assert missing.subject.key == "strategic.joint-audience"
    assert "was not measured in both rounds" in missing.sentence
    lead = next(c for c in comparison.improved if c.subject.key == "strategic.lead-definition")
    assert (lead.before_percent, lead.after_percent) == (33, 100)
    assert comparison.stages[0].subject.number == 2 and comparison.stages[0].points > 0


def progress(client, leader, organization):
    client.force_login(leader)
    return client.get(organization.get_absolute_url()).context["progress_chart"]["data"]


def ticks(client, leader, organization):
    client.force_login(leader)
    return client.get(organization.get_absolute_url()).context["progress_chart"]["layout"]["xaxis"][
        "ticktext"
    ]


def test_progress_chart_with_one_round(client, leader, organization, questionnaire):
    make_round(organization, questionnaire, datetime.date(2026, 1, 1), {2: 1})
    team, *groups = progress(client, leader, organization)
    assert team["x"] == [0] and len(team["y"]) == 1
    assert ticks(client, leader, organization) == ["Round 1"]
    assert [group["name"] for group in groups] == ["Marketing side", "Sales side"]


def test_progress_chart_with_two_rounds_and_role_lines(
    client, leader, organization, questionnaire, settings
):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    make_round(organization, questionnaire, datetime.date(2026, 1, 1), {2: 1})
    make_round(organization, questionnaire, datetime.date(2026, 4, 1), {2: 3, 3: 2})
    team, marketing, sales = progress(client, leader, organization)
    assert team["x"] == [0, 1]
    assert ticks(client, leader, organization) == ["Round 1", "Round 2"]
    assert team["y"][0] < team["y"][1]
    assert (marketing["name"], sales["name"]) == ("Marketing side", "Sales side")


def test_progress_chart_with_many_rounds_in_date_order(client, leader, organization, questionnaire):
    days = [datetime.date(2025, month, 1) for month in range(1, 13)]
    for day in reversed(days):
        make_round(organization, questionnaire, day, {2: 2}, roles=("ceo",))
    team, leadership = progress(client, leader, organization)
    assert team["x"] == leadership["x"] == list(range(12))
    # One tick per round, in date order, named as the round is named everywhere.
    named = list(organization.rounds.order_by("opened_on").values_list("name", flat=True))
    assert ticks(client, leader, organization) == named and len(set(named)) == 12


def test_the_round_page_shows_change_faded_previous_marker_and_the_checked_plan(
    client, leader, organization, questionnaire
):
    before = make_round(organization, questionnaire, datetime.date(2026, 1, 1), {2: 1, 3: 0})
    assert before.stage == 1  # so stage 1's step is checked on stage 2's indicators
    PlanItem.objects.create(round=before, step=NextStep.objects.filter(stage__number=1).first())
    PlanItem.objects.create(
        round=before, indicator=Indicator.objects.get(key="functional.revenue-leader")
    )
    after = make_round(organization, questionnaire, datetime.date(2026, 4, 1), {2: 3, 3: 1})
    client.force_login(leader)
    # The team page says where the team came from; the round page has the details.
    team = client.get(organization.get_absolute_url()).text
    assert f"Before it, “Round 1” read {before.reading}." in team
    page = client.get(after.get_absolute_url())
    markers = page.context["position_chart"]["data"]
    assert markers[-1]["name"] == "Previous round" and markers[-1]["marker"]["opacity"] < 1
    assert "Since the previous round" in page.text
    checks = {c.item.pk: c for c in page.context["plan_checks"]}
    assert [c.verdict for c in checks.values()] == ["improved", "unchanged"]
    assert "Moved forward" in page.text and "No movement yet" in page.text


def test_plan_check_reports_a_decline(organization, questionnaire, stages):
    before = make_round(organization, questionnaire, datetime.date(2026, 1, 1), {2: 3})
    after = make_round(organization, questionnaire, datetime.date(2026, 4, 1), {2: 1})
    item = PlanItem.objects.create(
        round=before, indicator=Indicator.objects.get(key="strategic.lead-definition")
    )
    [check] = results.check_plan([item], before, after, stages)
    assert check.verdict == "declined"
    assert "declined from 100% to 33%" in check.changes[0].sentence


def test_members_commit_to_plan_items_once(client, leader, round):
    Round.objects.filter(pk=round.pk).update(visibility="open")
    submit_response(round, "marketing", lowest)
    client.force_login(leader)
    step = NextStep.objects.filter(stage__number=1).first()
    url = reverse("assessments:plan_add", args=[round.pk])
    data = {"item": f"step-{step.pk}", "owner": "both", "note": "Off-site in May"}
    client.post(url, data)
    client.post(url, data)
    item = PlanItem.objects.get()
    assert (item.step, item.owner, item.note) == (step, "both", "Off-site in May")
    tampered = client.post(url, {"item": "step-999999", "owner": "both"})
    assert tampered.status_code == 400
    other_stage = NextStep.objects.filter(stage__number=3).first()
    assert client.post(url, {"item": f"step-{other_stage.pk}"}).status_code == 400
    assert PlanItem.objects.count() == 1
    client.post(reverse("assessments:plan_remove", args=[round.pk, item.pk]))
    assert not PlanItem.objects.exists()


def test_start_the_next_round_invites_the_same_people_again(client, leader, round):
    submit_response(
        round, "marketing", highest, email="m@acme.example", name="Marta", language="es"
    )
    submit_response(round, "sales", highest, email="s@acme.example")
    close(round)
    client.force_login(leader)
    form = client.get(reverse("assessments:round_new", args=[round.organization.pk]))
    assert "Marta" in form.text
    client.post(
        reverse("assessments:round_new", args=[round.organization.pk]),
        {"reinvite": ["m@acme.example"], "visibility": "open"},
    )
    new = Round.objects.exclude(pk=round.pk).get()
    invited = Response.objects.get(round=new)
    assert (invited.email, invited.name, invited.role, invited.language) == (
        "m@acme.example",
        "Marta",
        "marketing",
        "es",
    )
    assert [m.to for m in mail.outbox] == [["m@acme.example"]]


def test_team_page_query_count_does_not_grow_with_rounds(
    client, leader, organization, questionnaire, django_assert_num_queries
):
    def add_rounds(count, start):
        for index in range(count):
            day = start + datetime.timedelta(days=30 * index)
            make_round(organization, questionnaire, day, {2: index % 4}, roles=("ceo",))

    add_rounds(4, datetime.date(2020, 1, 1))
    client.force_login(leader)
    url = organization.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(7) as four:
        client.get(url)
    add_rounds(36, datetime.date(2021, 1, 1))
    assert organization.rounds.count() == 40
    with django_assert_num_queries(len(four.captured_queries)):
        page = client.get(url)
    assert len(page.context["progress_chart"]["data"][0]["x"]) == 40


def test_members_change_the_cadence_and_the_due_date_follows(
    client, leader, organization, questionnaire
):
    Round.objects.create(
        organization=organization, questionnaire=questionnaire, opened_on=datetime.date(2026, 1, 31)
    )
    organization.refresh_from_db()
    assert organization.next_due_on == datetime.date(2026, 4, 30)  # quarterly by default
    client.force_login(leader)
    response = client.post(
        reverse("assessments:organization_settings", args=[organization.pk]),
        {"name": "Acme", "industry": "software", "size": "11-50", "cadence": "monthly"},
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.cadence) == ("Acme", "monthly")
    assert organization.next_due_on == datetime.date(2026, 2, 28)
    bad = client.post(
        reverse("assessments:organization_settings", args=[organization.pk]),
        {"name": "", "cadence": "hourly"},
    )
    assert bad.status_code == 200
    organization.refresh_from_db()
    assert organization.cadence == "monthly"
