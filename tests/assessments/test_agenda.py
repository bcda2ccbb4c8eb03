"""The workshop agenda's order and time box: pure, no database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.agenda import (
    MAX_MINUTES,
    MIN_MINUTES,
    Candidate,
    Slot,
    climbing,
    disagreement,
    order,
    schedule,
    stage_rank,
)


def keys(items):
    return [item.key for item in items]


@pytest.mark.parametrize(
    ("candidates", "climbed", "expected"),
    [
        # Within a stage, the widest marketing–sales gap first.
        ([Candidate("a", 2, 0, gap=0.1), Candidate("b", 2, 1, gap=0.6)], 2, ["b", "a"]),
        # The stage being climbed before a later one, however wide the later gap.
        (
            [Candidate("late", 4, 0, gap=1.0), Candidate("early", 2, 1, gap=0.0)],
            2,
            ["early", "late"],
        ),
        # A team climbing stage 3: its items first, then stage 4, then the stage it reached.
        (
            [Candidate("s2", 2, 0, gap=0.9), Candidate("s4", 4, 2), Candidate("s3", 3, 1)],
            3,
            ["s3", "s4", "s2"],
        ),
        # At the top of the continuum every stage is reached: foundations first.
        ([Candidate("s4", 4, 0, gap=0.9), Candidate("s2", 2, 1)], None, ["s2", "s4"]),
        # Equal as displayed (whole percent): a tie, settled by the questionnaire's order.
        ([Candidate("x", 3, 1, gap=0.334), Candidate("y", 3, 0, gap=0.3349)], 2, ["y", "x"]),
        # In an open round the spread between people counts too.
        ([Candidate("a", 2, 0, gap=0.1), Candidate("b", 2, 1, gap=0.0, spread=1.0)], 2, ["b", "a"]),
        # Nothing shown ranks after anything shown within its stage, even a zero gap.
        ([Candidate("hidden", 2, 0), Candidate("shown", 2, 1, gap=0.0)], 2, ["shown", "hidden"]),
        # What the CRM contradicts comes first, whatever the stage climbed or the gaps.
        (
            [
                Candidate("climbed", 3, 0, gap=1.0),
                Candidate("denied", 2, 1, gap=0.0, contradicted=True),
            ],
            3,
            ["denied", "climbed"],
        ),
        # Two contradicted: the lower stage first, then the wider disagreement.
        (
            [
                Candidate("s3", 3, 0, gap=0.9, contradicted=True),
                Candidate("s2", 2, 1, contradicted=True),
                Candidate("s2-wide", 2, 2, gap=0.5, contradicted=True),
            ],
            4,
            ["s2-wide", "s2", "s3"],
        ),
        ([], 2, []),
    ],
)
def test_order(candidates, climbed, expected):
    assert keys(order(candidates, climbed)) == expected


@pytest.mark.parametrize(("stage", "climbed"), [(None, 2), (1, 2), (2, 3), (3, 4), (4, None)])
def test_the_stage_being_climbed(stage, climbed):
    assert climbing(stage) == climbed


@pytest.mark.parametrize(
    ("gap", "spread", "expected"),
    [(None, None, None), (0.2, None, 0.2), (None, 0.4, 0.4), (0.2, 0.4, 0.4), (0.5, 0.1, 0.5)],
)
def test_disagreement_is_the_larger_known_figure(gap, spread, expected):
    assert disagreement(gap, spread) == expected


def test_ten_indicators_share_ninety_minutes_the_widest_gap_getting_most():
    slots = [Slot(f"i{n}", disagreement=n / 10) for n in range(10)]
    planned = schedule(slots, 90)
    assert planned.later == [] and planned.total == 90
    minutes = list(planned.minutes.values())
    assert minutes == sorted(minutes) and minutes[0] >= MIN_MINUTES and minutes[-1] > minutes[0]


def test_what_does_not_fit_waits_for_next_time_in_agenda_order():
    slots = [Slot("a"), Slot("b", fixed=20), Slot("c"), Slot("d")]
    planned = schedule(slots, 29)
    assert planned.minutes == {"a": 9, "b": 20} and planned.later == ["c", "d"]


def test_an_item_put_off_by_hand_makes_room_for_the_next():
    planned = schedule([Slot("a", skipped=True), Slot("b"), Slot("c")], 10)
    assert list(planned.minutes) == ["b", "c"] and planned.later == ["a"]


def test_no_item_takes_more_than_half_an_hour():
    planned = schedule([Slot("a", disagreement=1.0), Slot("b")], 90)
    assert planned.minutes == {"a": MAX_MINUTES, "b": MAX_MINUTES}


@pytest.mark.parametrize(
    ("climbed", "stage", "rank"), [(3, 3, (0, 3)), (3, 4, (0, 4)), (3, 2, (1, 2))]
)
def test_stage_rank(climbed, stage, rank):
    assert stage_rank(stage, climbed) == rank


shares = st.one_of(st.none(), st.floats(min_value=0, max_value=1))
candidates = st.lists(
    st.builds(
        Candidate,
        key=st.uuids().map(str),
        stage=st.integers(min_value=2, max_value=4),
        order=st.integers(min_value=0, max_value=30),
        gap=shares,
        spread=shares,
        contradicted=st.sampled_from([False, False, False, True]),
    ),
    unique_by=lambda c: c.key,
    max_size=25,
)
climbs = st.sampled_from([2, 3, 4, None])


@given(candidates, climbs)
def test_every_candidate_once_and_the_order_never_depends_on_the_input_order(candidates, climbed):
    ranked = order(candidates, climbed)
    assert sorted(keys(ranked)) == sorted(c.key for c in candidates)
    assert keys(order(list(reversed(candidates)), climbed)) == keys(ranked)


@given(candidates, climbs)
def test_foundations_first_then_the_widest_disagreement(candidates, climbed):
    ranked = order(candidates, climbed)
    # The contradicted first, lowest stage first; then the others by stage rank.
    flags = [not item.contradicted for item in ranked]
    assert flags == sorted(flags)
    denied = [item.stage for item in ranked if item.contradicted]
    assert denied == sorted(denied)
    ranks = [stage_rank(item.stage, climbed) for item in ranked if not item.contradicted]
    assert ranks == sorted(ranks)
    believed = [c for c in candidates if not c.contradicted]
    if climbed is not None and any(c.stage == climbed for c in believed):
        assert ranked[len(denied)].stage == climbed
    for before, after in zip(ranked, ranked[1:], strict=False):
        if (before.stage, before.contradicted) == (after.stage, after.contradicted):
            shown = [
                -1 if i.disagreement_percent is None else i.disagreement_percent
                for i in (before, after)
            ]
            assert shown[0] >= shown[1]


slots = st.lists(
    st.builds(
        Slot,
        key=st.uuids().map(str),
        disagreement=shares,
        fixed=st.one_of(st.none(), st.none(), st.integers(min_value=1, max_value=120)),
        skipped=st.booleans(),
    ),
    unique_by=lambda s: s.key,
    max_size=25,
)
boxes = st.integers(min_value=0, max_value=480)


@given(slots, boxes)
def test_the_time_box_is_never_exceeded_and_every_item_is_placed_once(slots, box):
    planned = schedule(slots, box)
    assert planned.total <= box
    assert sorted([*planned.minutes, *planned.later]) == sorted(s.key for s in slots)
    assert not set(planned.minutes) & set(planned.later)


@given(slots, boxes)
def test_items_are_taken_down_the_agenda_without_jumping_one(slots, box):
    planned = schedule(slots, box)
    order_of = {slot.key: index for index, slot in enumerate(slots)}
    assert [order_of[key] for key in planned.minutes] == sorted(
        order_of[k] for k in planned.minutes
    )
    waiting = [slot for slot in slots if slot.key in planned.later and not slot.skipped]
    if waiting:
        first_waiting = order_of[waiting[0].key]
        assert all(order_of[key] < first_waiting for key in planned.minutes)


@given(slots, boxes)
def test_every_item_taken_gets_a_few_minutes_more_for_wider_disagreement(slots, box):
    planned = schedule(slots, box)
    by_key = {slot.key: slot for slot in slots}
    flexible = [key for key in planned.minutes if by_key[key].fixed is None]
    for key in planned.minutes:
        slot = by_key[key]
        if slot.fixed is not None:
            assert planned.minutes[key] == slot.fixed
        else:
            assert MIN_MINUTES <= planned.minutes[key] <= MAX_MINUTES
    for a in flexible:
        for b in flexible:
            if _shown(by_key[a]) > _shown(by_key[b]):
                assert planned.minutes[a] >= planned.minutes[b]
    # The box is used up unless every item already has the most it may get.
    if flexible and any(planned.minutes[key] < MAX_MINUTES for key in flexible):
        assert planned.total == box


def _shown(slot):
    # An item whose disagreement may not be shown claims what one with none claims.
    return 0 if slot.disagreement is None else int(slot.disagreement * 100 + 1e-9)
