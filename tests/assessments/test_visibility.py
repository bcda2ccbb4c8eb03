"""What a viewer may see of a round: visibility.round_view, and the queries that follow it."""

import itertools

import pytest
from django.utils import timezone

from assessments.models import Round
from assessments.visibility import (
    NOTHING,
    RoundFacts,
    RoundView,
    Viewer,
    foreseen,
    round_view,
    shows_gap,
    shows_leadership_gap,
    visible_groups,
)

MINIMUM = 3


def facts(confidential=True, access=False, is_open=False, respondents=6, stale=False, **counts):
    counts = counts or {"marketing": 3, "sales": 3}
    return RoundFacts(confidential, access, is_open, respondents, stale, counts)


@pytest.mark.parametrize("viewer", list(Viewer))
def test_a_round_without_answers_shows_nothing_to_anyone(viewer):
    for confidential, access, is_open in itertools.product([True, False], repeat=3):
        empty = facts(confidential, access, is_open, respondents=0, marketing=0)
        assert round_view(empty, viewer, MINIMUM) == NOTHING


def test_nobody_outside_the_organization_sees_anything():
    assert round_view(facts(confidential=False), Viewer.NOBODY, MINIMUM) == NOTHING


def test_members_see_a_confidential_round_only_once_closed_with_enough_answers():
    assert round_view(facts(is_open=True), Viewer.MEMBER, MINIMUM) == NOTHING
    assert round_view(facts(respondents=2, marketing=2), Viewer.MEMBER, MINIMUM) == NOTHING
    assert round_view(facts(stale=True), Viewer.MEMBER, MINIMUM) == NOTHING
    view = round_view(facts(), Viewer.MEMBER, MINIMUM)
    assert view == RoundView(True, frozenset({"marketing", "sales"}), False, False)
    assert view.gap


def test_members_see_everything_of_an_open_round_from_the_first_answer():
    view = round_view(facts(False, is_open=True, respondents=1, marketing=1), Viewer.MEMBER, 3)
    assert view == RoundView(True, frozenset({"marketing"}), spread=True, individuals=True)


def test_a_consultant_sees_individual_answers_only_of_a_round_run_with_them():
    open_round = facts(confidential=False, respondents=2, marketing=1, sales=1)
    assert round_view(open_round, Viewer.CONSULTANT, MINIMUM) == NOTHING
    closed = facts(confidential=False, marketing=3, sales=3)
    view = round_view(closed, Viewer.CONSULTANT, MINIMUM)
    # An open round not run with them reads as a confidential one would: no spread,
    # no answer one by one, no group that could single anyone out.
    assert view == RoundView(True, frozenset({"marketing", "sales"}))
    run_with_them = facts(confidential=True, access=True, is_open=True, respondents=1, sales=1)
    assert round_view(run_with_them, Viewer.CONSULTANT, MINIMUM) == RoundView(
        True, frozenset({"sales"}), True, True
    )


def test_operators_see_every_answered_round():
    view = round_view(facts(is_open=True, respondents=1, marketing=1), Viewer.OPERATOR, MINIMUM)
    assert view == RoundView(True, frozenset({"marketing"}), True, True)


def test_a_meeting_shows_what_every_viewer_in_it_may_see():
    closed_open_round = facts(confidential=False)
    member = round_view(closed_open_round, Viewer.MEMBER, MINIMUM)
    consultant = round_view(closed_open_round, Viewer.CONSULTANT, MINIMUM)
    assert (member & consultant) == consultant
    assert not (member & consultant).individuals


@pytest.mark.parametrize(
    ("groups", "gap", "leadership_gap"),
    [
        ({"marketing", "sales"}, True, False),
        ({"marketing", "sales", "leadership"}, True, True),
        # A comparison shows only when every group in it does.
        ({"marketing", "leadership"}, False, False),
        ({"sales", "leadership"}, False, False),
        ({"leadership"}, False, False),
        (set(), False, False),
    ],
)
def test_a_gap_between_role_groups_needs_every_group_in_it_shown(groups, gap, leadership_gap):
    view = RoundView(True, frozenset(groups))
    assert (view.gap, view.leadership_gap) == (gap, leadership_gap)
    assert (shows_gap(groups), shows_leadership_gap(groups)) == (gap, leadership_gap)


