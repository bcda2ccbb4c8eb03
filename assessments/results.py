"""Turn stored results into words: readings, statuses, actions, flags, gaps and changes.

The one home for every rule that turns a number into words. Pages and exports
call these, so one figure reads the same everywhere: a share is cut to
whole percent (scoring.percent), a position to one decimal (scoring.one_decimal),
a status is read off the displayed percent, and a difference is the difference
of the displayed figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import scoring, visibility
from .roles import RoleGroup
from .scoring import percent

IN_PLACE, PARTLY, MISSING, UNKNOWN, NOT_MEASURED = (
    "in-place",
    "partly",
    "missing",
    "unknown",
    "not-measured",
)
# Status bands on the displayed figure, so one percentage never carries two
# statuses: from the 1/3 anchor (33%) "partly", from the reached threshold (75%)
# "in place".
PARTLY_FROM = percent(1 / 3)
IN_PLACE_FROM = percent(scoring.REACHED_THRESHOLD)


def status_labels():
    """Return the label of each status, in the active language."""
    return {
        IN_PLACE: _("In place"),
        PARTLY: _("Partly in place"),
        MISSING: _("Missing"),
        UNKNOWN: _("Not known"),
        NOT_MEASURED: _("Not measured"),
    }


def status(score, measured=True):
    """Return the status band of an indicator's score (0..1, None when nobody knew)."""
    if not measured:
        return NOT_MEASURED
    if score is None:
        return UNKNOWN
    shown = percent(score)
    if shown >= IN_PLACE_FROM:
        return IN_PLACE
    return PARTLY if shown >= PARTLY_FROM else MISSING


def flag_labels():
    """Return the short label of each flag, in the active language."""
    return {
        scoring.FOUNDATION_GAP: _("Foundation gap"),
        scoring.NOT_MEASURED: _("Answers needed"),
        scoring.HELD_BACK: _("Held back by a key practice"),
        scoring.LOW_COVERAGE_FLAG: _("Too few answers"),
        scoring.PERCEPTION_GAP: _("Perception gap"),
        scoring.LEADERSHIP_GAP: _("Leadership apart from the teams"),
    }


@dataclass(frozen=True)
class Reading:
    """How a stored position reads: firm, a lower bound, or not placed at all."""

    position: Decimal | None  # cut to one decimal
    stage: int | None
    progress_percent: int | None
    placed: bool  # enough answers to place anyone
    needs_answers: int | None  # the stage the climb stopped at for want of answers

    @property
    def lower_bound(self):
        return self.placed and self.needs_answers is not None

    @property
    def firm(self):
        return self.placed and self.needs_answers is None

    def __str__(self):
        """The compact form for tables and lists: "2.4", "≥ 2.0" or "–"."""
        if self.position is None or not self.placed:
            return "–"
        number = formats.number_format(self.position, 1)
        return f"≥ {number}" if self.lower_bound else number


def reading(scored):
    """Read a stored result (a response or a round) as a position."""
    return read_position(scored.position, scored.stage, scored.flags)


def read_position(position, stage, flags):
    """Read a stored position with its stage and flags: firm, a lower bound, or not placed."""
    if position is None:
        return Reading(None, None, None, placed=False, needs_answers=None)
    flags = flags or []
    shown = scoring.one_decimal(position)
    return Reading(
        position=shown,
        stage=stage,
        # Read off the displayed position, so "1.6" is "60% of the way", never 68%.
        progress_percent=scoring.way_percent(shown, stage),
        placed=scoring.LOW_COVERAGE_FLAG not in flags,
        needs_answers=stage + 1 if scoring.NOT_MEASURED in flags else None,
    )


# From half way to the next stage, the headline names the climb rather than the
# stage reached: a team at 1.8 is on its way to strategic alignment, not siloed.
CLIMB_FROM = 50


@dataclass(frozen=True)
class Headline:
    """What a placed result is called, and which stage's description goes with it."""

    title: str  # a stage's name, or "On the way to …" the next one
    stage: object  # the stage the title names (its colour)
    described: object  # the stage whose description the page shows
    climbing: bool  # the described stage is the one being climbed, not the one reached


def headline(result_reading, stages, started=False):
    """Name a placed result: the one rule every page and export follows.

    From half way to the next stage it is "On the way to" that stage, with its
    description; below half way, the stage reached. A team that has started
    climbing out of stage 1 (STARTED: some of stage 2 in place) reads stage 2's
    description, never the silo's "no collaboration". STAGES maps numbers to
    stages.
    """
    if not result_reading.placed or result_reading.stage is None:
        return None
    reached = stages[result_reading.stage]
    following = stages.get(result_reading.stage + 1)
    if following is None:
        return Headline(str(reached.name), reached, reached, climbing=False)
    if result_reading.firm and result_reading.progress_percent >= CLIMB_FROM:
        return Headline(climb_title(following), following, following, climbing=True)
    if reached.number == 1 and started:
        return Headline(str(reached.name), reached, following, climbing=True)
    return Headline(str(reached.name), reached, reached, climbing=False)


