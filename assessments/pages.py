"""Page builders that several audiences share: a result, a round's result, progress, heatmap.

Views call these; this module never imports a view.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from stages.models import Indicator, Stage

from . import benchmark, cadence, charts, evidence, results, scoring
from .models import Answer, Evidence, MetricRule, RoleGroup, Round
from .visibility import Viewer


class ResultPage:
    """The results page's figures, computed only when its cached body is drawn again.

    A submitted result never changes, so the page body is cached (see
    RESULT_CACHE_SECONDS); on a cache hit none of this runs and no query is made.
    """

    def __init__(self, response):
        self.response = response

    @cached_property
    def stages(self):
        return list(Stage.objects.with_content())

    @cached_property
    def summary(self):
        quotes = {}
        if results.quotes_needed(self.response.flags):
            answers = self.response.answers.select_related("question__indicator", "option")
            quotes = results.answer_quotes(answers)
        return results.summarize(self.response, self.stages, quotes)

    @cached_property
    def position_chart(self):
        reading = self.summary.reading
        markers = [
            charts.Marker(
                _("Your position"), float(self.response.position), at_least=reading.lower_bound
            )
        ]
        if self.response.round_id:
            previous = Round.objects.published().before(self.response.round).first()
            if previous:
                previous = previous.seen_by(Viewer.MEMBER)
                markers.append(
                    charts.Marker(_("Team, previous round"), float(previous.position), faded=True)
                )
        decimal_mark = get_format("DECIMAL_SEPARATOR")
        return charts.position_figure(charts.bands(self.stages), markers, decimal_mark)

    @cached_property
    def attainment_chart(self):
        summary = self.summary
        return charts.attainment_figure(
            charts.bands(self.stages),
            [(row.stage.number, row.attainment) for row in summary.attainment_rows],
            summary.threshold_percent,
            tick=_("Stage %(number)s"),
            unknown=_("not measured"),
        )


def progress_chart(shown, stages, viewer=Viewer.MEMBER):
    """The team's line through the SHOWN rounds, and each role group's where VIEWER may see it."""
    chronological = [r.seen_by(viewer) for r in reversed(shown)]
    indexes = range(len(chronological))
    # Named, not dated: two rounds opened on one day would share a label.
    labels = [r.name for r in chronological]
    series = [charts.Series(_("Team"), list(indexes), [float(r.position) for r in chronological])]
    visible = [r.view(viewer).groups for r in chronological]
    for group in RoleGroup:
        points = [
            (index, r.groups[group]["position"])
            for index, r in zip(indexes, chronological, strict=True)
            if group in visible[index]
        ]
        if points:
            rounds, positions = zip(*points, strict=True)
            series.append(charts.Series(str(group.label), list(rounds), list(positions), True))
    # A consensus that places nobody draws no point; a partial one is its own line.
    for partial, label in ((False, _("Consensus (workshop)")), (True, _("Partial consensus"))):
        agreed = [
            (index, float(r.consensus.position))
            for index, r in zip(indexes, chronological, strict=True)
            if r.consensus and r.consensus.reading.placed and r.consensus.is_partial == partial
        ]
        if agreed:
            rounds, positions = zip(*agreed, strict=True)
            series.append(charts.Series(label, list(rounds), list(positions), True))
    decimal_mark = get_format("DECIMAL_SEPARATOR")
    return charts.progress_figure(charts.bands(stages), labels, series, decimal_mark=decimal_mark)


def individual_answers(round):
    """Each submitted response of ROUND with its answers in questionnaire order.

    Only for those allowed to see individual answers: the members of an open
    round, the consultants of a round run with them.
    """
    answers = Answer.objects.select_related("question", "option").order_by(
        "question__section__order", "question__order"
    )
    return list(
        round.responses.filter(submitted_at__isnull=False)
        .order_by("submitted_at", "pk")
        .prefetch_related(Prefetch("answers", queryset=answers))
    )


def round_result_context(round, stages, previous=None, viewer=Viewer.MEMBER):
    """What a round's figures show: result, markers, change since PREVIOUS and its plan's check.

    The caller has checked that VIEWER may see the figures (Round.view); they
    are read as that view shows them (Round.seen: the publication, where that
    is what VIEWER sees), and the role groups and the spread are filtered here.
    """
    view = round.view(viewer)
    round = round.seen(view)
    if previous is not None:
        previous = previous.seen_by(viewer)
    summary = results.summarize_round(
        round,
        stages,
        settings.ROUND_GROUP_MIN_RESPONDENTS,
        view.groups,
        quotes=(
            results.team_quotes(round.questionnaire.answered_pages(), round.indicator_scores)
            if results.quotes_needed(round.flags)
            else {}
        ),
    )
    reading = summary.summary.reading
    # Too few answers place nobody: the team gets no marker rather than a firm one.
    markers = (
        [charts.Marker(_("Team"), float(round.position), at_least=reading.lower_bound)]
        if reading.placed
        else []
    )
    markers += [
        charts.Marker(group.label, group.position, secondary=True)
        for group in summary.groups
        if group.position is not None
    ]
    context = {
        "round_summary": summary,
        "summary": summary.summary,
        "shows_spread": view.spread,
        "chart_stages": stages,
    }
    if previous is not None:
        markers.append(charts.Marker(_("Previous round"), float(previous.position), faded=True))
        disputes = summary.dispute_figures
        context["comparison"] = results.compare_rounds(previous, round, stages, disputes=disputes)
        plan = previous.plan.select_related("step__stage", "indicator")
        context["plan_checks"] = results.check_plan(plan, previous, round, stages, disputes)
    context["position_chart"] = charts.position_figure(
        charts.bands(stages), markers, decimal_mark=get_format("DECIMAL_SEPARATOR")
    )
    return context


def heatmap(scored, stages, viewer):
    """Rounds down, indicators across, each cell the round's mean as VIEWER sees it.

    An indicator the role groups VIEWER may see dispute (results.disputed) has
    no mean and no colour in its cell: each side's figure instead.
    """
    indicators = [
        indicator
        for stage in stages
        if stage.number in scoring.SCORED_STAGES
        for indicator in stage.indicators.all()
    ]
    rows = []
    for round in (r.seen_by(viewer) for r in scored):
        disputes = results.disputed(round.groups, round.shown_view.groups)
        cells = []
        for indicator in indicators:
            if indicator.key not in round.indicator_scores:
                cells.append({"value": None, "measured": False})
                continue
            value = round.indicator_scores[indicator.key]
            if indicator.key in disputes:
                dispute = results.Dispute(indicator, disputes[indicator.key])
                cells.append({"value": value, "measured": True, "dispute": dispute})
                continue
            cells.append({"value": value, "measured": True, **_heat(value)})
        rows.append((round, cells))
    return {"indicators": indicators, "rows": rows}


# Five steps from "missing" to "in place"; dark text on every one passes WCAG AA.
HEAT = ["#f8d7da", "#fbe3c6", "#fff3cd", "#dcefd6", "#b9e1c4"]


def _heat(value):
    if value is None:
        return {"colour": "#e9ecef", "percent": None}
    step = min(int(value * len(HEAT)), len(HEAT) - 1)
    return {"colour": HEAT[step], "percent": results.percent(value)}


def benchmark_context(entry, stages):
    """The member's benchmark page: where the organization stands in its shown group.

    Reads one materialized entry and its groups; every figure of a group was
    computed by materialize_benchmark for a group that may be shown.
    """
    group = entry.group
    names = {stage.number: str(stage.name) for stage in stages}
    stage_rows = []
    for number in scoring.SCORED_STAGES:
        key = str(number)
        q = group.attainment[key]
        stage_rows.append(
            {
                "number": number,
                "name": names.get(number, key),
                "own": scoring.percent(entry.attainment[key]),
                "percentile": entry.attainment_percentiles[key],
                "low": scoring.percent(q["25"]),
                "median": scoring.percent(q["50"]),
                "high": scoring.percent(q["75"]),
            }
        )
    labels = (_("Middle half of peers"), _("Peers' median"), _("Your organization"))
    attainment_chart = charts.peer_figure(
        [
            charts.PeerRow(
                _("Stage %(number)s") % {"number": r["number"]},
                r["low"],
                r["median"],
                r["high"],
                r["own"],
            )
            for r in stage_rows
        ],
        labels,
        (0, 100),
        suffix="%",
    )
    positions = {p: float(scoring.one_decimal(v)) for p, v in group.positions.items()}
    own_position = float(scoring.one_decimal(entry.position))
    position_chart = charts.peer_figure(
        [
            charts.PeerRow(
                _("Position"), positions["25"], positions["50"], positions["75"], own_position
            )
        ],
        labels,
        (1, 4),
    )
    shares = []
    for number in (1, 2, 3, 4):
        count = group.stages.get(str(number))
        shares.append(
            {
                "number": number,
                "name": names.get(number, str(number)),
                "count": count,
                "percent": None if count is None else scoring.percent(count / group.organizations),
                "own": number == entry.stage,
            }
        )
    gap = None
    if entry.gap is not None and entry.gap_group_id:
        gap_group = entry.gap_group
        gap = {
            "own": entry.gap,
            "percentile": entry.gap_percentile,
            "group": gap_group,
            "organizations": gap_group.gap["organizations"],
            "low": scoring.points(gap_group.gap["25"]),
            "median": scoring.points(gap_group.gap["50"]),
            "high": scoring.points(gap_group.gap["75"]),
        }
    minimum = settings.BENCHMARK_MIN_ORGANIZATIONS
    return {
        "entry": entry,
        "group": group,
        # Each published figure is the mean of one of these blocks of ranked
        # organizations: with a single block, every percentile reads the same.
        "blocks": len(benchmark.blocks(group.organizations, minimum)),
        "split_from": 2 * minimum,
        "grid_size": len(benchmark.GRID),
        "hidden_stages": sum(share["count"] is None for share in shares),
        "positions": positions,
        "stage_rows": stage_rows,
        "shares": shares,
        "gap": gap,
        "position": scoring.one_decimal(entry.position),
        "minimum": minimum,
        "attainment_chart": attainment_chart,
        "position_chart": position_chart,
        "chart_stages": stages,
    }


@dataclass
class EvidenceRow:
    """One metric of an export: its figure, the records it rests on, a verdict per indicator."""

    metric: evidence.Metric
    measure: evidence.Measure | None
    rule: evidence.Rule | None
    judgements: list = field(default_factory=list)  # (judgement, indicator) per indicator

    @property
    def figure(self):
        return evidence.display(self.metric, self.measure.value if self.measure else None)

    @property
    def records(self):
        return self.measure.records if self.measure else 0

    @property
    def enough(self):
        return bool(self.measure and self.rule and evidence.enough(self.measure, self.rule))

    @property
    def span(self):
        return max(1, len(self.judgements))

    @property
    def detail(self):
        return evidence.detail(self.metric, self.measure)


@dataclass
class EvidenceSection:
    kind: str
    label: str
    record: Evidence | None
    rows: list[EvidenceRow]


@dataclass
class EvidenceSummary:
    sections: list[EvidenceSection]  # only the kinds with evidence read
    latest: Evidence | None  # the latest upload, whatever its state
    visible: bool  # whether the viewer sees the team's answers (the verdicts)

    @property
    def judgements(self):
        return [j for s in self.sections for r in s.rows for j, _i in r.judgements]

    @property
    def contradictions(self):
        return [j for j in self.judgements if j.verdict == evidence.CONTRADICTS]

    @property
    def contradicted_names(self):
        """The names of the indicators the evidence contradicts, each once, in the table's order."""
        names = {}
        for section in self.sections:
            for row in section.rows:
                for judgement, indicator in row.judgements:
                    if judgement.verdict == evidence.CONTRADICTS:
                        name = (indicator.name or indicator.text) if indicator else None
                        names.setdefault(judgement.indicator, name or judgement.indicator)
        return list(names.values())

    @property
    def working(self):
        """The latest upload while it waits for columns or is being read."""
        return self.latest if self.latest and self.latest.is_unfinished else None

    @property
    def failed(self):
        """The latest upload when it could not be read (the evidence shown is older)."""
        if self.latest and self.latest.status == Evidence.Status.FAILED:
            return self.latest
        return None


