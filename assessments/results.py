"""Turn a stored result into what the results page says: statuses, actions, flags."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import scoring

IN_PLACE, PARTLY, MISSING, UNKNOWN, NOT_MEASURED = (
    "in-place",
    "partly",
    "missing",
    "unknown",
    "not-measured",
)
PARTLY_FROM = 1 / 3


@dataclass(frozen=True)
class IndicatorRow:
    indicator: object
    score: float | None
    status: str

    @property
    def percent(self):
        return None if self.score is None else percent(self.score)

    @property
    def status_label(self):
        return {
            IN_PLACE: _("In place"),
            PARTLY: _("Partly in place"),
            MISSING: _("Missing"),
            UNKNOWN: _("Not known"),
            NOT_MEASURED: _("Not measured"),
        }[self.status]


@dataclass(frozen=True)
class AttainmentRow:
    stage: object
    attainment: float
    measured: bool

    @property
    def percent(self):
        return percent(self.attainment)

    @property
    def reached(self):
        return scoring.is_reached(self.attainment)


@dataclass(frozen=True)
class Summary:
    stage: object
    next_stage: object | None
    indicator_groups: list[tuple[object, list[IndicatorRow]]]
    attainment_rows: list[AttainmentRow]
    weakest: list[IndicatorRow]
    flags: list[tuple[str, str]]
    threshold_percent: int = round(scoring.REACHED_THRESHOLD * 100)


def percent(share):
    """Return a 0..1 share as whole percent, cut so 74.9% never reads as a reached 75%."""
    return int(share * 100 + 1e-9)


def status(score, measured=True):
    if not measured:
        return NOT_MEASURED
    if score is None:
        return UNKNOWN
    if scoring.is_reached(score):
        return IN_PLACE
    return PARTLY if score >= PARTLY_FROM else MISSING


def summarize(response, stages):
    """Describe a submitted response against the continuum's stages (content prefetched)."""
    by_number = {stage.number: stage for stage in stages}
    scores = response.indicator_scores
    groups, measured = [], set()
    for stage in stages:
        if stage.number not in scoring.SCORED_STAGES:
            continue
        rows = [
            IndicatorRow(i, scores.get(i.key), status(scores.get(i.key), i.key in scores))
            for i in stage.indicators.all()
        ]
        if any(row.score is not None for row in rows):
            measured.add(stage.number)
        groups.append((stage, rows))
    attainment = {int(k): v for k, v in response.attainment.items()}
    attainment_rows = [
        AttainmentRow(by_number[n], attainment.get(n, 0.0), n in measured)
        for n in scoring.SCORED_STAGES
    ]
    return Summary(
        stage=by_number[response.stage],
        next_stage=by_number.get(response.stage + 1),
        indicator_groups=groups,
        attainment_rows=attainment_rows,
        weakest=weakest(groups, climbing=response.stage + 1),
        flags=explain_flags(response, attainment, measured, by_number),
    )


def weakest(groups, climbing, count=3):
    """Return the lowest-scoring indicators not yet in place.

    The stages are cumulative, so indicators up to the stage being climbed come
    before those of later stages, whatever their scores.
    """
    rows = [
        (stage.number > climbing, row.score, stage.number, row.indicator.order, row)
        for stage, rows in groups
        for row in rows
        if row.score is not None and row.status != IN_PLACE
    ]
    return [row for *_, row in sorted(rows, key=lambda r: r[:4])[:count]]


def explain_flags(response, attainment, measured, stages):
    explained = []
    for code in response.flags:
        if code == scoring.FOUNDATION_GAP:
            gaps = scoring.foundation_gaps(attainment, measured)
            if gaps:
                earlier, later = gaps[0]
                explained.append((code, _foundation_gap_text(stages[earlier], stages[later])))
        elif code == scoring.LOW_COVERAGE_FLAG:
            explained.append(
                (
                    code,
                    _(
                        "Many answers were “I don't know”, so this position rests on few "
                        "answers. Ask a colleague who knows the missing areas to take the "
                        "assessment too."
                    ),
                )
            )
    return explained


def _foundation_gap_text(earlier, later):
    return _(
        "“%(later)s” scores clearly higher than “%(earlier)s”, which it builds on and "
        "which is not reached yet. This is the org chart without the structure: the later "
        "stage looks in place, but without the earlier stage underneath it the teams still "
        "work apart. Strengthen “%(earlier)s” first."
    ) % {"later": later.name, "earlier": earlier.name}
