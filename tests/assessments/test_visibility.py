"""What a viewer may see of a round: visibility.round_view, and the queries that follow it."""

import itertools

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assessments.models import Round
from assessments.visibility import (
    NOTHING,
    TEAM,
    Publication,
    RoundFacts,
    RoundView,
    Viewer,
    fewest_people,
    foreseen,
    publication_version,
    republished,
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
        ["never", "in force", "withdrawn"],  # publication
    )
)
PUBLICATION = {
    "position": "2.5",
    "stage": 2,
    "attainment": {},
    "indicator_scores": {},
    "flags": [],
    "coverage": 1.0,
    "respondents": 3,
    "groups": {},
    "shown": [],
}


@pytest.mark.django_db
def test_the_lists_of_rounds_select_exactly_what_round_view_shows(organization, questionnaire):
    """RoundQuerySet's published, for_consultants and with_individuals_for_consultants are
    round_view's figures and individual answers, as queries."""
    rounds = []
    for number, (visibility, access, closed, respondents, stale, publication) in enumerate(ROUNDS):
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
                publication=PUBLICATION if publication == "in force" else None,
                published_at=None if publication == "never" else timezone.now(),
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
    individuals = set(Round.objects.with_individuals_for_consultants().values_list("pk", flat=True))
    for round in Round.objects.all():
        assert (round.pk in published) == round.view(Viewer.MEMBER).figures, round.facts()
        assert (round.pk in for_consultants) == round.view(Viewer.CONSULTANT).figures
        # Rounds run with them, listed (their invitees) before anyone has answered.
        shown = round.view(Viewer.CONSULTANT).individuals
        assert (round.pk in individuals) == (shown or round.consultant_access)
        assert not shown or round.pk in individuals


# Publishing again: the publication in force, and which new version may replace it


def published_facts(held=False, **changes):
    facts_ = facts(**changes)
    return RoundFacts(
        *[getattr(facts_, name) for name in ("confidential", "consultant_access", "is_open")],
        facts_.respondents,
        facts_.stale,
        facts_.group_counts,
        publication=Publication(6, frozenset({"sales"})),
        ever_published=True,
        held=held,
    )


def test_once_published_a_round_shows_its_publication_whatever_changed_since():
    # Reopened, answered again, stale: the publication stays, with its own groups.
    changed = published_facts(held=True, is_open=True, stale=True, respondents=7, marketing=4)
    for viewer in (Viewer.MEMBER, Viewer.PEERS):
        view = round_view(changed, viewer, MINIMUM)
        assert view == RoundView(True, frozenset({"sales"}), published=True, held=True)
    # An open round not run with a consultant reads the same to one.
    consultant = round_view(published_facts(confidential=False), Viewer.CONSULTANT, MINIMUM)
    assert consultant.published and not consultant.individuals and not consultant.spread
    # Those who see each answer see the latest figures, never held back.
    for viewer, changes in [(Viewer.OPERATOR, {}), (Viewer.MEMBER, {"confidential": False})]:
        assert not round_view(published_facts(**changes), viewer, MINIMUM).published


def test_a_withdrawn_publication_shows_nothing_and_says_so():
    withdrawn = RoundFacts(True, False, False, 5, False, {"sales": 3}, None, ever_published=True)
    assert round_view(withdrawn, Viewer.MEMBER, MINIMUM) == RoundView(withdrawn=True)
    assert round_view(withdrawn, Viewer.OPERATOR, MINIMUM).figures


def test_a_meeting_with_someone_who_sees_the_publication_shows_the_publication():
    member = round_view(published_facts(held=True), Viewer.MEMBER, MINIMUM)
    run_with = round_view(published_facts(held=True, access=True), Viewer.CONSULTANT, MINIMUM)
    both = member & run_with
    assert both.published and both.held and not both.spread and not both.individuals


def people(*ranges):
    return frozenset(itertools.chain.from_iterable(range(a, b) for a, b in ranges))


@pytest.mark.parametrize(
    ("aggregates", "fewest"),
    [
        ([people((0, 3))], 3),
        # One more answer after a reopen: after minus before is that answer.
        ([people((0, 3)), people((0, 4))], 1),
        ([people((0, 3)), people((0, 6))], 3),
        # One deleted: before minus after is that answer.
        ([people((0, 4)), people((0, 3))], 1),
        # One deleted, two more answered: the difference rests on those three.
        ([people((0, 4)), people((0, 3), (10, 12))], 3),
        # A group of three inside a team of six: the parts are three and three.
        ([people((0, 6)), people((0, 3))], 3),
        # The team moved by three, but the marketing side by one.
        ([people((0, 6)), people((0, 3)), people((0, 9)), people((0, 3), (6, 7))], 1),
        # The team alone after a group: the new team minus the old group.
        ([people((0, 6)), people((0, 3)), people((0, 4))], 1),
    ],
)
def test_the_fewest_people_any_combination_of_figures_rests_on(aggregates, fewest):
    assert fewest_people(aggregates) == fewest


def _by_brute_force(aggregates):
    """The fewest people over every combination with coefficients -2..2 (a lower bound's check)."""
    everyone = set().union(*aggregates)
    best = len(everyone)
    for coefficients in itertools.product(range(-2, 3), repeat=len(aggregates)):
        weights = [
            sum(c for c, aggregate in zip(coefficients, aggregates, strict=True) if p in aggregate)
            for p in everyone
        ]
        support = sum(1 for weight in weights if weight)
        if support:
            best = min(best, support)
    return best


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.lists(st.frozensets(st.integers(0, 7), min_size=1), min_size=1, max_size=4))
def test_no_combination_rests_on_fewer_people_than_fewest_people_says(aggregates):
    """Exact: no combination tried by brute force weighs fewer people, and over the small
    coefficients tried some combination reaches it (every hyperplane of 0/1 signatures
    here has a normal with coefficients in -2..2 when there are at most four aggregates)."""
    assert fewest_people(aggregates) == _by_brute_force(aggregates)


def test_a_publication_shows_the_team_and_the_groups_a_confidential_round_shows():
    roles = {1: "marketing", 2: "marketing", 3: "marketing", 4: "sales", 5: "sales", 6: None}
    version = publication_version(roles, MINIMUM)
    assert version == {TEAM: frozenset(roles), "marketing": frozenset({1, 2, 3})}


def test_a_new_version_follows_only_when_no_comparison_singles_anyone_out():
    first = {TEAM: people((0, 6)), "marketing": people((0, 3)), "sales": people((3, 6))}
    history = [first]
    # One late answer: nothing new.
    assert republished(history, {TEAM: people((0, 7))}, MINIMUM) is None
    # Three late sellers: the team and the sales side change by three.
    three = {TEAM: people((0, 9)), "marketing": people((0, 3)), "sales": people((3, 9))}
    assert republished(history, three, MINIMUM) == three
    # Three late answers but one marketer among them: the marketing side would give that
    # one away, and so would the team minus the new sales side minus the old marketing
    # side: the new version shows the team alone.
    one_marketer = {**three, "marketing": people((0, 3), (6, 7)), "sales": people((3, 6), (7, 9))}
    assert republished(history, one_marketer, MINIMUM) == {TEAM: people((0, 9))}
    # A deleted answer (withdrawn), then two more: the difference rests on three people.
    erased = {TEAM: people((0, 5))}
    assert republished(history, erased, MINIMUM) is None
    refilled = {TEAM: people((0, 5), (10, 12))}
    assert republished([first, erased], refilled, MINIMUM) is None  # erased was never shown
    assert republished([first], refilled, MINIMUM) == refilled


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
