"""The alignment workshop: who sees which figures, the agenda, each item's figures.

Views call these; this module never imports a view. The privacy model is the
round's (docs/privacy.md "Who sees the answers"): a workshop opens only on figures the
user may see, through Round.view (visibility.round_view): a side's figures
show only when the view shows that group, answers per option and names only
where it shows individual answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from . import agenda, results, scoring
from .models import (
    ROLE_GROUPS,
    Answer,
    Evidence,
    MetricRule,
    RoleGroup,
    Round,
    Workshop,
    WorkshopAnswer,
    WorkshopItem,
    scored_answers,
)
from .models.evidence import judgements as evidence_judgements
from .visibility import RoundView, Viewer

SIDES = (RoleGroup.MARKETING, RoleGroup.SALES, RoleGroup.LEADERSHIP)


def member_sight(round: Round) -> RoundView:
    return round.view(Viewer.MEMBER)


def consultant_sight(round: Round) -> RoundView:
    """What the members see, less what a consultant may not: the workshop is shown to both."""
    return round.view(Viewer.MEMBER) & round.view(Viewer.CONSULTANT)


def meeting_sight(round: Round) -> RoundView:
    """What everyone in the meeting may see, which the agenda is ranked by.

    The meeting is the members' and, where the round was run with a consultant
    (its respondents were told so), that consultant's too.
    """
    sight = round.view(Viewer.MEMBER)
    if round.consultant_access:
        sight = sight & round.view(Viewer.CONSULTANT)
    return sight


def sight_for(round: Round, is_member: bool) -> RoundView:
    return member_sight(round) if is_member else consultant_sight(round)


def may_open(round: Round, is_member: bool) -> bool:
    """Whether this user may open the workshop and read its agenda.

    It works on figures the user may see. A consultant also needs to see all
    the agenda was ranked by: of an open round not run with them, the
    members' agenda is ranked by each person's answers, which they may not read.
    """
    sight = sight_for(round, is_member)
    if not sight.figures:
        return False
    meeting = meeting_sight(round)
    return is_member or sight & meeting == meeting


def refusal(round: Round, is_member: bool) -> str | None:
    """Why the workshop is closed to this user, in words; None when it is open to them."""
    if may_open(round, is_member):
        return None
    if not is_member and member_sight(round).figures and not round.consultant_access:
        return _(
            "This round was not run with a consultant: its workshop is the members' own "
            "meeting, on each person's answers, which a consultant may not see."
        )
    return _(
        "The workshop opens once the round's figures are published: for a confidential "
        "round, when it closes with enough answers."
    )


def round_indicators(round: Round):
    """The round's indicators in questionnaire order, each with its questions."""
    grouped = {}
    for section in round.questionnaire.answered_pages():
        for question in section.questions.all():
            indicator = question.indicator
            grouped.setdefault(indicator.key, (indicator, []))[1].append(question)
    return list(grouped.values())


def _submitted_answers(round, **filters):
    return Answer.objects.filter(
        response__round=round, response__submitted_at__isnull=False, **filters
    )


def candidates(
    round: Round, indicators, sight: RoundView, contradicted=()
) -> list[agenda.Candidate]:
    """One agenda candidate per indicator, with the disagreement SIGHT may show.

    CONTRADICTED: the keys of the indicators the round's CRM evidence contradicts.
    """
    gaps = {}
    if sight.gap:
        marketing = round.groups[RoleGroup.MARKETING]["indicator_scores"]
        sales = round.groups[RoleGroup.SALES]["indicator_scores"]
        for key in set(marketing) & set(sales):
            if marketing[key] is not None and sales[key] is not None:
                gaps[key] = _shown_apart(marketing[key], sales[key])
    spreads = {}
    if sight.individuals:
        # Each person's score on each indicator, as their own result scores it.
        people = {}
        rows = _submitted_answers(round).select_related("question__indicator__stage", "option")
        for answers in scored_answers(rows).values():
            for key, score in scoring.indicator_scores(answers).items():
                if score.value is not None:
                    people.setdefault(key, []).append(score.value)
        spreads = {key: _shown_apart(max(v), min(v)) for key, v in people.items() if len(v) > 1}
    return [
        agenda.Candidate(
            key=indicator.key,
            stage=indicator.stage.number,
            order=order,
            gap=gaps.get(indicator.key),
            spread=spreads.get(indicator.key),
            contradicted=indicator.key in contradicted,
        )
        for order, (indicator, _questions) in enumerate(indicators)
    ]