def climb_title(stage):
    """Name the climb towards STAGE: "On the way to strategic alignment"."""
    name = str(stage.name)
    return _("On the way to %(stage)s") % {"stage": name[:1].lower() + name[1:]}


def verdict(position, stage, flags, stages):
    """The headline's title of a stored position, "" when it places nobody (exports)."""
    found = headline(read_position(position, stage, flags), stages)
    return found.title if found else ""


def standing(position, stage, flags, stages):
    """A stored position in one sentence, as the pages' headline reads it (for the e-mails).

    "2.6 — On the way to operational alignment (60% of the way to stage 3,
    “Operational alignment”)"; "at least 2.0 — …" for a lower bound; None when it
    places nobody. STAGES maps numbers to stages.
    """
    shown = read_position(position, stage, flags)
    found = headline(shown, stages)
    if found is None:
        return None
    number = formats.number_format(shown.position, 1)
    if shown.lower_bound:
        return _("at least %(position)s — %(title)s") % {"position": number, "title": found.title}
    following = stages.get(shown.stage + 1)
    if following is None:
        return _("%(position)s — %(title)s") % {"position": number, "title": found.title}
    return _("%(position)s — %(title)s (%(percent)s%% of the way to %(next_stage)s)") % {
        "position": number,
        "title": found.title,
        "percent": shown.progress_percent,
        "next_stage": following.label,
    }


def position_change(before, after):
    """Return the change between two positions as displayed, so the figures add up."""
    if before is None or after is None:
        return None
    return scoring.one_decimal(after) - scoring.one_decimal(before)


def position_text(position):
    """Return a bare position (the ends of the spread of individual ones) cut to one decimal."""
    return None if position is None else scoring.one_decimal(position)


@dataclass(frozen=True)
class IndicatorRow:
    indicator: object
    score: float | None
    status: str
    # A team's indicator its role groups dispute: their figures read instead of
    # the mean (see summarize_round).
    dispute: Dispute | None = None

    @property
    def percent(self):
        return None if self.score is None else percent(self.score)

    @property
    def named(self):
        """The indicator is one of those that make its stage."""
        return self.indicator.defines_stage

    @property
    def status_label(self):
        return status_labels()[self.status]


@dataclass(frozen=True)
class AttainmentRow:
    stage: object
    attainment: float | None  # None: not measured
    # Its mean at the threshold and what makes it established; None when
    # unknown (not measured, or nobody knew one of the indicators that make it).
    reached: bool | None = None

    @property
    def measured(self):
        return self.attainment is not None

    @property
    def percent(self):
        return None if self.attainment is None else percent(self.attainment)


def stage_reached(attainment, rows):
    """Whether a stage is reached, from its attainment and its indicators' rows (scoring.passes).

    None when it cannot be told: not measured, or one of the indicators that
    make it unknown while the rest would not already decide it.
    """
    if attainment is None:
        return None
    named = [row.score for row in rows if row.named]
    if any(score is None for score in named):
        known = [score for score in named if score is not None]
        return None if scoring.passes(attainment, known) else False
    return scoring.passes(attainment, named)


@dataclass(frozen=True)
class Summary:
    stage: object
    next_stage: object | None
    reading: Reading
    indicator_groups: list[tuple[object, list[IndicatorRow]]]
    attainment_rows: list[AttainmentRow]
    weakest: list[IndicatorRow]
    flags: list[tuple[str, str, str]]  # (code, label, explanation), beside the headline
    to_answer: list[tuple[object, list[object]]]  # (stage, indicators nobody could answer)
    needs_answers: object | None = None  # the stage the climb stopped at for want of answers
    # Of that stage: the indicators that make it and that nobody knew (else the
    # whole stage went unanswered).
    unknown_named: list[object] = field(default_factory=list)
    headline: Headline | None = None
    threshold_percent: int = percent(scoring.REACHED_THRESHOLD)
    coverage_threshold_percent: int = percent(scoring.LOW_COVERAGE)

    @property
    def unknown_named_text(self):
        return _join([_("“%(name)s”") % {"name": i.name} for i in self.unknown_named])


