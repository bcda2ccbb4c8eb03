"""Rounds named so that two cannot be confused: a unique default, a form that refuses a twin."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import Round
from tests.helpers import close

pytestmark = pytest.mark.django_db


def new_round(organization, questionnaire, **fields):
    return Round.objects.create(organization=organization, questionnaire=questionnaire, **fields)


def test_rounds_opened_on_one_day_get_names_that_tell_them_apart(organization, questionnaire):
    first = close(new_round(organization, questionnaire))
    second = new_round(organization, questionnaire)
    assert first.opened_on == second.opened_on
    assert (first.name, second.name) == ("Round 1", "Round 2")
    # Another organization counts its own rounds.
    other = new_round(type(organization).objects.create(name="Other"), questionnaire)
    assert other.name == "Round 1"


def test_a_default_name_is_never_one_already_taken(organization, questionnaire):
    first = close(new_round(organization, questionnaire))
    close(new_round(organization, questionnaire))
    first.delete()
    # Two rounds left ("Round 2"): the next is "Round 3", not a second "Round 2".
    assert new_round(organization, questionnaire).name == "Round 3"


def test_a_round_started_in_spanish_is_named_in_spanish(organization, questionnaire):
    with translation.override("es"):
        assert new_round(organization, questionnaire).name == "Ronda 1"


def test_the_database_refuses_two_rounds_of_one_organization_named_alike(
    organization, questionnaire
):
    close(new_round(organization, questionnaire, name="Before the offsite"))
    with pytest.raises(IntegrityError), transaction.atomic():
        new_round(organization, questionnaire, name="before the OFFSITE")


def start_url(organization):
    return reverse("assessments:round_new", args=[organization.pk])


def test_the_form_proposes_the_default_name(member, organization, questionnaire):
    close(new_round(organization, questionnaire))
    page = member.get(start_url(organization))
    assert page.context["form"]["name"].value() == "Round 2"
    assert 'value="Round 2"' in page.text


def test_the_form_refuses_a_name_taken_and_changes_nothing(member, organization, questionnaire):
    close(new_round(organization, questionnaire, name="4 Dec 2026"))
    page = member.post(start_url(organization), {"name": " 4 dec  2026 ", "visibility": "open"})
    assert page.status_code == 200 and Round.objects.count() == 1
    text = " ".join(page.text.split())
    assert (
        f"Another round of {organization.name} is already called “4 dec 2026”. Choose a name "
        "that tells the two apart, such as the month or the occasion." in text
    )


def test_the_form_keeps_a_new_name_or_gives_the_default(member, organization, questionnaire):
    started = member.post(start_url(organization), {"name": "Kick-off", "visibility": "open"})
    assert started.status_code == 302
    round = Round.objects.get()
    assert round.name == "Kick-off"
    round.closed_at = timezone.now()
    round.save()
    member.post(start_url(organization), {"name": "  ", "visibility": "open"})
    assert Round.objects.order_by("pk").last().name == "Round 2"


def test_the_name_reads_on_the_round_and_team_pages(member, organization, questionnaire):
    round = new_round(organization, questionnaire, name="Before the offsite")
    assert "<h1>Before the offsite" in member.get(round.get_absolute_url()).text
    team = member.get(organization.get_absolute_url()).text
    assert "“Before the offsite”, opened on" in team
    assert f'<a href="{round.get_absolute_url()}">Before the offsite</a>' in team


def test_the_form_refuses_a_twin_in_spanish(member, organization, questionnaire, spanish):
    close(new_round(organization, questionnaire, name="Ronda 1"))
    page = member.post(start_url(organization), {"name": "ronda 1", "visibility": "open"})
    assert "ya se llama «ronda 1»" in page.text
