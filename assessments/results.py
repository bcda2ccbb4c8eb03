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


def status_labels():
    """Return the label of each status, in the active language."""
    return {
        IN_PLACE: _("In place"),
        PARTLY: _("Partly in place"),
        MISSING: _("Missing"),
        UNKNOWN: _("Not known"),
        NOT_MEASURED: _("Not measured"),
    }


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
        return status_labels()[self.status]


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
    """Describe a scored response or round against the stages (content prefetched)."""
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


@dataclass(frozen=True)
class GroupView:
    group: str
    label: str
    count: int
    position: float | None  # None while the anonymity threshold is not met

    @property
    def position_display(self):
        return None if self.position is None else scoring.one_decimal(self.position)


@dataclass(frozen=True)
class GapRow:
    subject: object  # a Stage or an Indicator
    marketing: float | None
    sales: float | None
    flagged: bool
    explanation: str = ""

    @property
    def marketing_percent(self):
        return None if self.marketing is None else percent(self.marketing)

    @property
    def sales_percent(self):
        return None if self.sales is None else percent(self.sales)

    @property
    def difference(self):
        if self.marketing is None or self.sales is None:
            return None
        return percent(abs(self.marketing - self.sales))


@dataclass(frozen=True)
class RoundSummary:
    round: object
    summary: Summary
    groups: list[GroupView]
    stage_gaps: list[GapRow]
    indicator_gaps: list[GapRow]
    min_group: int

    @property
    def shows_gap(self):
        return bool(self.stage_gaps)


def summarize_round(round, stages, min_group, visible_groups):
    """Describe a round with results: its summary, role groups and the marketing–sales gap.

    Only the VISIBLE_GROUPS' figures are given (the privacy rule is the round's).
    """
    from .models import RoleGroup

    summary = summarize(round, stages)
    groups = []
    for group in RoleGroup:
        data = round.groups.get(group, {})
        count = data.get("count", 0)
        position = data["position"] if group in visible_groups else None
        groups.append(GroupView(group, str(group.label), count, position))
    visible = {g.group for g in groups if g.position is not None}
    stage_gaps, indicator_gaps = [], []
    if {RoleGroup.MARKETING, RoleGroup.SALES} <= visible:
        marketing, sales = round.groups[RoleGroup.MARKETING], round.groups[RoleGroup.SALES]
        for stage in stages:
            if stage.number not in scoring.SCORED_STAGES:
                continue
            m = marketing["attainment"].get(str(stage.number))
            s = sales["attainment"].get(str(stage.number))
            stage_gaps.append(GapRow(stage, m, s, scoring.is_gap(m, s)))
            for indicator in stage.indicators.all():
                m = marketing["indicator_scores"].get(indicator.key)
                s = sales["indicator_scores"].get(indicator.key)
                flagged = scoring.is_gap(m, s)
                text = _gap_text(indicator, m, s) if flagged else ""
                indicator_gaps.append(GapRow(indicator, m, s, flagged, text))
    return RoundSummary(round, summary, groups, stage_gaps, indicator_gaps, min_group)


def _gap_text(indicator, marketing, sales):
    return _(
        "Marketing sees “%(indicator)s” as %(marketing_status)s (%(marketing)s%%); sales sees it "
        "as %(sales_status)s (%(sales)s%%). Talk it through before acting on it: the two sides "
        "are not describing the same company."
    ) % {
        "indicator": indicator.text,
        "marketing_status": status_labels()[status(marketing)].lower(),
        "marketing": percent(marketing),
        "sales_status": status_labels()[status(sales)].lower(),
        "sales": percent(sales),
    }


# An indicator "moved" when it changed by at least five points between rounds.
MOVED = 0.05
IMPROVED, DECLINED, UNCHANGED, MIXED = "improved", "declined", "unchanged", "mixed"