def summarize(scored, stages, quotes=None):
    """Describe a scored response or round against the stages (content prefetched).

    QUOTES maps indicator keys to the Quote of the answer behind them (see
    answer_quotes and team_quotes), for the flag texts that name an answer.
    Indicators the result's questionnaire did not ask about are left out.
    """
    by_number = {stage.number: stage for stage in stages}
    scores = scored.indicator_scores
    groups = []
    for stage in stages:
        if stage.number not in scoring.SCORED_STAGES:
            continue
        rows = [
            IndicatorRow(i, scores.get(i.key), status(scores.get(i.key), i.key in scores))
            for i in stage.indicators.all()
            if i.key in scores or not scores
        ]
        groups.append((stage, rows))
    # A stage is measured when at least one of its indicators is known.
    measured = {
        stage.number for stage, rows in groups if any(row.score is not None for row in rows)
    }
    attainment = {
        n: scored.attainment.get(str(n)) if n in measured else None for n in scoring.SCORED_STAGES
    }
    rows_of = {stage.number: rows for stage, rows in groups}
    result_reading = reading(scored)
    needs_answers = by_number.get(result_reading.needs_answers)
    unknown_named = [
        row.indicator
        for row in rows_of.get(result_reading.needs_answers, [])
        if row.named and row.status == UNKNOWN
    ]
    return Summary(
        stage=by_number[scored.stage],
        next_stage=by_number.get(scored.stage + 1),
        reading=result_reading,
        indicator_groups=groups,
        attainment_rows=[
            AttainmentRow(by_number[n], attainment[n], stage_reached(attainment[n], rows_of[n]))
            for n in attainment
        ],
        weakest=weakest(groups, climbing=scored.stage + 1),
        flags=explain_flags(scored, attainment, groups, by_number, quotes or {}),
        to_answer=_to_answer(groups, result_reading),
        needs_answers=needs_answers,
        # A whole stage nobody answered is said as such; these are the other case.
        unknown_named=unknown_named if attainment.get(result_reading.needs_answers) else [],
        headline=headline(result_reading, by_number, started=bool(attainment.get(2))),
    )


def _to_answer(groups, result_reading):
    """The indicators whose answers would settle the verdict, by stage."""
    wanted = []
    for stage, rows in groups:
        if result_reading.placed and stage.number != result_reading.needs_answers:
            continue
        unknown = [row.indicator for row in rows if row.status == UNKNOWN]
        if unknown:
            wanted.append((stage, unknown))
    return wanted


def weakest(groups, climbing, count=3):
    """Return up to COUNT indicators to work on first, in the continuum's order.

    First what is missing of what makes a stage: an indicator that makes the
    stage being climbed or one reached, not in place (lowest stage first).
    Then the weakest of the stage being climbed and, when that leaves fewer
    than COUNT, of the next one, but not what makes the next one: appointing
    one leader, say, is no shortcut past the earlier stages. Never a stage two
    or more ahead. At the end of the continuum, the top stage's own weak points.
    """
    climbing = min(climbing, scoring.SCORED_STAGES[-1])
    weak = [
        (stage.number, row)
        for stage, rows in groups
        for row in rows
        if row.score is not None and row.status != IN_PLACE
    ]
    chosen = [
        row
        for number, row in sorted(
            ((n, row) for n, row in weak if n <= climbing and row.named),
            key=lambda item: (item[0], item[1].score, item[1].indicator.order),
        )
    ]
    for number in (climbing, climbing + 1):
        if len(chosen) >= count:
            break
        candidates = [
            row
            for n, row in weak
            if n == number and row not in chosen and not (n > climbing and row.named)
        ]
        chosen += sorted(candidates, key=lambda row: (row.score, row.indicator.order))
    return chosen[:count]


def explain_flags(scored, attainment, groups, stages, quotes=None):
    """Return (code, label, explanation) for the flags explained beside the headline.

    A lower bound (not-measured) and too few answers (low-coverage) are what the
    headline itself says, with the stage or the answers it needs. QUOTES: the
    answers the texts quote, by indicator key (see summarize).
    """
    quotes = quotes or {}
    labels = flag_labels()
    explained = []
    for code in scored.flags:
        if code == scoring.FOUNDATION_GAP:
            indicators = {
                row.indicator.key: (stage.number, row.score)
                for stage, rows in groups
                for row in rows
            }
            named = {row.indicator.key for _, rows in groups for row in rows if row.named}
            lookup = {row.indicator.key: row.indicator for _, rows in groups for row in rows}
            gaps = scoring.foundation_gaps(attainment, indicators, named)
            for text in _foundation_gap_texts(gaps, attainment, stages, lookup, indicators, quotes):
                explained.append((code, labels[code], text))
        elif code == scoring.HELD_BACK:
            held = stages.get(scored.stage + 1)
            rows = next((rows for stage, rows in groups if stage is held), [])
            for row in rows:
                if held is None or attainment.get(held.number) is None:
                    break
                if row.named and row.score is not None and row.score < scoring.ESTABLISHED:
                    text = held_back_text(held, attainment[held.number], row, quotes)
                    explained.append((code, labels[code], text))
    return explained


