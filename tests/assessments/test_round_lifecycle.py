"""One open round per organization: opening, closing with confirmation, reopening."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Response, Round
from tests.helpers import answer_all, close, highest, lowest, submit_response

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_open_round(round):
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.create(organization=round.organization, questionnaire=round.questionnaire)
    close(round)
    Round.objects.create(organization=round.organization, questionnaire=round.questionnaire)
    assert round.organization.rounds.filter(closed_at=None).count() == 1


def test_opening_a_round_while_one_is_open_offers_to_close_it_first(client, leader, round):
    client.force_login(leader)
    url = reverse("assessments:round_new", args=[round.organization.pk])
    page = client.get(url)
    assert "is still open" in page.text
    close_url = reverse("assessments:round_close", args=[round.pk]) + "?then=new"
    assert close_url in page.text
    assert client.post(url, {"visibility": "open"}).status_code == 200
    assert Round.objects.count() == 1


def test_closing_asks_for_confirmation_and_names_who_has_not_answered(client, leader, round):
    submit_response(round, "marketing", highest, email="done@acme.example", name="Dora")
    round.responses.create(
        questionnaire=round.questionnaire,
        organization_name="Acme",
        role="sales",
        email="late@acme.example",
        name="Luis",
        invited_at=timezone.now(),
    )
    client.force_login(leader)
    url = reverse("assessments:round_close", args=[round.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Close the round?" in page.text
    assert "Luis" in page.text and "Dora" not in page.text
    round.refresh_from_db()
    assert round.closed_at is None  # looking closes nothing

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == round.get_absolute_url()
    round.refresh_from_db()
    assert round.closed_at is not None


def test_close_then_open_the_next_round(client, leader, round):
    client.force_login(leader)
    response = client.post(reverse("assessments:round_close", args=[round.pk]), {"then": "new"})
    assert response["Location"] == reverse("assessments:round_new", args=[round.organization.pk])
    opened = client.post(response["Location"], {"visibility": "confidential"})
    assert opened.status_code == 302
    assert round.organization.rounds.count() == 2
    assert round.organization.rounds.filter(closed_at=None).get().pk != round.pk


def test_a_round_past_its_closing_date_is_closed_when_the_next_one_opens(client, leader, round):
    Round.objects.filter(pk=round.pk).update(
        opened_on=datetime.date(2020, 1, 1), closes_on=datetime.date(2020, 1, 31)
    )
    client.force_login(leader)
    page = client.get(reverse("assessments:round_new", args=[round.organization.pk]))
    assert "Start the round" in page.text
    round.refresh_from_db()
    assert round.closed_at is not None


def test_a_closed_round_reopens_until_the_next_one_opens(client, leader, round):
    close(round)
    client.force_login(leader)
    assert "Reopen the round" in client.get(round.get_absolute_url()).text
    response = client.post(reverse("assessments:round_reopen", args=[round.pk]), follow=True)
    assert "open again" in response.text
    round.refresh_from_db()
    assert round.is_open

    close(round)
    Round.objects.create(organization=round.organization, questionnaire=round.questionnaire)
    assert "Reopen the round" not in client.get(round.get_absolute_url()).text
    response = client.post(reverse("assessments:round_reopen", args=[round.pk]), follow=True)
    assert "A later round has opened" in response.text
    round.refresh_from_db()
    assert round.closed_at is not None


def test_reopening_clears_a_past_closing_date(client, leader, round):
    Round.objects.filter(pk=round.pk).update(
        opened_on=datetime.date(2020, 1, 1), closes_on=datetime.date(2020, 1, 31)
    )
    client.force_login(leader)
    client.post(reverse("assessments:round_reopen", args=[round.pk]))
    round.refresh_from_db()
    assert round.is_open and round.closes_on is None


def test_a_published_confidential_round_cannot_be_reopened(client, leader, round, settings):
    """An attacker who reopens it could compare the figures before and after one more answer."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    for role in ("marketing", "sales", "ceo"):
        submit_response(round, role, highest)
    close(round)
    assert round.is_published
    published_position = round.position
    client.force_login(leader)
    assert "Reopen the round" not in client.get(round.get_absolute_url()).text
    response = client.post(reverse("assessments:round_reopen", args=[round.pk]), follow=True)
    assert "stays closed" in response.text
    round.refresh_from_db()
    assert round.closed_at is not None and round.is_published

    # Nobody can add an answer to it, so the published figures never move.
    late = Response.objects.create(
        round=round, questionnaire=round.questionnaire, organization_name="Acme", role="other"
    )
    section = round.questionnaire.pages()[0]
    data = {q.field_name: str(lowest(q).pk) for q in section.questions.all()} | {"next": "1"}
    client.logout()
    assert client.post(reverse("assessments:page", args=[late.token, 1]), data).status_code == 410
    round.refresh_from_db()
    assert round.position == published_position and round.respondents == 3


def test_a_hidden_confidential_round_reopens_and_publishes_once_closed(
    client, leader, round, settings
):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    submit_response(round, "marketing", highest)
    submit_response(round, "sales", highest)
    close(round)
    assert not round.is_published
    client.force_login(leader)
    client.post(reverse("assessments:round_reopen", args=[round.pk]))
    round.refresh_from_db()
    submit_response(round, "ceo", highest)
    round.refresh_from_db()
    assert round.is_open and not round.is_published  # nothing shows while it is open
    client.post(reverse("assessments:round_close", args=[round.pk]))
    round.refresh_from_db()
    assert round.is_published


def test_an_open_round_reopens_even_with_figures(client, leader, round):
    Round.objects.filter(pk=round.pk).update(visibility="open")
    submit_response(round, "marketing", highest)
    close(round)
    client.force_login(leader)
    client.post(reverse("assessments:round_reopen", args=[round.pk]))
    round.refresh_from_db()
    assert round.is_open


def test_a_kept_result_is_filed_closed_beside_an_open_round(client, leader, round, questionnaire):
    """Claiming a result while logged in attaches it even while the team has a round open."""
    kept = Response.objects.create(
        questionnaire=questionnaire, organization_name="Acme", role="ceo"
    )
    answer_all(client, kept)
    client.force_login(leader)
    response = client.post(
        reverse("assessments:keep_result", args=[kept.token]),
        {"organization": str(round.organization.pk)},
        follow=True,
    )
    assert f"Your result is now a round of {round.organization.name}" in response.text
    kept.refresh_from_db()
    assert kept.round.organization == round.organization and kept.round.closed_at is not None
    round.refresh_from_db()
    assert round.is_open