def _shown_apart(first, second):
    """How far apart two figures read, as a share: 83% against 16% is 0.67, as the pages say."""
    return scoring.points_apart(first, second) / 100


def open_workshop(round: Round, user) -> tuple[Workshop, bool]:
    """Create ROUND's workshop with its agenda; a second request gets the first one."""
    existing = Workshop.objects.filter(round=round).first()
    if existing:
        return existing, False
    indicators = {indicator.key: indicator for indicator, _questions in round_indicators(round)}
    sight = meeting_sight(round)
    # The figures as the meeting sees them: the publication, where that is what it shows.
    shown = round.seen(sight)
    ranked = agenda.order(
        candidates(shown, round_indicators(round), sight, Evidence.objects.contradictions(shown)),
        agenda.climbing(shown.stage),
    )
    try:
        with transaction.atomic():
            workshop = Workshop.objects.create(round=round, created_by=user)
            items = WorkshopItem.objects.bulk_create(
                WorkshopItem(
                    workshop=workshop,
                    indicator=indicators[item.key],
                    indicator_key=item.key,
                    position=position,
                    minutes=agenda.MIN_MINUTES,
                    disagreement=item.disagreement,
                    contradicted=item.contradicted,
                )
                for position, item in enumerate(ranked, start=1)
            )
            reschedule(workshop)
            workshop.current_item = items[0] if items else None
            workshop.timer_started_at = timezone.now()
            workshop.save(update_fields=["current_item", "timer_started_at"])
            workshop.refresh_result()
    except IntegrityError:  # opened by a simultaneous request
        return Workshop.objects.get(round=round), False
    return workshop, True


def reschedule(workshop: Workshop):
    """Share the time box out again down the agenda as it stands; the caller holds a transaction."""
    items = list(workshop.items.select_for_update().order_by("position", "pk"))
    planned = agenda.schedule(
        [
            agenda.Slot(
                str(item.pk),
                item.disagreement,
                fixed=None if item.indicator_id else item.minutes,
                skipped=item.skipped,
            )
            for item in items
        ],
        workshop.time_box,
    )
    for item in items:
        item.next_time = str(item.pk) in planned.later
        if item.indicator_id:
            item.minutes = planned.minutes.get(str(item.pk), agenda.MIN_MINUTES)
    WorkshopItem.objects.bulk_update(items, ["next_time", "minutes"])


def agreed_answers():
    """An item's consensus answers in the questionnaire's order, for prefetch_related."""
    return Prefetch(
        "answers",
        queryset=WorkshopAnswer.objects.select_related("option").order_by(
            "question__section__order", "question__order"
        ),
    )


def agenda_items(workshop: Workshop):
    return list(
        workshop.items.select_related("indicator__stage", "plan_item").prefetch_related(
            agreed_answers()
        )
    )


def minutes_total(items) -> int:
    return agenda.total_minutes(item.minutes for item in items if not item.next_time)