def held_back_text(stage, attainment, row, quotes):
    """Why a stage whose mean is reached is not: one of what makes it is not established."""
    text = _(
        "%(stage)s, is at %(percent)s%%, enough for a stage to count as reached "
        "(%(threshold)s%%), but “%(indicator)s” is one of the practices that make it, and it "
        "is at %(value)s%%. The stage counts as reached once it is established."
    ) % {
        "stage": capfirst(stage.label),
        "percent": percent(attainment),
        "threshold": percent(scoring.REACHED_THRESHOLD),
        "indicator": row.indicator.name,
        "value": row.percent,
    }
    return _with_quote(quotes.get(row.indicator.key), text)


@dataclass(frozen=True)
class Quote:
    """The answer behind an indicator's figure, as a flag text quotes it."""

    question: str
    answer: str
    kind: str = "respondent"  # "respondent", "consensus" or "team"

    def __str__(self):
        # The sentence's own full stop closes it, not the option's.
        values = {"question": self.question, "answer": self.answer.rstrip(".")}
        if self.kind == "team":
            return (
                _("On “%(question)s” the team's answers average out nearest to “%(answer)s”.")
                % values
            )
        if self.kind == "consensus":
            return _("To “%(question)s” the workshop agreed on “%(answer)s”.") % values
        return _("To “%(question)s” you answered “%(answer)s”.") % values


def quotes_needed(flags):
    """Whether a result's flag texts quote answers (so that a page loads them only then)."""
    return bool({scoring.FOUNDATION_GAP, scoring.HELD_BACK} & set(flags or ()))


def _with_quote(quote, text):
    return f"{quote} {text}" if quote else text


def _main_question_order(question):
    """An indicator's main question first: the heaviest, then the first asked."""
    return (-question.weight, question.pk)


def answer_quotes(answers, kind="respondent"):
    """Quote, for each indicator, the option chosen on its main question that was answered.

    ANSWERS are one person's Answer rows (or a workshop's consensus items):
    objects with ``question`` (its indicator loaded) and ``option`` (None for
    "I don't know"). Only that person's own answers are quoted, on their own
    result; a team's figure is quoted with team_quotes.
    """
    chosen = {}
    for answer in sorted(
        (a for a in answers if a.option is not None),
        key=lambda a: _main_question_order(a.question),
    ):
        key = answer.question.indicator.key
        if key not in chosen:
            chosen[key] = Quote(str(answer.question.text), str(answer.option.text), kind)
    return chosen


def team_quotes(pages, indicator_scores):
    """Quote, for each indicator a team scored, the option of its main question nearest the mean.

    Read off the team's figure alone, never anyone's answer: a confidential
    round shows no individual answer, even as "the most common". Where two
    options are equally near, no option speaks for the team and none is quoted.
    PAGES are the questionnaire's sections with questions and options loaded.
    """
    main = {}
    for question in sorted(
        (q for section in pages for q in section.questions.all()), key=_main_question_order
    ):
        main.setdefault(question.indicator.key, question)
    quotes = {}
    for key, score in indicator_scores.items():
        question = main.get(key)
        if score is None or question is None:
            continue
        options = list(question.options.all())
        nearest = min(abs(option.value - score) for option in options)
        candidates = [o for o in options if abs(o.value - score) - nearest < 10**-scoring.PRECISION]
        if len(candidates) == 1:
            quotes[key] = Quote(str(question.text), str(candidates[0].text), "team")
    return quotes


