"""The alignment workshop: who sees which figures, the agenda, each item's figures.

Views call these; this module never imports a view. The privacy model is the
round's (README "Who sees the answers"): a workshop opens only on figures the
user may see, through Round.view (visibility.round_view): a side's figures
show only when the view shows that group, answers per option and names only
where it shows individual answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import agenda, results
from .models import ROLE_GROUPS, Answer, RoleGroup, Round, Workshop, WorkshopItem
from .visibility import RoundView, Viewer

SIDES = (RoleGroup.MARKETING, RoleGroup.SALES, RoleGroup.LEADERSHIP)


def member_sight(round: Round) -> RoundView:
    return round.view(Viewer.MEMBER)


def consultant_sight(round: Round) -> RoundView:
    """What the members see, less what a consultant may not: the workshop is shown to both."""
    return round.view(Viewer.MEMBER) & round.view(Viewer.CONSULTANT)


def sight_for(round: Round, is_member: bool) -> RoundView:
    return member_sight(round) if is_member else consultant_sight(round)


def may_open(round: Round, is_member: bool) -> bool:
    """A workshop works on published figures, which this user may see too."""
    return sight_for(round, is_member).figures


def shared_sight(round: Round) -> RoundView:
    """The figures the agenda is ranked by: what every facilitator of the round may see.

    The agenda is stored, and a consultant assigned later reads it too: so it
    is ranked by what any consultant of the organization could see, whether or
    not the organization has one today.
    """
    return consultant_sight(round)


def _submitted_answers(round, **filters):
    return Answer.objects.filter(
        response__round=round, response__submitted_at__isnull=False, **filters
    )


def candidates(round: Round, questions, sight: RoundView) -> list[agenda.Candidate]:
    """One agenda candidate per question, with the disagreement SIGHT may show."""
    gaps = {}
    if sight.gap:
        marketing = round.groups[RoleGroup.MARKETING]["indicator_scores"]
        sales = round.groups[RoleGroup.SALES]["indicator_scores"]
        for key in set(marketing) & set(sales):
            if marketing[key] is not None and sales[key] is not None:
                gaps[key] = abs(marketing[key] - sales[key])
    spreads = {}
    if sight.individuals:
        values = {}
        rows = _submitted_answers(round, option__isnull=False).values_list(
            "question_id", "option__value"
        )
        for question_id, value in rows:
            values.setdefault(question_id, []).append(value)
        spreads = {pk: max(v) - min(v) for pk, v in values.items() if len(v) > 1}
    return [
        agenda.Candidate(
            key=str(question.pk),
            stage=question.indicator.stage.number,
            order=order,
            gap=gaps.get(question.indicator.key),
            spread=spreads.get(question.pk),
        )
        for order, question in enumerate(questions)
    ]


def round_questions(round: Round):
    return [q for section in round.questionnaire.pages() for q in section.questions.all()]


def open_workshop(round: Round, user) -> tuple[Workshop, bool]:
    """Create ROUND's workshop with its ranked agenda; a second request gets the first one."""
    existing = Workshop.objects.filter(round=round).first()
    if existing:
        return existing, False
    questions = {str(q.pk): q for q in round_questions(round)}
    ranked = agenda.order(candidates(round, questions.values(), shared_sight(round)))
    try:
        with transaction.atomic():
            workshop = Workshop.objects.create(round=round, created_by=user)
            items = WorkshopItem.objects.bulk_create(
                WorkshopItem(
                    workshop=workshop,
                    question=questions[item.key],
                    indicator_key=questions[item.key].indicator.key,
                    position=position,
                    minutes=item.minutes,
                    disagreement=item.disagreement,
                )
                for position, item in enumerate(ranked, start=1)
            )
            workshop.current_item = items[0] if items else None
            workshop.timer_started_at = timezone.now()
            workshop.save(update_fields=["current_item", "timer_started_at"])
            workshop.refresh_result()
    except IntegrityError:  # opened by a simultaneous request
        return Workshop.objects.get(round=round), False
    return workshop, True


def agenda_items(workshop: Workshop):
    return list(workshop.items.select_related("question__indicator__stage", "option", "plan_item"))


def minutes_total(items) -> int:
    return agenda.total_minutes(item.minutes for item in items if not item.skipped)


def move(workshop: Workshop, item: WorkshopItem, step: int) -> bool:
    """Swap ITEM with its neighbour STEP places away; False at either end."""
    items = list(workshop.items.select_for_update().order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + step
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        other.position = position
    WorkshopItem.objects.bulk_update(items, ["position"])
    return True


def shown_items(items):
    """The items the presenter steps through: the agenda without skipped ones."""
    return [item for item in items if not item.skipped]


@dataclass
class OptionRow:
    option: object  # an Option, or None for "I don't know"
    counts: dict = field(default_factory=dict)  # side -> number of people
    names: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # the counts in the order of the sides shown


@dataclass
class ItemFigures:
    """What the room sees of one question: each side's answers, its indicator's figures."""

    rows: list
    sides: list  # the role groups counted per option, as (group, label)
    team_percent: int | None
    side_percents: list  # (label, percent or None)
    names: bool
    in_place: str  # the question's top option: the indicator "in place"
    confidential: bool = False  # answers per option withheld, only the sides' means


def item_figures(round: Round, item: WorkshopItem, sight: RoundView) -> ItemFigures | None:
    """The distribution per option on ITEM's question, per side SIGHT shows; names if allowed."""
    if item.question_id is None:
        return None
    question = item.question
    options = list(question.options.all())
    rows = {option.pk: OptionRow(option) for option in options}
    unknown = OptionRow(None)
    sides = [group for group in SIDES if group in sight.groups]
    # Answers per option are individual answers: in a confidential round they would
    # give a member of a small side the others' answers (theirs minus their own), and
    # a consultant sees them only of a round run with them. Elsewhere only means show.
    counted = sides if sight.individuals else []
    if counted or sight.individuals:
        answers = _submitted_answers(round, question=question).select_related("response")
        for answer in answers.order_by("response__submitted_at", "response__pk"):
            row = rows.get(answer.option_id, unknown)
            group = ROLE_GROUPS.get(answer.response.role)
            if group in counted:
                row.counts[group] = row.counts.get(group, 0) + 1
            if sight.individuals:
                row.names.append(answer.response.name or answer.response.get_role_display())
    for row in [*rows.values(), unknown]:
        row.cells = [row.counts.get(group, 0) for group in counted]
    key = item.indicator_key
    team = round.indicator_scores.get(key)
    side_percents = []
    for group in sides:
        value = round.groups.get(group, {}).get("indicator_scores", {}).get(key)
        side_percents.append((group.label, None if value is None else results.percent(value)))
    return ItemFigures(
        rows=[*rows.values(), unknown],
        sides=[(group, group.label) for group in counted],
        team_percent=None if team is None else results.percent(team),
        side_percents=side_percents,
        names=sight.individuals,
        in_place=options[-1].text if options else "",
        confidential=not sight.individuals,
    )


def organization_language(organization) -> str:
    """The organization's language: its own setting if it has one, else its members' usual one."""
    supported = {code for code, _ in settings.LANGUAGES}
    own = getattr(organization, "language", "")
    if own in supported:
        return own
    counts = Counter(
        language
        for language in organization.memberships.values_list("language", flat=True)
        if language in supported
    )
    return counts.most_common(1)[0][0] if counts else settings.LANGUAGE_CODE


def elapsed_seconds(workshop: Workshop) -> int:
    if workshop.timer_started_at is None:
        return 0
    return max(0, int((timezone.now() - workshop.timer_started_at).total_seconds()))
