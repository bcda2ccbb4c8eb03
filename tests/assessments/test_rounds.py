"""Rounds: the team's result, role groups, the marketing–sales gap and anonymity."""

import pytest
from django.urls import reverse

from assessments.models import Answer, Response, Round
from assessments.models.rounds import _scoring_answer, scored_answers
from tests.helpers import close, highest, lowest, submit_response

pytestmark = pytest.mark.django_db


def test_round_position_scores_the_mean_value_per_indicator(round):
    submit_response(round, "marketing", highest)
    submit_response(round, "sales", lowest)
    round.refresh_from_db()
    # Every indicator averages to 0.5: stage 2 is 0.5 / 0.75 = two thirds reached.
    assert float(round.position) == pytest.approx(1.6667)
    assert round.respondents == 2
    assert (float(round.lowest), float(round.highest)) == (1.0, 4.0)
    assert all(value == 0.5 for value in round.indicator_scores.values())


def test_one_persons_knowledge_fills_anothers_dont_know(round):
    submit_response(round, "marketing", highest)
    submit_response(round, "sales", lambda q: None)
    round.refresh_from_db()
    assert float(round.position) == 4.0
    assert round.coverage == 1.0


def test_role_groups_are_stored_per_group(round):
    submit_response(round, "marketing", highest)
    submit_response(round, "ceo", lowest)
    submit_response(round, "revenue", highest)
    submit_response(round, "other", lowest)
    round.refresh_from_db()
    assert round.groups["marketing"]["count"] == 1
    assert round.groups["leadership"]["count"] == 2
    assert "sales" not in round.groups
    assert round.respondents == 4


def page(client, leader, url):
    client.force_login(leader)
    return client.get(url)


def test_the_round_page_shows_the_team_position_role_markers_and_the_gap(
    client, leader, round, settings
):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    submit_response(round, "marketing", highest)
    submit_response(round, "sales", lowest)
    submit_response(round, "ceo", highest)
    close(round)
    response = page(client, leader, round.get_absolute_url())
    text = response.text
    assert '<span class="position">1.8</span>' in text  # every indicator at 2/3
    chart = response.context["position_chart"]
    labels = [trace["name"] for trace in chart["data"]]
    assert labels == ["Team", "Marketing side", "Sales side", "Leadership"]
    assert "the perception gap" in text
    assert (
        "On “Marketing and sales have agreed together on what makes a lead qualified.”, "
        "marketing sees it as in place (100%) and sales sees it as missing (0%)." in text
    )
    assert "half the scale or more" in text
    assert "Perception gap" in text  # flagged above the figures, with the dashboard's label


def test_role_groups_stay_hidden_below_the_anonymity_threshold(client, leader, round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    for _ in range(3):
        submit_response(round, "marketing", highest)
    submit_response(round, "sales", lowest)
    close(round)
    response = page(client, leader, round.get_absolute_url())
    # Three marketing people would be enough on their own, but showing them
    # would give away the one sales person's answers (team minus marketing).
    labels = [trace["name"] for trace in response.context["position_chart"]["data"]]
    assert labels == ["Team"]
    assert "hidden" in response.text
    assert "at least 3 people each" in response.text
    assert "only if the people outside the groups shown are none or at least 3" in response.text


def test_role_groups_show_when_nobody_is_left_alone(client, leader, round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    for role, pick in [("marketing", highest), ("sales", lowest)] * 3:
        submit_response(round, role, pick)
    close(round)
    response = page(client, leader, round.get_absolute_url())
    labels = [trace["name"] for trace in response.context["position_chart"]["data"]]
    assert labels == ["Team", "Marketing side", "Sales side"]
    assert response.context["round_summary"].shows_gap


def test_round_page_shows_who_was_invited_started_and_submitted(client, leader, round):
    submit_response(round, "marketing", highest, email="m@acme.example", name="Marta")
    Response.objects.create(
        round=round,
        questionnaire=round.questionnaire,
        organization_name="Acme",
        role="sales",
        email="s@acme.example",
    )
    response = page(client, leader, round.get_absolute_url())
    assert "1 of 2 submitted (50% response rate)" in response.text
    assert "Marta" in response.text and "s@acme.example" in response.text
    assert "Not started" in response.text


def test_team_and_round_pages_query_count_does_not_grow_with_respondents(
    client, leader, round, django_assert_num_queries, settings
):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    for role in ["marketing", "sales", "ceo"]:
        submit_response(round, role, highest)
    close(round)
    client.force_login(leader)
    urls = [round.organization.get_absolute_url(), round.get_absolute_url()]
    client.get(urls[0])  # warm the session
    small = []
    for url, count in zip(urls, [7, 16], strict=True):
        with django_assert_num_queries(count) as queries:
            client.get(url)
        small.append(len(queries.captured_queries))
    Round.objects.filter(pk=round.pk).update(closed_at=None)
    for index in range(27):
        submit_response(round, ["marketing", "sales", "ceo"][index % 3], lowest)
    close(round)
    assert round.respondents == 30
    for url, count in zip(urls, small, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_closing_a_round_stops_new_answers(client, leader, round):
    invited = Response.objects.create(
        round=round, questionnaire=round.questionnaire, organization_name="Acme", role="sales"
    )
    client.force_login(leader)
    client.post(reverse("assessments:round_close", args=[round.pk]))
    round.refresh_from_db()
    assert round.closed_at is not None and not round.is_open

    client.logout()
    section = round.questionnaire.pages()[0]
    data = {q.field_name: str(highest(q).pk) for q in section.questions.all()} | {"next": "1"}
    response = client.post(reverse("assessments:page", args=[invited.token, 1]), data)
    assert response.status_code == 410
    assert "This round is closed" in response.text
    assert not invited.answers.exists()


def test_round_past_its_closing_date_is_closed(round):
    import datetime

    Round.objects.filter(pk=round.pk).update(
        opened_on=datetime.date(2020, 1, 1), closes_on=datetime.date(2020, 1, 31)
    )
    round.refresh_from_db()
    assert not round.is_open


def test_spread_of_individual_positions_shows_only_in_an_open_round(
    client, leader, round, settings
):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    submit_response(round, "marketing", highest)
    submit_response(round, "sales", lowest)
    submit_response(round, "ceo", lowest)
    close(round)
    # Lowest and highest are two people's positions: a confidential round never shows them.
    page_text = page(client, leader, round.get_absolute_url()).text
    assert "<span" in page_text and "individual positions" not in page_text
    Round.objects.filter(pk=round.pk).update(visibility="open")
    page_text = page(client, leader, round.get_absolute_url()).text
    assert "individual positions from 1.0 to 4.0" in page_text


def test_a_rounds_answers_read_as_values_are_the_answers_scoring_reads(round):
    # The round's recompute reads answers as values (scored_answers), a
    # respondent's own score reads Answer rows (_scoring_answer): the same data.
    submit_response(round, "marketing", highest)
    submit_response(round, "sales", lowest)
    rows = Answer.objects.filter(response__round=round)
    expected = {}
    for answer in rows.select_related("question__indicator__stage", "option"):
        expected.setdefault(answer.response_id, []).append(_scoring_answer(answer))
    grouped = scored_answers(rows)
    assert grouped.keys() == expected.keys()
    assert any(answer.named for answers in expected.values() for answer in answers)
    for pk, answers in expected.items():
        assert sorted(grouped[pk], key=repr) == sorted(answers, key=repr)
