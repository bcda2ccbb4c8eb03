"""Publishing again: what members and consultants see of a round once its figures came out."""

import datetime
import itertools

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.management.commands.materialize_benchmark import materialize
from assessments.models import Answer, BenchmarkEntry, Organization, Round
from assessments.visibility import TEAM, Viewer
from tests.helpers import close, highest, lowest, submit_response

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3


ADDRESSES = itertools.count()


def answered(round, *roles, pick=highest):
    return [
        submit_response(round, role, pick, email=f"person{next(ADDRESSES)}@acme.example")
        for role in roles
    ]


def reloaded(round):
    return Round.objects.get(pk=round.pk)


def test_closing_records_the_figures_shown_and_who_they_rest_on(round):
    people = answered(
        round, "marketing", "marketing", "marketing", "sales", "sales", "sales", "ceo"
    )
    round.close()
    round = reloaded(round)
    assert round.publication["position"] == str(round.position)
    # Both sides would leave the CEO alone outside the groups shown.
    assert round.publication["shown"] == ["sales"]
    assert round.published_versions == [
        {TEAM: sorted(p.pk for p in people), "sales": sorted(p.pk for p in people[3:6])}
    ]
    seen = round.seen_by(Viewer.MEMBER)
    assert seen.position == round.position and seen.groups["marketing"] == {"count": 3}


def test_a_reopened_open_round_keeps_its_publication_for_the_consultant(
    member, organization, questionnaire, make_consultant
):
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    answered(round, "marketing", "sales", "ceo")
    round.close()
    shown = reloaded(round).publication
    client = Client()
    client.force_login(make_consultant("c@consult.example", organization))
    url = reverse("admin:dashboard_client", args=[organization.pk])

    member.post(reverse("assessments:round_reopen", args=[round.pk]))
    late = submit_response(round, "revenue", lowest, email="late@acme.example")
    round = reloaded(round)
    assert round.is_open and round.publication == shown and round.publication_held
    page = client.get(url)
    assert page.context["round_summary"].round.position == round.seen_by(Viewer.CONSULTANT).position
    assert "Answers given or deleted since are not in them" in page.text
    # The members of an open round see every answer, the late one included, at once.
    assert late.pk in [r.pk for r in member.get(round.get_absolute_url()).context["individuals"]]

    round.close()
    assert reloaded(round).publication == shown  # one more answer: too few to show

    member.post(reverse("assessments:round_reopen", args=[round.pk]))
    answered(round, "marketing", "sales", pick=lowest)
    round.close()
    round = reloaded(round)
    assert round.publication["respondents"] == 6 and not round.publication_held
    assert len(round.published_versions) == 2
    assert "not in them" not in client.get(url).text


def test_deleting_an_answer_withdraws_the_figures_it_was_in(member, round, organization):
    """An erasure request: the answers leave the database, and no stored figure keeps them."""
    erased, *others = answered(round, "marketing", "sales", "ceo", "revenue")
    close(round)
    Organization.objects.filter(pk=organization.pk).update(benchmark_opt_in=True)
    for index in range(5):
        peer = Organization.objects.create(name=f"Peer {index}", benchmark_opt_in=True)
        peer_round = Round.objects.create(organization=peer, questionnaire=round.questionnaire)
        answered(peer_round, "marketing", "sales", "ceo")
        close(peer_round)
    materialize()
    assert BenchmarkEntry.objects.filter(round=round).exists()

    erased.delete()
    round = reloaded(round)
    assert not Answer.objects.filter(response_id=erased.pk).exists()
    assert round.publication is None and round.published_at is not None
    assert round.respondents == 3  # the latest computed figures leave her out
    assert not BenchmarkEntry.objects.filter(round=round).exists()
    assert stored_position(organization) is None
    page = member.get(round.get_absolute_url())
    assert not page.context["round"].is_published
    assert "were withdrawn when an answer in them was deleted" in page.text
    team = member.get(reverse("assessments:team", args=[organization.pk]))
    assert team.context["latest"] is None and "withdrawn" in team.text

    # Reopened (a withdrawn round may be), two more answers: three people changed.
    assert member.post(reverse("assessments:round_reopen", args=[round.pk])).status_code == 302
    answered(reloaded(round), "sales", "ceo", pick=lowest)
    reloaded(round).close()
    round = reloaded(round)
    assert round.publication["respondents"] == 5
    assert member.get(round.get_absolute_url()).context["round"].is_published


def stored_position(organization):
    return Organization.objects.get(pk=organization.pk).latest_position


def test_deleting_an_answer_no_publication_holds_changes_nothing_shown(round):
    first = answered(round, "marketing", "sales", "ceo")
    round.close()
    # A later round's answer, deleted: nothing of this round moves.
    later = Round.objects.create(organization=round.organization, questionnaire=round.questionnaire)
    (gone,) = answered(later, "marketing")
    gone.delete()
    assert reloaded(round).publication["respondents"] == len(first)


def test_a_round_whose_closing_day_passed_is_recorded_before_anything_changes_it(round):
    Round.objects.filter(pk=round.pk).update(closes_on=timezone.localdate())
    erased, *_ = answered(round, "marketing", "sales", "ceo", "revenue")
    erased_pk = erased.pk
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        round = reloaded(round)
        assert round.closed_at is None and not round.is_open
        assert round.published_at is None and round.view(Viewer.MEMBER).figures
        erased.delete()
        round = reloaded(round)
        # Shown from its closing day, then recorded (and withdrawn) by the deletion.
        assert erased_pk in round.published_versions[0][TEAM]
        assert round.view(Viewer.MEMBER).withdrawn


def test_the_portfolio_and_the_benchmark_read_the_publication(
    member, organization, questionnaire, make_consultant
):
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    answered(round, "marketing", "sales", "ceo")
    round.close()
    published = reloaded(round).publication
    member.post(reverse("assessments:round_reopen", args=[round.pk]))
    submit_response(round, "revenue", lowest, email="late@acme.example")
    reloaded(round).close()
    round = reloaded(round)
    assert round.indicator_scores != round.seen_by(Viewer.CONSULTANT).indicator_scores
    assert round.seen_by(Viewer.CONSULTANT).indicator_scores == published["indicator_scores"]
    assert str(stored_position(organization)) == published["position"]

    Organization.objects.filter(pk=organization.pk).update(benchmark_opt_in=True)
    for index in range(4):
        peer = Organization.objects.create(name=f"Peer {index}", benchmark_opt_in=True)
        peer_round = Round.objects.create(organization=peer, questionnaire=questionnaire)
        answered(peer_round, "marketing", "sales", "ceo", pick=lowest)
        close(peer_round)
    materialize()
    entry = BenchmarkEntry.objects.get(organization=organization)
    assert str(entry.position) == published["position"]
