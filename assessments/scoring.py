"""Place a set of answers on the 1.0–4.0 alignment continuum.

Pure: plain dataclasses in and out, no Django. The semantics follow the domain
brief: stage 1 is the baseline; stages 2, 3 and 4 each add their fill (their
attainment relative to REACHED_THRESHOLD, at most 1), and the climb stops after
the first stage that is not fully reached, because the stages are cumulative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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

# Below this share of answered weight, the position rests on too little.
LOW_COVERAGE = 0.5

# Progress is stored with four decimals; it must stay below 1 until a stage is
# really reached, whatever the rounding.
PRECISION = 4
_MAX_PROGRESS = 1 - 10**-PRECISION

FOUNDATION_GAP = "foundation-gap"
LOW_COVERAGE_FLAG = "low-coverage"


@dataclass(frozen=True)
class Answer:
    """One answer: its question's stage, a value in [0, 1] (None: "I don't know")."""

    stage: int
    value: float | None
    weight: float = 1.0

    def __post_init__(self):
        if self.stage not in SCORED_STAGES:
            raise ValueError(f"stage must be one of {SCORED_STAGES}, not {self.stage!r}")
        if self.value is not None and not 0.0 <= self.value <= 1.0:
            raise ValueError(f"value must be within [0, 1], not {self.value!r}")
        if not self.weight > 0:
            raise ValueError(f"weight must be positive, not {self.weight!r}")


@dataclass(frozen=True)
class Result:
    position: float
    stage: int
    progress: float
    attainment: dict[int, float]
    flags: tuple[str, ...]
    coverage: float
    measured: frozenset[int]

    @property
    def next_stage(self) -> int | None:
        return self.stage + 1 if self.stage < 4 else None


def score(answers: Iterable[Answer]) -> Result:
    """Score answers onto the continuum."""
    answers = list(answers)
    attainment, measured = _attainment(answers)
    stage, progress = _climb(attainment)
    coverage = _coverage(answers)
    return Result(
        position=round(stage + progress, PRECISION),
        stage=stage,
        progress=progress,
        attainment=attainment,
        flags=_flags(attainment, measured, coverage),
        coverage=coverage,
        measured=frozenset(measured),
    )


def one_decimal(position: float | Decimal) -> Decimal:
    """Return the position cut (not rounded) to one decimal.

    Cutting keeps the figure consistent with the stage: 2.97 reads 2.9 in stage
    2, never 3.0.
    """
    return Decimal(str(position)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def fill(attainment: float) -> float:
    """Return how much of a stage's way is covered, 1.0 once it is reached."""
    return min(1.0, attainment / REACHED_THRESHOLD)


def is_reached(attainment: float) -> bool:
    return attainment >= REACHED_THRESHOLD


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Return the mean of (value, weight) pairs, None when there are none."""
    total = weights = 0.0
    for value, weight in pairs:
        total += value * weight
        weights += weight
    return total / weights if weights else None


def _attainment(answers: list[Answer]) -> tuple[dict[int, float], set[int]]:
    attainment, measured = {}, set()
    for stage in SCORED_STAGES:
        known = [(a.value, a.weight) for a in answers if a.stage == stage and a.value is not None]
        mean = weighted_mean(known)
        if mean is not None:
            measured.add(stage)
        # A stage nobody could answer for counts as not reached.
        attainment[stage] = round(mean, PRECISION) if mean is not None else 0.0
    return attainment, measured


def _climb(attainment: dict[int, float]) -> tuple[int, float]:
    stage = 1
    for number in SCORED_STAGES:
        if not is_reached(attainment[number]):
            return stage, min(round(fill(attainment[number]), PRECISION), _MAX_PROGRESS)
        stage = number
    return 4, 0.0


def _coverage(answers: list[Answer]) -> float:
    total = sum(a.weight for a in answers)
    known = sum(a.weight for a in answers if a.value is not None)
    return round(known / total, PRECISION) if total else 0.0


def _flags(attainment: dict[int, float], measured: set[int], coverage: float) -> tuple[str, ...]:
    flags = []
    if foundation_gaps(attainment, measured):
        flags.append(FOUNDATION_GAP)
    if coverage < LOW_COVERAGE:
        flags.append(LOW_COVERAGE_FLAG)
    return tuple(flags)


def foundation_gaps(attainment: dict[int, float], measured: set[int]) -> list[tuple[int, int]]:
    """Return (weak earlier stage, stronger later stage) pairs.

    The article's "new org chart, same silos": a later stage scores clearly
    higher than an earlier one that is not reached, so the later stage has no
    structure underneath it.
    """
    return [
        (earlier, later)
        for earlier in SCORED_STAGES
        for later in SCORED_STAGES
        if earlier < later
        and {earlier, later} <= measured
        and not is_reached(attainment[earlier])
        and attainment[later] - attainment[earlier] >= FOUNDATION_GAP_MARGIN
    ]


# Two views differ by "half a stage or more" when their fills differ by 0.5.
GAP_THRESHOLD = 0.5


@dataclass(frozen=True)
class IndicatorInfo:
    stage: int
    weight: float


def indicator_means(
    scores: Iterable[dict[str, float | None]], keys: Iterable[str]
) -> dict[str, float | None]:
    """Return the mean of each indicator over several respondents, None when nobody knew."""
    scores = list(scores)
    means = {}
    for key in keys:
        known = [s[key] for s in scores if s.get(key) is not None]
        means[key] = round(sum(known) / len(known), PRECISION) if known else None
    return means


def aggregate(
    scores: Iterable[dict[str, float | None]], indicators: dict[str, IndicatorInfo]
) -> tuple[Result, dict[str, float | None]]:
    """Score a group of respondents: the mean value per indicator, weighted as in the questionnaire.

    Averaging per indicator (rather than averaging positions) lets one person's
    knowledge fill another's "I don't know", and keeps the cumulative gating
    meaningful: a stage is reached when the group, on average, says its
    indicators are in place.
    """
    means = indicator_means(scores, indicators)
    answers = [Answer(info.stage, means[key], info.weight) for key, info in indicators.items()]
    return score(answers), means


def is_gap(first: float | None, second: float | None) -> bool:
    """Tell whether two attainments (0..1) are half a stage or more apart."""
    if first is None or second is None:
        return False
    return abs(fill(first) - fill(second)) >= GAP_THRESHOLD - 10**-PRECISION
