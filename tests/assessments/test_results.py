"""results.py, the one home of the rules that turn numbers into words (no database)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from assessments import results, scoring
from assessments.results import IN_PLACE, MISSING, PARTLY, UNKNOWN, Change, GapRow


@pytest.mark.parametrize(
    "score, shown, status",
    [
        (0.0, 0, MISSING),
        (0.3299, 32, MISSING),
        # Finding: 0.3333 (the stored 1/3 anchor) read "missing" while a mean of 0.33335
        # read "partly in place"; both show 33%, so both are "partly in place".
        (0.3333, 33, PARTLY),
        (0.33335, 33, PARTLY),
        (0.7499, 74, PARTLY),
        (0.75, 75, IN_PLACE),
        (1.0, 100, IN_PLACE),
        (None, None, UNKNOWN),
    ],
)
def test_a_status_is_read_off_the_figure_shown(score, shown, status):
    assert (None if score is None else results.percent(score)) == shown
    assert results.status(score) == status


def test_a_status_band_never_straddles_a_displayed_percent():
    by_percent = {}
    for tenth_of_a_thousandth in range(10001):
        score = tenth_of_a_thousandth / 10000
        by_percent.setdefault(results.percent(score), set()).add(results.status(score))
    assert all(len(statuses) == 1 for statuses in by_percent.values())


def test_a_change_in_points_is_the_difference_of_the_figures_shown():
    # Finding: "0% to 55% (+56 points)".
    change = Change(SimpleNamespace(text="X"), 0.0, 0.5555)
    assert (change.before_percent, change.after_percent, change.points) == (0, 55, 55)
    with translation.override("en"):
        assert change.sentence == "“X” improved from 0% to 55% (+55 points)."


@pytest.mark.parametrize(
    "before, after, direction",
    [
        (0.2999, 0.3498, results.IMPROVED),  # 29% → 34%: five points, as shown
        (0.3000, 0.3499, results.UNCHANGED),  # 30% → 34%: four points
        (0.5, 0.45, results.DECLINED),
        (None, 0.5, results.NOT_MEASURED),
    ],
)
def test_whether_an_indicator_moved_follows_the_points_shown(before, after, direction):
    assert Change(SimpleNamespace(text="X"), before, after).direction == direction


def test_a_gap_in_points_is_the_difference_of_the_figures_shown():
    row = GapRow(SimpleNamespace(), 0.5555, 0.0001, True)
    assert (row.marketing_percent, row.sales_percent, row.difference) == (55, 0, 55)


@pytest.mark.parametrize(
    "position, stage, flags, english, spanish",
    [
        (Decimal("2.4667"), 2, [], "2.4", "2,4"),
        (Decimal("2.0000"), 2, ["not-measured"], "≥ 2.0", "≥ 2,0"),
        (Decimal("4.0000"), 4, ["low-coverage"], "–", "–"),
        (None, None, [], "–", "–"),
    ],
)
def test_one_reading_of_a_position_in_both_languages(position, stage, flags, english, spanish):
    reading = results.read_position(position, stage, flags)
    with translation.override("en"):
        assert str(reading) == english
    with translation.override("es"):
        assert str(reading) == spanish


def test_a_reading_says_firm_lower_bound_or_not_placed():
    firm = results.read_position(Decimal("2.4667"), 2, ["foundation-gap"])
    assert (firm.firm, firm.lower_bound, firm.placed, firm.progress_percent) == (
        True,
        False,
        True,
        46,
    )
    bound = results.read_position(Decimal("3.0000"), 3, ["not-measured"])
    assert (bound.firm, bound.lower_bound, bound.needs_answers) == (False, True, 4)
    unplaced = results.read_position(Decimal("1.4000"), 1, ["low-coverage", "not-measured"])
    assert (unplaced.placed, unplaced.firm, unplaced.lower_bound) == (False, False, False)


def group(number, *scores):
    """A stage with indicators scored SCORES, as summarize() builds them."""
    stage = SimpleNamespace(number=number)
    rows = [
        results.IndicatorRow(
            SimpleNamespace(order=order, key=f"s{number}.i{order}", text=f"{number}.{order}"),
            score,
            results.status(score),
        )
        for order, score in enumerate(scores, start=1)
    ]
    return stage, rows


def weakest_keys(groups, climbing, count=3):
    return [row.indicator.key for row in results.weakest(groups, climbing, count)]


def test_where_to_start_never_reaches_two_stages_ahead():
    # Finding: a stage-1 team was told to appoint a CRO (stage 4) because scores mixed stages.
    groups = [group(2, 1.0, 1.0, 1.0, 0.0), group(3, None, None, None), group(4, 0.0, 0.0)]
    assert weakest_keys(groups, climbing=2) == ["s2.i4"]


def test_where_to_start_takes_the_next_stage_only_when_the_climbed_one_is_short():
    groups = [group(2, 1.0, 0.5, 1.0, 1.0), group(3, 0.2, 0.6, 0.0), group(4, 0.0, 0.0)]
    assert weakest_keys(groups, climbing=2) == ["s2.i2", "s3.i3", "s3.i1"]
    assert weakest_keys(groups, climbing=3) == ["s3.i3", "s3.i1", "s3.i2"]
    assert weakest_keys(groups, climbing=3, count=5) == [
        "s3.i3",
        "s3.i1",
        "s3.i2",
        "s4.i1",
        "s4.i2",
    ]


def test_where_to_start_at_the_end_of_the_continuum_keeps_the_top_stage():
    groups = [group(2, 1.0), group(3, 1.0), group(4, 0.8, 0.7)]
    assert weakest_keys(groups, climbing=5) == ["s4.i2"]


def test_flag_labels_cover_every_flag_in_both_languages():
    codes = {
        scoring.FOUNDATION_GAP,
        scoring.NOT_MEASURED,
        scoring.LOW_COVERAGE_FLAG,
        scoring.PERCEPTION_GAP,
    }
    with translation.override("en"):
        english = results.flag_labels()
    with translation.override("es"):
        spanish = results.flag_labels()
    assert set(english) == set(spanish) == codes
    assert all(english[code] != spanish[code] for code in codes)


def stored_group(count, attainment, indicators):
    return {"count": count, "attainment": attainment, "indicator_scores": indicators}


def test_the_perception_gap_flag_follows_the_team_pages_rule():
    # Finding: the dashboard compared positions; the team page compares stages and indicators.
    # Close positions but one indicator seen "in place" by one side and "missing" by the other.
    groups = {
        "marketing": stored_group(3, {"2": 0.6, "3": 0.1}, {"a.x": 1.0, "a.y": 0.3}),
        "sales": stored_group(3, {"2": 0.45, "3": 0.1}, {"a.x": 0.0, "a.y": 0.6}),
    }
    both = {"marketing", "sales"}
    assert results.round_flags(["foundation-gap"], groups, both) == [
        "foundation-gap",
        "perception-gap",
    ]
    assert results.round_flags([], groups, {"marketing"}) == []  # a hidden side shows no gap
    groups["sales"]["indicator_scores"]["a.x"] = 0.9
    assert results.round_flags([], groups, both) == []