@dataclass(frozen=True)
class Change:
    subject: object  # a Stage or an Indicator
    before: float | None
    after: float | None

    @property
    def measured(self):
        return self.before is not None and self.after is not None

    @property
    def delta(self):
        return self.after - self.before if self.measured else None

    @property
    def before_percent(self):
        return None if self.before is None else percent(self.before)

    @property
    def after_percent(self):
        return None if self.after is None else percent(self.after)

    @property
    def points(self):
        return None if self.delta is None else round(self.delta * 100)

    @property
    def direction(self):
        if not self.measured:
            return NOT_MEASURED
        if self.delta >= MOVED:
            return IMPROVED
        if self.delta <= -MOVED:
            return DECLINED
        return UNCHANGED

    @property
    def sentence(self):
        if not self.measured:
            return _("“%(text)s” was not measured in both rounds.") % {"text": self.subject.text}
        values = {
            "text": self.subject.text,
            "before": percent(self.before),
            "after": percent(self.after),
            "points": abs(self.points),
        }
        if self.direction == IMPROVED:
            return (
                _("“%(text)s” improved from %(before)s%% to %(after)s%% (+%(points)s points).")
                % values
            )
        if self.direction == DECLINED:
            return (
                _("“%(text)s” declined from %(before)s%% to %(after)s%% (−%(points)s points).")
                % values
            )
        return _("“%(text)s” stayed about the same (%(after)s%%).") % values


@dataclass(frozen=True)
class Comparison:
    previous: object
    latest: object
    stages: list[Change]
    improved: list[Change]
    declined: list[Change]
    not_measured: list[Change]

    @property
    def position_change(self):
        return self.latest.position - self.previous.position


def compare_rounds(previous, latest, stages, count=3):
    """Compare two scored rounds by stage number and indicator key, never by question."""
    stage_changes, indicator_changes = [], []
    for stage in stages:
        if stage.number not in scoring.SCORED_STAGES:
            continue
        key = str(stage.number)
        stage_changes.append(
            Change(stage, previous.attainment.get(key), latest.attainment.get(key))
        )
        for indicator in stage.indicators.all():
            indicator_changes.append(
                Change(
                    indicator,
                    previous.indicator_scores.get(indicator.key),
                    latest.indicator_scores.get(indicator.key),
                )
            )
    measured = [c for c in indicator_changes if c.measured]
    return Comparison(
        previous=previous,
        latest=latest,
        stages=stage_changes,
        improved=sorted((c for c in measured if c.direction == IMPROVED), key=lambda c: -c.delta)[
            :count
        ],
        declined=sorted((c for c in measured if c.direction == DECLINED), key=lambda c: c.delta)[
            :count
        ],
        not_measured=[
            c
            for c in indicator_changes
            if (c.subject.key in previous.indicator_scores)
            != (c.subject.key in latest.indicator_scores)
        ],
    )


@dataclass(frozen=True)
class PlanCheck:
    item: object
    changes: list[Change]

    @property
    def verdict(self):
        directions = {c.direction for c in self.changes} - {NOT_MEASURED}
        if not directions:
            return NOT_MEASURED
        if IMPROVED in directions and DECLINED in directions:
            return MIXED
        if IMPROVED in directions:
            return IMPROVED
        if DECLINED in directions:
            return DECLINED
        return UNCHANGED

    @property
    def verdict_label(self):
        return {
            IMPROVED: _("Moved forward"),
            DECLINED: _("Went back"),
            MIXED: _("Mixed"),
            UNCHANGED: _("No movement yet"),
            NOT_MEASURED: _("Not measured"),
        }[self.verdict]


def check_plan(items, before, after, stages):
    """For each committed item, how its indicators moved between the two rounds.

    An indicator item is checked on itself; a stage's step to the next stage on
    the indicators of that next stage, which the step is meant to build.
    """
    by_number = {stage.number: stage for stage in stages}
    checks = []
    for item in items:
        if item.indicator_id:
            indicators = [item.indicator]
        else:
            target = by_number.get(item.step.stage.number + 1) or item.step.stage
            indicators = list(target.indicators.all())
        changes = [
            Change(i, before.indicator_scores.get(i.key), after.indicator_scores.get(i.key))
            for i in indicators
        ]
        checks.append(PlanCheck(item, changes))
    return checks
