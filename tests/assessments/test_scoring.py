import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import (
    FOUNDATION_GAP,
    LOW_COVERAGE_FLAG,
    REACHED_THRESHOLD,
    Answer,
    score,
)


def stage_answers(**values):
    """Answers keyed s2=[...], s3=[...], s4=[...]."""
    return [Answer(stage=int(key[1]), value=v) for key, vs in values.items() for v in vs]


@pytest.mark.parametrize(
    "answers, position, stage, progress",
    [
        (stage_answers(s2=[0, 0], s3=[0], s4=[0]), 1.0, 1, 0.0),
        (stage_answers(s2=[1, 1], s3=[1], s4=[1]), 4.0, 4, 0.0),
        # Half the threshold in stage 2: half-way to strategic alignment.
        (stage_answers(s2=[REACHED_THRESHOLD / 2], s3=[1], s4=[1]), 1.5, 1, 0.5),
        # Just below the threshold stays in stage 1, just at it moves to stage 2.
        (stage_answers(s2=[0.7499], s3=[0], s4=[0]), 1.9999, 1, 0.9999),
        (stage_answers(s2=[0.75], s3=[0], s4=[0]), 2.0, 2, 0.0),
        (stage_answers(s2=[1], s3=[0.45], s4=[0]), 2.6, 2, 0.6),
        (stage_answers(s2=[0.8], s3=[0.9], s4=[0.3]), 3.4, 3, 0.4),
        (stage_answers(s2=[1], s3=[1], s4=[0.75]), 4.0, 4, 0.0),
        # Gating: a perfect stage 4 adds nothing while stage 3 is not reached.
        (stage_answers(s2=[1], s3=[0.15], s4=[1]), 2.2, 2, 0.2),
    ],
)
def test_boundaries(answers, position, stage, progress):
    result = score(answers)
    assert result.position == pytest.approx(position)
    assert result.stage == stage
    assert result.progress == pytest.approx(progress)


def test_attainment_is_the_weighted_mean_per_stage():
    result = score(
        [
            Answer(stage=2, value=1.0, weight=3),
            Answer(stage=2, value=0.0, weight=1),
            Answer(stage=3, value=0.5),
        ]
    )
    assert result.attainment == {2: 0.75, 3: 0.5, 4: 0.0}
    assert result.measured == {2, 3}


def test_dont_know_is_left_out_of_the_score_but_lowers_coverage():
    known = score(stage_answers(s2=[1, 1], s3=[0.3]))
    with_unknowns = score(stage_answers(s2=[1, 1], s3=[0.3]) + [Answer(stage=3, value=None)])
    assert with_unknowns.position == known.position
    assert known.coverage == 1.0
    assert with_unknowns.coverage == 0.75


def test_stage_without_any_answer_counts_as_not_reached():
    result = score(stage_answers(s3=[1], s4=[1]))
    assert result.position == 1.0
    assert FOUNDATION_GAP not in result.flags  # stage 2 was never measured


def test_org_chart_without_structure_is_a_foundation_gap():
    # One revenue leader on paper (stage 4), teams still siloed (stages 2-3).
    result = score(stage_answers(s2=[0, 0.33], s3=[0], s4=[1, 0.33]))
    assert result.stage == 1
    assert FOUNDATION_GAP in result.flags


def test_steady_climb_is_no_foundation_gap():
    result = score(stage_answers(s2=[0.67, 0.67], s3=[0.5], s4=[0.33]))
    assert FOUNDATION_GAP not in result.flags


def test_mostly_unknown_answers_are_flagged():
    result = score(stage_answers(s2=[1]) + [Answer(stage=3, value=None)] * 2)
    assert LOW_COVERAGE_FLAG in result.flags


@pytest.mark.parametrize(
    "kwargs",
    [
        {"stage": 1, "value": 0.5},
        {"stage": 2, "value": 1.5},
        {"stage": 2, "value": 0.5, "weight": 0},
    ],
)
def test_invalid_answers_are_refused(kwargs):
    with pytest.raises(ValueError):
        Answer(**kwargs)


values = st.floats(min_value=0, max_value=1, allow_nan=False)
answer_lists = st.lists(
    st.builds(
        Answer,
        stage=st.sampled_from([2, 3, 4]),
        value=st.one_of(st.none(), values),
        weight=st.floats(min_value=0.1, max_value=5),
    ),
    max_size=30,
)


@given(answer_lists)
def test_position_stays_within_bounds_and_matches_stage_and_progress(answers):
    result = score(answers)
    assert 1.0 <= result.position <= 4.0
    assert result.stage == int(result.position)
    assert 0.0 <= result.progress < 1.0
    assert result.position == pytest.approx(result.stage + result.progress)
    assert all(0.0 <= a <= 1.0 for a in result.attainment.values())
    assert 0.0 <= result.coverage <= 1.0


@given(st.lists(st.sampled_from([2, 3, 4]), min_size=1, max_size=20))
def test_all_lowest_is_one_and_all_highest_is_four(stages):
    assert score([Answer(stage=s, value=0.0) for s in stages]).position == 1.0
    full = [Answer(stage=s, value=1.0) for s in {2, 3, 4} | set(stages)]
    assert score(full).position == 4.0


@given(answer_lists.filter(bool), st.data())
def test_raising_any_one_answer_never_lowers_the_position(answers, data):
    index = data.draw(st.integers(0, len(answers) - 1))
    answer = answers[index]
    if answer.value is None:
        return
    higher = data.draw(st.floats(min_value=answer.value, max_value=1))
    raised = list(answers)
    raised[index] = Answer(stage=answer.stage, value=higher, weight=answer.weight)
    assert score(raised).position >= score(answers).position


@given(answer_lists, st.data())
def test_nothing_beyond_an_unreached_stage_adds_to_the_position(answers, data):
    result = score(answers)
    if result.stage == 4:
        return
    beyond = result.stage + 2  # the first stage past the one being climbed
    if beyond > 4:
        return
    extra = data.draw(st.lists(st.builds(Answer, stage=st.integers(beyond, 4), value=values)))
    changed = [a for a in answers if a.stage < beyond] + extra
    assert score(changed).position == result.position