def test_a_confidential_round_with_its_sales_side_hidden_shows_no_gap_to_anyone():
    # Three marketing people and three leaders show; the two sales people do not, and
    # with the one "other" they are three outside the groups shown, so nobody is singled out.
    hidden = facts(respondents=9, marketing=3, leadership=3, sales=2)
    for viewer in [Viewer.MEMBER, Viewer.CONSULTANT]:
        view = round_view(hidden, viewer, MINIMUM)
        assert view.groups == {"marketing", "leadership"}
        assert not view.gap and not view.leadership_gap
    assert round_view(hidden, Viewer.OPERATOR, MINIMUM).leadership_gap


@pytest.mark.parametrize(
    ("counts", "respondents", "shown"),
    [
        ({"marketing": 3, "sales": 3}, 6, {"marketing", "sales"}),
        # One person outside the groups shown would be the team minus the groups.
        ({"marketing": 3, "sales": 3}, 7, {"sales"}),
        ({"marketing": 3, "sales": 2}, 5, set()),
        ({"marketing": 3, "sales": 3, "leadership": 3}, 9, {"marketing", "sales", "leadership"}),
    ],
)
def test_a_confidential_group_shows_only_when_nobody_can_be_singled_out(counts, respondents, shown):
    assert visible_groups(counts, respondents, True, MINIMUM) == shown


ROUNDS = list(
    itertools.product(
        ["confidential", "open"],  # visibility
        [False, True],  # consultant_access
        [False, True],  # closed
        [0, 1, 3],  # respondents
        [False, True],  # result_stale
    )
)


@pytest.mark.django_db
def test_the_lists_of_rounds_select_exactly_what_round_view_shows(organization, questionnaire):
    """RoundQuerySet.published and .for_consultants are round_view's figures, as queries."""
    rounds = []
    for number, (visibility, access, closed, respondents, stale) in enumerate(ROUNDS):
        rounds.append(
            Round(
                organization=organization,
                questionnaire=questionnaire,
                name=f"Round {number}",
                visibility=visibility,
                consultant_access=access,
                closed_at=timezone.now() if closed else None,
                respondents=respondents,
                result_stale=stale,
            )
        )
    # One open round per organization: the open ones go to organizations of their own.
    from assessments.models import Organization

    for round in rounds:
        if round.closed_at is None:
            round.organization = Organization.objects.create(name="Another")
    Round.objects.bulk_create(rounds)
    published = set(Round.objects.published().values_list("pk", flat=True))
    for_consultants = set(Round.objects.for_consultants().values_list("pk", flat=True))
    for round in Round.objects.all():
        assert (round.pk in published) == round.view(Viewer.MEMBER).figures, round.facts()
        assert (round.pk in for_consultants) == round.view(Viewer.CONSULTANT).figures


@pytest.mark.parametrize("confidential", [True, False])
@pytest.mark.parametrize("access", [True, False])
@pytest.mark.parametrize("viewer", [Viewer.MEMBER, Viewer.CONSULTANT])
@pytest.mark.parametrize(
    "counts", [{"marketing": 1, "sales": 1, "leadership": 1}, {"marketing": 3, "sales": 4}]
)
def test_what_the_round_form_foresees_is_the_closed_rounds_view(
    confidential, access, viewer, counts
):
    respondents = sum(counts.values())
    closed = RoundFacts(confidential, access, False, respondents, False, counts)
    assert foreseen(counts, respondents, confidential, access, viewer, MINIMUM) == round_view(
        closed, viewer, MINIMUM
    )