SOURCES = {evidence.HUBSPOT: "HubSpot", evidence.SALESFORCE: "Salesforce"}


def evidence_summary(round, stages=None, viewer=Viewer.MEMBER):
    """What the round's CRM evidence says, each metric judged against the team's answers.

    Two queries (the round's uploads and the rules), and one for the
    indicators' names when STAGES are not given. A verdict needs the
    team's figures, so it shows only where VIEWER may see them (Round.view);
    the metrics themselves are organization-level data the caller has checked
    the viewer may see.
    """
    ready, latest = Evidence.objects.current(round)
    visible = round.view(viewer).figures
    if not ready:
        return EvidenceSummary([], latest, visible)
    if stages is None:
        keys = {key for metric in evidence.METRICS.values() for key in metric.indicators}
        indicators = {i.key: i for i in Indicator.objects.filter(key__in=keys)}
    else:
        indicators = {i.key: i for stage in stages for i in stage.indicators.all()}
    rules = MetricRule.objects.as_rules()
    labels = dict(Evidence._meta.get_field("kind").choices)
    sections = []
    for kind in (evidence.LEADS, evidence.DEALS):
        record = ready.get(kind)
        if record is None:
            continue
        measures = record.measures()
        rows = []
        for metric in evidence.METRICS.values():
            if metric.kind != kind:
                continue
            measure, rule = measures.get(metric.key), rules.get(metric.key)
            row = EvidenceRow(metric, measure, rule)
            for key in metric.indicators:
                judgement = evidence.judge(
                    metric,
                    key,
                    measure,
                    rule,
                    round.indicator_scores.get(key),
                    visible=visible,
                    answered=key in round.indicator_scores,
                )
                row.judgements.append((judgement, indicators.get(key)))
            rows.append(row)
        sections.append(EvidenceSection(kind, labels[kind], record, rows))
    return EvidenceSummary(sections, latest, visible)


def next_benchmark_run(now=None):
    """When the daily computation of the benchmark runs next (BENCHMARK_RUN_AT), local time."""
    return cadence.next_daily_run(timezone.localtime(now), settings.BENCHMARK_RUN_AT)