def _foundation_gap_texts(gaps, attainment, stages, lookup, indicators, quotes=None):
    """One explanation per later indicator (the article's case first), then per later stage."""
    by_subject = {}
    for gap in gaps:
        by_subject.setdefault((gap.later, gap.indicator), []).append(gap.earlier)
    covered = {later for later, key in by_subject if key is not None}
    ordered = sorted(by_subject.items(), key=lambda item: (item[0][1] is None, -item[0][0]))
    texts = []
    for (later, key), earlier in ordered:
        if key is None and later in covered:
            continue  # already explained through the indicator that stands out
        foundations = _join(
            [
                _("%(stage)s (%(percent)s%%)")
                % {"stage": stages[n].label, "percent": percent(attainment[n])}
                for n in sorted(earlier)
            ]
        )
        values = {"foundations": foundations, "count": len(earlier)}
        if key is None:
            values.update(stage=stages[later].label, percent=percent(attainment[later]))
            texts.append(
                ngettext(
                    "The answers put %(stage)s at %(percent)s%%, clearly above %(foundations)s, "
                    "which it builds on and which is not reached. The later stage looks in "
                    "place, but without the earlier one underneath it the teams still work apart. "
                    "Strengthen the earlier stage first.",
                    "The answers put %(stage)s at %(percent)s%%, clearly above %(foundations)s, "
                    "which it builds on and which are not reached. The later stage looks in "
                    "place, but without the earlier ones underneath it the teams still work apart. "
                    "Strengthen the earlier stages first.",
                    len(earlier),
                )
                % values
            )
            continue
        values.update(indicator=lookup[key].name, percent=percent(indicators[key][1]))
        # What makes the top stage is one leader over both functions.
        if later == scoring.SCORED_STAGES[-1] and lookup[key].defines_stage:
            text = ngettext(
                "“%(indicator)s” reads as established (%(percent)s%%), but %(foundations)s, "
                "which it depends on, is not reached. This is the org chart without the "
                "structure: one leader over both on paper, without the shared definitions, "
                "scorecard and council that make marketing and sales one team, so they still "
                "work apart. A single leader is no shortcut: build the earlier stage first.",
                "“%(indicator)s” reads as established (%(percent)s%%), but %(foundations)s, "
                "which it depends on, are not reached. This is the org chart without the "
                "structure: one leader over both on paper, without the shared definitions, "
                "scorecard and council that make marketing and sales one team, so they still "
                "work apart. A single leader is no shortcut: build the earlier stages first.",
                len(earlier),
            )
        else:
            text = ngettext(
                "“%(indicator)s” reads as established (%(percent)s%%), but %(foundations)s, "
                "which it depends on, is not reached. The stages build on each other: "
                "without the earlier one underneath, this practice will not hold. "
                "Strengthen the earlier stage first.",
                "“%(indicator)s” reads as established (%(percent)s%%), but %(foundations)s, "
                "which it depends on, are not reached. The stages build on each other: "
                "without the earlier ones underneath, this practice will not hold. "
                "Strengthen the earlier stages first.",
                len(earlier),
            )
        texts.append(_with_quote((quotes or {}).get(key), text % values))
    return texts


def _join(items):
    if len(items) == 1:
        return items[0]
    return _("%(first)s and %(second)s") % {"first": ", ".join(items[:-1]), "second": items[-1]}


def round_flags(flags, groups, visible):
    """Return a round's flag codes: its stored FLAGS, and the gaps between role groups that show.

    VISIBLE is the set of role groups the viewer may see (RoundView.groups): a
    gap shows only when every group in it does. The dashboard, the portfolio
    and the exports ask here; the pages get the same from summarize_round.
    """
    flags = list(flags or [])
    gaps = role_gaps(groups, visible)
    if gaps.perception:
        flags.append(scoring.PERCEPTION_GAP)
    if gaps.leadership:
        flags.append(scoring.LEADERSHIP_GAP)
    return flags


# The sides of each comparison, in the order their figures read.
PERCEPTION_SIDES = (RoleGroup.MARKETING, RoleGroup.SALES)
LEADERSHIP_SIDES = (RoleGroup.LEADERSHIP, RoleGroup.MARKETING, RoleGroup.SALES)


@dataclass(frozen=True)
class RoleGaps:
    """The subjects (stage numbers as text, indicator keys) role groups see apart, as shown."""

    perception: tuple[str, ...] = ()  # marketing against sales
    leadership: tuple[str, ...] = ()  # the leadership against both teams


def _subjects(data):
    return {**data.get("attainment", {}), **data.get("indicator_scores", {})}


def role_gaps(groups, visible):
    """What the role groups a viewer may see (VISIBLE) say against each other (stored GROUPS).

    One rule for both comparisons (scoring.is_apart), each only when every
    group in it shows (visibility.shows_gap, visibility.shows_leadership_gap).
    """
    groups = groups or {}
    subjects = {group: _subjects(groups.get(group) or {}) for group in RoleGroup}
    marketing, sales = subjects[RoleGroup.MARKETING], subjects[RoleGroup.SALES]
    perception = leadership = ()
    if visibility.shows_gap(visible):
        perception = tuple(scoring.perception_gaps(marketing, sales))
    if visibility.shows_leadership_gap(visible):
        leadership = tuple(
            scoring.leadership_gaps(subjects[RoleGroup.LEADERSHIP], marketing, sales)
        )
    return RoleGaps(perception, leadership)


def disputed(groups, visible):
    """Return the indicators the role groups shown dispute: key -> ((group, score), ...).

    An indicator is disputed when marketing and sales see it apart, or the
    leadership sees it apart from both teams; its figures are those of the
    sides in the dispute, the leadership first when it is one of them. A stage
    seen apart is highlighted in the gap tables, but its attainment is no mean
    of opinions to replace: it stays the team's, as the position does.
    """
    groups = groups or {}
    gaps = role_gaps(groups, visible)
    found = {}
    for sides, keys in ((LEADERSHIP_SIDES, gaps.leadership), (PERCEPTION_SIDES, gaps.perception)):
        for key in keys:
            if key in groups[RoleGroup.MARKETING]["indicator_scores"] and key not in found:
                found[key] = tuple(
                    (str(side), groups[side]["indicator_scores"][key]) for side in sides
                )
    return found


