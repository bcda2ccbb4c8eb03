"""The workshop agenda's order and timing: pure, no database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.agenda import (
    BASE_MINUTES,
    EXTRA_MINUTES,
    Candidate,
    disagreement,
    order,
    suggested_minutes,
    total_minutes,
)


def keys(items):
    return [item.key for item in items]


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        # The widest marketing–sales gap first.
        ([Candidate("a", 2, 0, gap=0.1), Candidate("b", 3, 1, gap=0.6)], ["b", "a"]),
        # Equal gaps: the earlier stage's item first, whatever the questionnaire order.
        ([Candidate("late", 4, 0, gap=0.5), Candidate("early", 2, 1, gap=0.5)], ["early", "late"]),
        # Equal as displayed (whole percent): still a tie, so foundations first.
        ([Candidate("x", 3, 0, gap=0.334), Candidate("y", 2, 1, gap=0.3349)], ["y", "x"]),
        # Same stage and disagreement: the questionnaire's order.
        ([Candidate("q2", 2, 2, gap=0.2), Candidate("q1", 2, 1, gap=0.2)], ["q1", "q2"]),
        # In an open round the spread between people counts too.
        ([Candidate("a", 2, 0, gap=0.1), Candidate("b", 2, 1, gap=0.0, spread=1.0)], ["b", "a"]),
        # Nothing shown ranks after anything shown, even a zero gap.
        ([Candidate("hidden", 2, 0), Candidate("shown", 4, 1, gap=0.0)], ["shown", "hidden"]),
        # Nothing shown at all: stage, then questionnaire order.
        ([Candidate("c", 4, 0), Candidate("a", 2, 2), Candidate("b", 2, 1)], ["b", "a", "c"]),
        ([], []),
    ],
)
def test_order(candidates, expected):
    assert keys(order(candidates)) == expected


@pytest.mark.parametrize(
    ("share", "minutes"),
    [(None, BASE_MINUTES), (0.0, 3), (0.5, 9), (1.0, 15), (2.0, 15), (-1.0, 3), (0.04, 3)],
)
def test_suggested_minutes(share, minutes):
    assert suggested_minutes(share) == minutes


@pytest.mark.parametrize(
    ("gap", "spread", "expected"),
    [(None, None, None), (0.2, None, 0.2), (None, 0.4, 0.4), (0.2, 0.4, 0.4), (0.5, 0.1, 0.5)],
)
def test_disagreement_is_the_larger_known_figure(gap, spread, expected):
    assert disagreement(gap, spread) == expected


shares = st.one_of(st.none(), st.floats(min_value=0, max_value=1))
candidates = st.lists(
    st.builds(
        Candidate,
        key=st.uuids().map(str),
        stage=st.integers(min_value=2, max_value=4),
        order=st.integers(min_value=0, max_value=30),
        gap=shares,
        spread=shares,
    ),
    unique_by=lambda c: c.key,
    max_size=25,
)


@given(candidates)
def test_every_candidate_once_and_the_order_never_depends_on_the_input_order(candidates):
    ranked = order(candidates)
    assert sorted(keys(ranked)) == sorted(c.key for c in candidates)
    assert keys(order(list(reversed(candidates)))) == keys(ranked)


@given(candidates)
def test_disagreement_never_rises_down_the_agenda_and_foundations_lead_ties(candidates):
    ranked = order(candidates)
    by_key = {c.key: c for c in candidates}
    shown = [-1 if i.disagreement_percent is None else i.disagreement_percent for i in ranked]
    assert shown == sorted(shown, reverse=True)
    for before, after in zip(ranked, ranked[1:], strict=False):
        if before.disagreement_percent == after.disagreement_percent:
            assert by_key[before.key].stage <= by_key[after.key].stage


@given(candidates)
def test_minutes_grow_with_disagreement_and_add_up(candidates):
    ranked = order(candidates)
    for item in ranked:
        assert BASE_MINUTES <= item.minutes <= BASE_MINUTES + EXTRA_MINUTES
    for before, after in zip(ranked, ranked[1:], strict=False):
        assert before.minutes >= after.minutes
    assert total_minutes(i.minutes for i in ranked) == sum(i.minutes for i in ranked)