def move(workshop: Workshop, item: WorkshopItem, step: int) -> bool:
    """Swap ITEM with its neighbour STEP places away and share the time out again."""
    items = list(workshop.items.select_for_update().order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + step
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        other.position = position
    WorkshopItem.objects.bulk_update(items, ["position"])
    reschedule(workshop)
    return True


def shown_items(items):
    """The items the presenter steps through: the agenda without those left for next time."""
    return [item for item in items if not item.next_time]


def undecided(items):
    """The indicator items without a consensus answer yet."""
    return [item for item in items if item.indicator_id and not item.is_decided]


def item_questions(round: Round, item: WorkshopItem):
    """The questions of ITEM's indicator in the round's questionnaire, in its order."""
    for indicator, questions in round_indicators(round):
        if indicator.key == item.indicator_key:
            return questions
    return []


@dataclass
class OptionRow:
    option: object  # an Option, or None for "I don't know"
    counts: dict = field(default_factory=dict)  # side -> number of people
    names: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # (side's label, count), in the sides' order


@dataclass
class QuestionFigures:
    question: object
    rows: list
    in_place: str  # the question's top option: the practice "in place"


@dataclass
class ItemFigures:
    """What the room sees of one indicator: each side's answers to its questions, its means."""

    questions: list  # QuestionFigures
    sides: list  # the role groups counted per option, as (group, label)
    team_percent: int | None
    side_percents: list  # (label, percent or None)
    names: bool
    confidential: bool = False  # answers per option withheld, only the sides' means
    # What the round's CRM evidence says of the indicator (evidence.Judgement), as SIGHT
    # sees the team's figures: the reason a contradicted item leads the agenda.
    evidence: list = field(default_factory=list)


def item_figures(round: Round, item: WorkshopItem, sight: RoundView) -> ItemFigures | None:
    """The distribution per option on ITEM's questions, per side SIGHT shows; names if allowed."""
    if not item.indicator_id:
        return None
    questions = item_questions(round, item)
    tables = {}
    for question in questions:
        options = list(question.options.all())
        tables[question.pk] = (
            {option.pk: OptionRow(option) for option in options},
            OptionRow(None),
            options[-1].text if options else "",
        )
    sides = [group for group in SIDES if group in sight.groups]
    # Answers per option are individual answers: in a confidential round they would
    # give a member of a small side the others' answers (theirs minus their own), and
    # a consultant sees them only of a round run with them. Elsewhere only means show.
    counted = sides if sight.individuals else []
    if sight.individuals and questions:
        answers = _submitted_answers(round, question__in=questions).select_related("response")
        for answer in answers.order_by("response__submitted_at", "response__pk"):
            rows, unknown, _in_place = tables[answer.question_id]
            row = rows.get(answer.option_id, unknown)
            group = ROLE_GROUPS.get(answer.response.role)
            if group in counted:
                row.counts[group] = row.counts.get(group, 0) + 1
            row.names.append(answer.response.name or answer.response.get_role_display())
    figures = []
    for question in questions:
        rows, unknown, in_place = tables[question.pk]
        every_row = [*rows.values(), unknown]
        for row in every_row:
            row.cells = [(group.label, row.counts.get(group, 0)) for group in counted]
        figures.append(QuestionFigures(question, every_row, in_place))
    # The means as SIGHT shows them: the publication, where that is what it shows.
    round = round.seen(sight)
    key = item.indicator_key
    team = round.indicator_scores.get(key)
    side_percents = []
    for group in sides:
        value = round.groups.get(group, {}).get("indicator_scores", {}).get(key)
        side_percents.append((group.label, None if value is None else results.percent(value)))
    return ItemFigures(
        questions=figures,
        sides=[(group, group.label) for group in counted],
        team_percent=None if team is None else results.percent(team),
        side_percents=side_percents,
        names=sight.individuals,
        confidential=not sight.individuals,
        evidence=item_evidence(round, key),
    )


def item_evidence(round: Round, key: str) -> list:
    """The judgements of the CRM evidence on indicator KEY of ROUND as seen (Round.seen).

    No query for an organization that never had an export read (Organization.has_evidence).
    """
    if not round.organization.has_evidence:
        return []
    ready = Evidence.objects.ready_by_round([round.pk]).get(round.pk)
    if not ready:
        return []
    return [
        judgement
        for judgement in evidence_judgements(round, ready, MetricRule.objects.as_rules())
        if judgement.indicator == key
    ]


def elapsed_seconds(workshop: Workshop) -> int:
    if workshop.timer_started_at is None:
        return 0
    return max(0, int((timezone.now() - workshop.timer_started_at).total_seconds()))