def side_names():
    """Each role group as a sentence names it, in the active language."""
    return {
        RoleGroup.MARKETING: _("marketing"),
        RoleGroup.SALES: _("sales"),
        RoleGroup.LEADERSHIP: _("leadership"),
    }


def dispute_text(points):
    """Say "disputed: marketing 100%, sales 20%" from (role group, displayed percent) pairs."""
    names = side_names()
    sides = ", ".join(
        _("%(side)s %(percent)s%%") % {"side": names[group], "percent": value}
        for group, value in points
    )
    return _("disputed: %(sides)s") % {"sides": sides}


@dataclass(frozen=True)
class Dispute:
    """An indicator its role groups see half the scale or more apart: each side's figure."""

    indicator: object
    figures: tuple[tuple[str, float], ...]  # (role group, score) of each side in the dispute

    @property
    def points(self):
        return tuple((group, percent(value)) for group, value in self.figures)

    def __str__(self):
        return dispute_text(self.points)


def disputes_in_order(figures, stages):
    """The Disputes of FIGURES (see disputed), in the continuum's order of their indicators."""
    return [
        Dispute(indicator, figures[indicator.key])
        for stage in stages
        if stage.number in scoring.SCORED_STAGES
        for indicator in stage.indicators.all()
        if indicator.key in figures
    ]


@dataclass(frozen=True)
class GroupView:
    group: str
    label: str
    count: int
    position: float | None  # None while the anonymity threshold is not met
    stage: int | None = None
    flags: tuple = ()

    @property
    def position_display(self):
        return read_position(self.position, self.stage, self.flags)


def _percent_or_none(value):
    return None if value is None else percent(value)


@dataclass(frozen=True)
class GapRow:
    subject: object  # a Stage or an Indicator
    marketing: float | None
    sales: float | None
    flagged: bool
    explanation: str = ""

    @property
    def marketing_percent(self):
        return _percent_or_none(self.marketing)

    @property
    def sales_percent(self):
        return _percent_or_none(self.sales)

    @property
    def difference(self):
        """The distance between the two displayed percentages, in points."""
        return scoring.points_apart(self.marketing, self.sales)


@dataclass(frozen=True)
class LeadershipGapRow:
    """One stage or indicator as the leadership and each team see it."""

    subject: object  # a Stage or an Indicator
    leadership: float | None
    marketing: float | None
    sales: float | None
    flagged: bool
    explanation: str = ""

    @property
    def leadership_percent(self):
        return _percent_or_none(self.leadership)

    @property
    def marketing_percent(self):
        return _percent_or_none(self.marketing)

    @property
    def sales_percent(self):
        return _percent_or_none(self.sales)


@dataclass(frozen=True)
class RoundSummary:
    round: object
    summary: Summary
    groups: list[GroupView]
    stage_gaps: list[GapRow]
    indicator_gaps: list[GapRow]
    min_group: int
    leadership_stage_gaps: list[LeadershipGapRow] = field(default_factory=list)
    leadership_indicator_gaps: list[LeadershipGapRow] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    apart_points: int = scoring.APART_POINTS

    @property
    def shows_gap(self):
        return bool(self.stage_gaps)

    @property
    def shows_leadership_gap(self):
        return bool(self.leadership_stage_gaps)

    @property
    def dispute_figures(self):
        """Indicator key -> the figures of its dispute, for the comparisons and plan checks."""
        return {d.indicator.key: d.figures for d in self.disputes}


