"""Turn stored results into words: readings, statuses, actions, flags, gaps and changes.

The one home for every rule that turns a number into words. Pages and exports
call these, so one figure reads the same everywhere: a share is cut to
whole percent (scoring.percent), a position to one decimal (scoring.one_decimal),
a status is read off the displayed percent, and a difference is the difference
of the displayed figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import scoring
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
    return Reading(
        position=scoring.one_decimal(position),
        stage=stage,
        progress_percent=percent(Decimal(str(position)) - stage),
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
    """Return a round's flag codes: its stored FLAGS, and the perception gap when it shows.

    VISIBLE is the set of role groups the viewer may see (Round.visible_groups):
    the gap shows only when both sides do. The dashboard and its exports ask
    here; the team page applies the same rule row by row (summarize_round).
    """
    flags = list(flags or [])
    groups = groups or {}
    if {"marketing", "sales"} <= set(visible) and perception_gap_subjects(
        groups["marketing"], groups["sales"]
    ):
        flags.append(scoring.PERCEPTION_GAP)
    return flags


def perception_gap_subjects(marketing, sales):
    """Return the stages (as text) and indicator keys the two sides see apart (stored groups)."""
    return scoring.perception_gaps(
        {**marketing["attainment"], **marketing["indicator_scores"]},
        {**sales["attainment"], **sales["indicator_scores"]},
    )


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
        """The distance between the two displayed percentages, in points."""
        if self.marketing is None or self.sales is None:
            return None
        return abs(self.marketing_percent - self.sales_percent)


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


def summarize_round(round, stages, min_group, visible_groups, quotes=None):
    """Describe a round with results: its summary, role groups and the marketing–sales gap.

    Only the VISIBLE_GROUPS' figures are given (the privacy rule is the round's).
    QUOTES: see summarize (team_quotes).
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
    stage_gaps, indicator_gaps = [], []
    if {RoleGroup.MARKETING, RoleGroup.SALES} <= visible:
        marketing, sales = round.groups[RoleGroup.MARKETING], round.groups[RoleGroup.SALES]
        apart = set(perception_gap_subjects(marketing, sales))
        for stage in stages:
            if stage.number not in scoring.SCORED_STAGES:
                continue
            key = str(stage.number)
            m, s = marketing["attainment"].get(key), sales["attainment"].get(key)
            stage_gaps.append(GapRow(stage, m, s, key in apart))
            for indicator in stage.indicators.all():
                m = marketing["indicator_scores"].get(indicator.key)
                s = sales["indicator_scores"].get(indicator.key)
                flagged = indicator.key in apart
                text = _gap_text(indicator, m, s) if flagged else ""
                indicator_gaps.append(GapRow(indicator, m, s, flagged, text))
        if apart:
            summary.flags.append(_perception_gap_flag())
    return RoundSummary(round, summary, groups, stage_gaps, indicator_gaps, min_group)


def _perception_gap_flag():
    return (
        scoring.PERCEPTION_GAP,
        flag_labels()[scoring.PERCEPTION_GAP],
        _(
            "Marketing and sales see at least one stage or indicator half a stage or more "
            "apart. The rows concerned are highlighted in the perception gap below."
        ),
    )


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


# An indicator "moved" when its displayed figure changed by at least five points.
MOVED_POINTS = 5
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
