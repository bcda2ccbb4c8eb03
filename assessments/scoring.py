"""Place a set of answers on the 1.0–4.0 alignment continuum.

Pure: plain dataclasses in and out, no Django. The semantics follow the domain
brief: stage 1 is the baseline; stages 2, 3 and 4 each add their fill (their
attainment relative to REACHED_THRESHOLD, at most 1), and the climb stops after
the first stage that is not fully reached, because the stages are cumulative.

A stage is reached when its mean reaches the threshold *and* every indicator
the article names as making it ("named": an agreed lead definition, the
leaders' meetings, one scorecard, a revenue council, one revenue leader) is
known and established. The other indicators only count in the mean.

One person and a team are scored by the same path: answers are first reduced
to one score per indicator, and a stage's attainment is the mean of its
indicators. A single response scored on its own and the same response scored
as a team of one therefore give the same result, to the last decimal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

SCORED_STAGES = (2, 3, 4)

# A stage counts as reached when its weighted mean is at least 0.75. With four
# anchors per question (0, 1/3, 2/3, 1) that is above "established but patchy"
# (2/3) everywhere, so a team only reaches a stage when at least some of its
# practices are fully embedded, while one weak answer among strong ones does not
# hold it back.
REACHED_THRESHOLD = 0.75

# A later stage "clearly" outscores an unreached earlier one when its attainment
# is higher by at least a quarter of the scale: one whole anchor step and a bit.
FOUNDATION_GAP_MARGIN = 0.25

# An indicator of a later stage is "established" from the "established but
# patchy" anchor (2/3, stored as 0.6667) upwards: the practice exists, which is
# all the article's warning needs (a leader on the org chart, nothing beneath).
ESTABLISHED = 0.66

# Below this share of answered weight, the answers are too few to place anyone.
LOW_COVERAGE = 0.5

# Progress is stored with four decimals; it must stay below 1 until a stage is
# really reached, whatever the rounding.
PRECISION = 4
_MAX_PROGRESS = 1 - 10**-PRECISION

FOUNDATION_GAP = "foundation-gap"
# The climb stopped at a stage that needs answers: nobody could answer any of
# its questions, or nobody knew one of its named indicators. A lower bound.
NOT_MEASURED = "not-measured"
# The climb stopped at a stage whose mean is reached but one of whose named
# indicators is known and not established.
HELD_BACK = "held-back"
LOW_COVERAGE_FLAG = "low-coverage"

# What the named indicators of one stage say about it (see _gate).
MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
# Raised from the role groups of a round (see perception_gaps and
# leadership_gaps), never by score().
PERCEPTION_GAP = "perception-gap"
LEADERSHIP_GAP = "leadership-gap"


@dataclass(frozen=True)
class Answer:
    """One answer: its question's stage, a value in [0, 1] (None: "I don't know").

    ``indicator`` is the key of the indicator the question probes. Answers to
    the same indicator are averaged first; an answer without one stands alone
    (in a team, it is matched with the other respondents' answers at the same
    position). ``named``: the indicator is one that makes its stage (see the
    module's docstring); every answer to one indicator says the same.
    """

    stage: int
    value: float | None
    weight: float = 1.0
    indicator: str | None = None
    named: bool = False

    def __post_init__(self):
        if self.stage not in SCORED_STAGES:
            raise ValueError(f"stage must be one of {SCORED_STAGES}, not {self.stage!r}")
        if self.value is not None and not 0.0 <= self.value <= 1.0:
            raise ValueError(f"value must be within [0, 1], not {self.value!r}")
        if not self.weight > 0:
            raise ValueError(f"weight must be positive, not {self.weight!r}")


@dataclass(frozen=True)
class IndicatorScore:
    """What the answers say about one indicator."""

    stage: int
    value: float | None  # weighted mean of the known answers; None when nobody knew
    weight: float  # the weight of its questions
    known: float  # the part of that weight answered with something other than "I don't know"
    named: bool = False  # it makes its stage: the stage is reached only once it is established


@dataclass(frozen=True)
class FoundationGap:
    """A later stage, or one of its indicators, established above an unreached earlier stage."""

    earlier: int
    later: int
    indicator: str | None = None  # None: the later stage as a whole


@dataclass(frozen=True)
class Result:
    position: float
    stage: int
    progress: float
    attainment: dict[int, float | None]  # None: not measured (nobody knew any of its answers)
    flags: tuple[str, ...]
    coverage: float
    measured: frozenset[int]
    indicators: dict[str, float | None] = field(default_factory=dict)
    foundation_gaps: tuple[FoundationGap, ...] = ()
    # Of the stage the climb stopped at: its named indicators nobody knew (the
    # position is then a lower bound), and those known but not established.
    unknown_named: tuple[str, ...] = ()
    unmet_named: tuple[str, ...] = ()

    @property
    def next_stage(self) -> int | None:
        return self.stage + 1 if self.stage < 4 else None

    @property
    def unmeasured_stop(self) -> int | None:
        """Return the stage the climb stopped at for want of answers, if it did."""
        return self.stage + 1 if NOT_MEASURED in self.flags else None

    @property
    def is_placed(self) -> bool:
        """Tell whether enough was answered to place anyone at all."""
        return self.coverage >= LOW_COVERAGE


def score(answers: Iterable[Answer]) -> Result:
    """Score one respondent's answers onto the continuum."""
    return combine(indicator_scores(answers))


def aggregate(respondents: Iterable[Iterable[Answer]]) -> Result:
    """Score a group: each indicator's mean over the respondents who knew it.

    Averaging per indicator (rather than averaging positions) lets one person's
    knowledge fill another's "I don't know", and keeps the cumulative gating
    meaningful. An indicator nobody knew stays unknown, exactly as for one
    person, and it weighs what the best-informed respondent could answer of it.
    A group of one scores exactly like that one respondent.
    """
    per_respondent = [indicator_scores(answers) for answers in respondents]
    merged = {}
    for scores in per_respondent:
        for key, own in scores.items():
            merged.setdefault(key, []).append(own)
    for key, scores in merged.items():
        if len({(s.stage, s.named) for s in scores}) > 1:
            raise ValueError(f"respondents disagree on the stage of indicator {key!r}")
    return combine(
        {
            key: IndicatorScore(
                stage=scores[0].stage,
                value=_mean([s.value for s in scores if s.value is not None]),
                weight=max(s.weight for s in scores),
                known=max(s.known for s in scores),
                named=scores[0].named,
            )
            for key, scores in merged.items()
        }
    )


def indicator_scores(answers: Iterable[Answer]) -> dict[str | tuple, IndicatorScore]:
    """Reduce answers to one score per indicator (keyed answers) or per answer (the others)."""
    grouped = {}
    for index, answer in enumerate(answers):
        key = answer.indicator if answer.indicator is not None else (answer.stage, index)
        grouped.setdefault(key, []).append(answer)
    scores = {}
    for key, group in grouped.items():
        stages = {a.stage for a in group}
        if len(stages) > 1:
            raise ValueError(f"indicator {key!r} has answers in stages {sorted(stages)}")
        if len({a.named for a in group}) > 1:
            raise ValueError(f"indicator {key!r} is named by some answers and not by others")
        known = [(a.value, a.weight) for a in group if a.value is not None]
        mean = weighted_mean(known)
        scores[key] = IndicatorScore(
            stage=group[0].stage,
            value=None if mean is None else round(mean, PRECISION),
            weight=math.fsum(a.weight for a in group),
            known=math.fsum(weight for _, weight in known),
            named=group[0].named,
        )
    return scores


def combine(indicators: dict[str | tuple, IndicatorScore]) -> Result:
    """Place a set of indicator scores on the continuum."""
    attainment = {}
    named = {}
    for stage in SCORED_STAGES:
        mean = weighted_mean(
            (i.value, i.known)
            for i in indicators.values()
            if i.stage == stage and i.value is not None
        )
        # A stage nobody could answer for is unknown, not zero.
        attainment[stage] = None if mean is None else round(mean, PRECISION)
        named[stage] = {
            key: i.value for key, i in indicators.items() if i.stage == stage and i.named
        }
    stage, progress = _climb(attainment, named)
    total = math.fsum(i.weight for i in indicators.values())
    known = math.fsum(i.known for i in indicators.values())
    coverage = round(known / total, PRECISION) if total else 0.0
    keyed = {key: (i.stage, i.value) for key, i in indicators.items() if isinstance(key, str)}
    named_keys = {key for key, i in indicators.items() if isinstance(key, str) and i.named}
    gaps = tuple(foundation_gaps(attainment, keyed, named_keys))
    # The stage the climb stopped at, and what its named indicators say.
    stop = stage + 1 if stage < SCORED_STAGES[-1] else None
    at_stop = {k: v for k, v in named.get(stop, {}).items() if isinstance(k, str)}
    gate = _gate(named.get(stop, {}).values())
    flags = []
    if gaps:
        flags.append(FOUNDATION_GAP)
    lower_bound = stop is not None and (attainment[stop] is None or gate == UNKNOWN)
    if lower_bound:
        flags.append(NOT_MEASURED)
    elif stop is not None and is_reached(attainment[stop]) and gate == UNMET:
        flags.append(HELD_BACK)
    if coverage < LOW_COVERAGE:
        flags.append(LOW_COVERAGE_FLAG)
    return Result(
        position=round(stage + progress, PRECISION),
        stage=stage,
        progress=progress,
        attainment=attainment,
        flags=tuple(flags),
        coverage=coverage,
        measured=frozenset(n for n, value in attainment.items() if value is not None),
        indicators={key: value for key, (_, value) in keyed.items()},
        foundation_gaps=gaps,
        unknown_named=tuple(sorted(k for k, v in at_stop.items() if v is None)),
        unmet_named=()
        if lower_bound
        else tuple(sorted(k for k, v in at_stop.items() if not _established(v))),
    )


def _established(value: float | None) -> bool:
    return value is not None and value >= ESTABLISHED


def _gate(values: Iterable[float | None]) -> str:
    """Return whether a stage's named indicators let it be reached (MET), or why not.

    Nobody knowing one of them (UNKNOWN) comes first: an answer could then
    still reach the stage, so the position is a lower bound.
    """
    values = list(values)
    if any(value is None for value in values):
        return UNKNOWN
    return MET if all(_established(value) for value in values) else UNMET


def passes(attainment: float | None, named: Iterable[float | None] = ()) -> bool:
    """Tell whether a stage is reached: mean at the threshold, named indicators established."""
    return is_reached(attainment) and _gate(named) == MET


# Displayed figures: the one rule for every number a page, an e-mail or a
# spreadsheet shows. Figures are cut, never rounded: every threshold here is
# "at or above" (a whole stage, 75% reached, 50% coverage, 50 points apart), and
# only a cut figure never reads as a threshold met that was not (2.97 is not
# 3.0, 74.9% is not a reached 75%, 49.7% coverage is not the 50% it failed).
# The template filters (assessments/templatetags/figures.py), the e-mails and
# the exports (exports.position_cell, exports.share_cell) all come through here.


def one_decimal(position: float | Decimal) -> Decimal:
    """Return the position cut (not rounded) to one decimal: 2.97 reads 2.9, in stage 2."""
    return Decimal(str(position)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def percent(share: float | Decimal) -> int:
    """Return a 0..1 share as whole percent, cut: 74.9% reads 74%, never a reached 75%."""
    return int(float(share) * 100 + 1e-9)


def way_percent(shown: Decimal, stage: int) -> int:
    """How far the displayed position SHOWN is from STAGE to the next one, in whole percent.

    Read off the displayed figure, so that it always agrees with it: 1.6 is
    60% of the way, whatever decimals the stored 1.68 had.
    """
    return int((Decimal(shown) - stage) * 100)


def points(value: float | Decimal) -> int:
    """Return a figure already in points (a mean of gaps, say) as whole points, cut."""
    return int(float(value) + 1e-9)


def fill(attainment: float) -> float:
    """Return how much of a stage's way is covered, 1.0 once it is reached."""
    return min(1.0, attainment / REACHED_THRESHOLD)


def is_reached(attainment: float | None) -> bool:
    return attainment is not None and attainment >= REACHED_THRESHOLD


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Return the mean of (value, weight) pairs, None when there are none.

    Exact sums (fsum), so the order of the answers never changes a figure.
    """
    pairs = list(pairs)
    weights = math.fsum(weight for _, weight in pairs)
    return math.fsum(value * weight for value, weight in pairs) / weights if weights else None


def _mean(values: list[float]) -> float | None:
    return round(math.fsum(values) / len(values), PRECISION) if values else None


def _climb(
    attainment: dict[int, float | None], named: dict[int, dict[str | tuple, float | None]]
) -> tuple[int, float]:
    """Return the stage reached and the fill of the next one.

    The fill of a stage a named indicator holds back is its usual fill, kept
    below 1: the mean already weighs that indicator, and the stage is passed
    only once it is established. Each stage's contribution therefore only
    grows as any answer grows, and so does the position.
    """
    stage = 1
    for number in SCORED_STAGES:
        value = attainment[number]
        gate = _gate(named[number].values())
        if value is None or gate == UNKNOWN:
            # Not measured, or a named indicator nobody knew: the climb cannot
            # pass a stage whose verdict depends on answers nobody gave.
            return stage, 0.0
        if not is_reached(value) or gate == UNMET:
            return stage, min(round(fill(value), PRECISION), _MAX_PROGRESS)
        stage = number
    return 4, 0.0


def foundation_gaps(
    attainment: dict[int, float | None],
    indicators: dict[str, tuple[int, float | None]] | None = None,
    named: Iterable[str] = (),
) -> list[FoundationGap]:
    """Return where a later stage stands on an earlier one that is not reached.

    The article's "new org chart, same silos": a later stage, or one of its
    indicators (above all one leader over both functions), is established
    while an earlier stage it depends on is not reached. Judged stage by stage
    and indicator by indicator, since one established indicator is diluted in
    its stage's mean by the missing structure next to it. ``indicators`` maps
    indicator keys to (stage, value); ``named`` lists the keys of those that
    make their stage, so that an earlier stage they hold back counts as not
    reached. Unmeasured stages are never judged. A later stage counts only
    once established: a stage 4 at a third (both teams under the CEO, say)
    is the normal state below it, not a structure above missing foundations.
    """
    indicators = indicators or {}
    named = set(named)
    gaps = []
    for earlier in SCORED_STAGES:
        base = attainment.get(earlier)
        held = [
            value for key, (stage, value) in indicators.items() if stage == earlier and key in named
        ]
        if base is None or passes(base, held):
            continue
        for later in SCORED_STAGES:
            value = attainment.get(later)
            if later > earlier and _established(value) and value - base >= FOUNDATION_GAP_MARGIN:
                gaps.append(FoundationGap(earlier, later))
        for key, (stage, value) in sorted(indicators.items()):
            if stage > earlier and _established(value) and value - base >= FOUNDATION_GAP_MARGIN:
                gaps.append(FoundationGap(earlier, stage, key))
    return gaps


# Two role groups see a subject apart when their figures are half the scale or
# more apart: 50 points between the displayed percentages (0..1 values 0.5
# apart), judged on the figures a page shows, so that what reads 50 points apart
# is apart and what reads 49 is not. The one rule for every comparison of role
# groups: a stage or an indicator, marketing against sales, the leadership
# against the teams. An indicator seen apart is "disputed": no mean speaks for it.
APART_POINTS = 50


def points_apart(first: float | None, second: float | None) -> int | None:
    """Return how far apart two figures read, in points of their displayed percents."""
    if first is None or second is None:
        return None
    return abs(percent(first) - percent(second))


def is_apart(first: float | None, second: float | None) -> bool:
    """Tell whether two figures (0..1) are half the scale or more apart; unknown never is."""
    difference = points_apart(first, second)
    return difference is not None and difference >= APART_POINTS


def perception_gaps(
    marketing: dict[str, float | None], sales: dict[str, float | None]
) -> list[str]:
    """Return the subjects (stage numbers as text, indicator keys) the two sides see apart.

    Both arguments map the same subjects to values, as a round's role groups
    store them.
    """
    return [key for key in marketing if key in sales and is_apart(marketing[key], sales[key])]


def leadership_gaps(
    leadership: dict[str, float | None],
    marketing: dict[str, float | None],
    sales: dict[str, float | None],
) -> list[str]:
    """Return the subjects the leadership sees apart from both teams, on the same side of both.

    The leaders' figure must be apart from marketing's and from sales', and
    above both or below both: a leadership between two teams that disagree
    (0% and 100%, say) is no finding about the leaders, and one apart from a
    single team has the other on its side (where the teams are apart, the
    perception gap says so).
    """
    gaps = []
    for key, value in leadership.items():
        m, s = marketing.get(key), sales.get(key)
        if is_apart(value, m) and is_apart(value, s) and (value > m) == (value > s):
            gaps.append(key)
    return gaps