def summarize_round(round, stages, min_group, visible_groups, quotes=None):
    """Describe a round with results: its summary, role groups, their gaps and disputes.

    Only the VISIBLE_GROUPS' figures are given (the privacy rule is the round's),
    and a gap only when every group in it is visible. QUOTES: see summarize
    (team_quotes).
    """
    summary = summarize(round, stages, quotes)
    groups = []
    for group in RoleGroup:
        data = round.groups.get(group, {})
        count = data.get("count", 0)
        position = data["position"] if group in visible_groups else None
        groups.append(
            GroupView(
                group,
                str(group.label),
                count,
                position,
                data.get("stage"),
                tuple(data.get("flags", ())),
            )
        )
    visible = {g.group for g in groups if g.position is not None}
    gaps = role_gaps(round.groups, visible)
    disputes = disputes_in_order(disputed(round.groups, visible), stages)
    scored_stages = [stage for stage in stages if stage.number in scoring.SCORED_STAGES]
    stage_gaps, indicator_gaps = [], []
    if visibility.shows_gap(visible):
        marketing, sales = round.groups[RoleGroup.MARKETING], round.groups[RoleGroup.SALES]
        for stage in scored_stages:
            key = str(stage.number)
            m, s = marketing["attainment"].get(key), sales["attainment"].get(key)
            stage_gaps.append(GapRow(stage, m, s, key in gaps.perception))
            for indicator in stage.indicators.all():
                m = marketing["indicator_scores"].get(indicator.key)
                s = sales["indicator_scores"].get(indicator.key)
                flagged = indicator.key in gaps.perception
                text = _gap_text(indicator, m, s) if flagged else ""
                indicator_gaps.append(GapRow(indicator, m, s, flagged, text))
    leadership_stage_gaps, leadership_indicator_gaps = [], []
    if visibility.shows_leadership_gap(visible):
        sides = [round.groups[g] for g in LEADERSHIP_SIDES]
        for stage in scored_stages:
            key = str(stage.number)
            figures = [side["attainment"].get(key) for side in sides]
            leadership_stage_gaps.append(LeadershipGapRow(stage, *figures, key in gaps.leadership))
            for indicator in stage.indicators.all():
                figures = [side["indicator_scores"].get(indicator.key) for side in sides]
                flagged = indicator.key in gaps.leadership
                text = leadership_gap_text(indicator, *figures) if flagged else ""
                leadership_indicator_gaps.append(
                    LeadershipGapRow(indicator, *figures, flagged, text)
                )
    flags = list(summary.flags)
    if gaps.perception:
        flags.append(_perception_gap_flag())
    if gaps.leadership:
        flags.append(leadership_gap_flag(round.groups, gaps.leadership))
    by_key = {dispute.indicator.key: dispute for dispute in disputes}
    summary = replace(
        summary,
        flags=flags,
        weakest=[replace(row, dispute=by_key.get(row.indicator.key)) for row in summary.weakest],
    )
    return RoundSummary(
        round,
        summary,
        groups,
        stage_gaps,
        indicator_gaps,
        min_group,
        leadership_stage_gaps,
        leadership_indicator_gaps,
        disputes,
    )


def _perception_gap_flag():
    return (
        scoring.PERCEPTION_GAP,
        flag_labels()[scoring.PERCEPTION_GAP],
        _(
            "Marketing and sales see at least one stage or indicator %(points)s points or more "
            "apart, half the scale. The rows concerned are highlighted in the perception gap "
            "below."
        )
        % {"points": scoring.APART_POINTS},
    )


def leadership_gap_flag(groups, subjects):
    """The leadership against both teams: the leaders' optimism (or doubt) named as the finding."""
    leadership = _subjects(groups[RoleGroup.LEADERSHIP])
    marketing = _subjects(groups[RoleGroup.MARKETING])
    above = sum(leadership[key] > marketing[key] for key in subjects)
    below = len(subjects) - above
    values = {"points": scoring.APART_POINTS}
    texts = []
    if above:
        texts.append(
            ngettext(
                "The leadership sees %(count)s stage or indicator as further along than both "
                "marketing and sales do, by %(points)s points or more. The leaders' optimism is "
                "itself the finding: what they count on has not reached the teams who have to "
                "carry it out.",
                "The leadership sees %(count)s stages or indicators as further along than both "
                "marketing and sales do, by %(points)s points or more. The leaders' optimism is "
                "itself the finding: what they count on has not reached the teams who have to "
                "carry it out.",
                above,
            )
            % {**values, "count": above}
        )
    if below:
        texts.append(
            ngettext(
                "The leadership sees %(count)s stage or indicator as less far along than both "
                "marketing and sales do, by %(points)s points or more. The leaders' doubt is "
                "itself the finding: ask what they find missing in what the teams count as done.",
                "The leadership sees %(count)s stages or indicators as less far along than both "
                "marketing and sales do, by %(points)s points or more. The leaders' doubt is "
                "itself the finding: ask what they find missing in what the teams count as done.",
                below,
            )
            % {**values, "count": below}
        )
    texts.append(_("The rows concerned are highlighted in the comparison below."))
    return (scoring.LEADERSHIP_GAP, flag_labels()[scoring.LEADERSHIP_GAP], " ".join(texts))


def _side_view(side, score):
    """Return one side's reading of an indicator as a whole clause, never a bare status word."""
    band = status(score)
    views = {
        ("marketing", IN_PLACE): _("marketing sees it as in place"),
        ("marketing", PARTLY): _("marketing sees it as partly in place"),
        ("marketing", MISSING): _("marketing sees it as missing"),
        ("sales", IN_PLACE): _("sales sees it as in place"),
        ("sales", PARTLY): _("sales sees it as partly in place"),
        ("sales", MISSING): _("sales sees it as missing"),
        ("leadership", IN_PLACE): _("the leadership sees it as in place"),
        ("leadership", PARTLY): _("the leadership sees it as partly in place"),
        ("leadership", MISSING): _("the leadership sees it as missing"),
    }
    return views[(side, band)]


def _gap_text(indicator, marketing, sales):
    return _(
        "On “%(indicator)s”, %(marketing_view)s (%(marketing)s%%) and %(sales_view)s "
        "(%(sales)s%%). Talk it through before acting on it: the two sides are not "
        "describing the same company."
    ) % {
        "indicator": indicator.text,
        "marketing_view": _side_view("marketing", marketing),
        "marketing": percent(marketing),
        "sales_view": _side_view("sales", sales),
        "sales": percent(sales),
    }


def leadership_gap_text(indicator, leadership, marketing, sales):
    text = _(
        "On “%(indicator)s”, %(leadership_view)s (%(leadership)s%%), while "
        "%(marketing_view)s (%(marketing)s%%) and %(sales_view)s (%(sales)s%%)."
    ) % {
        "indicator": indicator.text,
        "leadership_view": _side_view("leadership", leadership),
        "leadership": percent(leadership),
        "marketing_view": _side_view("marketing", marketing),
        "marketing": percent(marketing),
        "sales_view": _side_view("sales", sales),
        "sales": percent(sales),
    }
    if leadership > marketing:
        finding = _(
            "The leaders count on a practice the teams do not see at work: find out what keeps "
            "it from reaching them before building on it."
        )
    else:
        finding = _(
            "The teams count on a practice the leaders do not see at work: ask the leaders what "
            "they find missing before building on it."
        )
    return f"{text} {finding}"


# An indicator "moved" when its displayed figure changed by at least five points.
MOVED_POINTS = 5
IMPROVED, DECLINED, UNCHANGED, MIXED = "improved", "declined", "unchanged", "mixed"


@dataclass(frozen=True)
class Change:
    subject: object  # a Stage or an Indicator
    before: float | None
    after: float | None
    # The later round's role groups dispute the indicator: the sentence says so
    # with their figures, since its "after" is a mean nobody holds.
    dispute: Dispute | None = None

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
        """The change between the two displayed percentages, so the figures add up."""
        return self.after_percent - self.before_percent if self.measured else None

    @property
    def direction(self):
        if not self.measured:
            return NOT_MEASURED
        if self.points >= MOVED_POINTS:
            return IMPROVED
        if self.points <= -MOVED_POINTS:
            return DECLINED
        return UNCHANGED

    @property
    def sentence(self):
        if self.dispute is not None:
            return _("%(sentence)s In the later round it is %(dispute)s.") % {
                "sentence": self._sentence,
                "dispute": self.dispute,
            }
        return self._sentence

    @property
    def _sentence(self):
        if not self.measured:
            return _("“%(text)s” was not measured in both rounds.") % {"text": self.subject.text}
        values = {
            "text": self.subject.text,
            "before": self.before_percent,
            "after": self.after_percent,
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


def compare_rounds(previous, latest, stages, count=3, disputes=None):
    """Compare two scored rounds by stage number and indicator key, never by question.

    DISPUTES: the latest round's disputed indicators as the viewer sees them
    (RoundSummary.dispute_figures), said with the indicators' changes.
    """
    disputes = disputes or {}
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
                    _dispute(indicator, disputes),
                )
            )
    measured = [c for c in indicator_changes if c.measured]
    return Comparison(
        previous=previous,
        latest=latest,
        stages=stage_changes,
        improved=sorted((c for c in measured if c.direction == IMPROVED), key=lambda c: -c.points)[
            :count
        ],
        declined=sorted((c for c in measured if c.direction == DECLINED), key=lambda c: c.points)[
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


def check_plan(items, before, after, stages, disputes=None):
    """For each committed item, how its indicators moved between the two rounds.

    An indicator item is checked on itself; a stage's step to the next stage on
    the indicators of that next stage, which the step is meant to build.
    DISPUTES: AFTER's disputed indicators as the viewer sees them (disputed).
    """
    disputes = disputes or {}
    by_number = {stage.number: stage for stage in stages}
    checks = []
    for item in items:
        if item.indicator_id:
            indicators = [item.indicator]
        else:
            target = by_number.get(item.step.stage.number + 1) or item.step.stage
            indicators = list(target.indicators.all())
        changes = [
            Change(
                i,
                before.indicator_scores.get(i.key),
                after.indicator_scores.get(i.key),
                _dispute(i, disputes),
            )
            for i in indicators
        ]
        checks.append(PlanCheck(item, changes))
    return checks


def _dispute(indicator, disputes):
    figures = disputes.get(indicator.key)
    return None if figures is None else Dispute(indicator, figures)
