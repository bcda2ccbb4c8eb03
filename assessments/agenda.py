"""Plan a workshop's agenda: one item per indicator, foundations first, fitted to a time box.

Pure: plain dataclasses in and out, no Django. An item's disagreement is the
larger of the marketing–sales gap on its indicator and, in an open round, the
spread between the people who answered it (both shares of the 0–1 scale, as
the people in the meeting may see them). Items come in the order the team
climbs: the stage being climbed first, then the stages that build on it, and
the stages already reached last, each stage's widest disagreement first
(compared on the displayed percent, so two items that read the same are a tie,
settled by the questionnaire's order).

An indicator the company's CRM export contradicts (the data says otherwise than
the team's answers, evidence.contradicted) comes before all of them, lowest
stage first: the team's belief that a practice is in place is what the
meeting must settle before climbing on it, and the time box must not leave it
for next time.

The time box is then shared out down that order: every item gets at least
MIN_MINUTES, what is left goes to wider disagreements first, and whatever does
not fit waits for the next meeting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .scoring import percent

DEFAULT_TIME_BOX = 90
# A few minutes to agree on an indicator's answers even when nobody disagrees.
MIN_MINUTES = 5
# Past half an hour an indicator is a meeting of its own: the rest of the box
# goes to the other items, or stays free.
MAX_MINUTES = 30
# The widest disagreement (the whole scale) claims five times the spare time of
# an item with none.
WIDEST_WEIGHT = 5


@dataclass(frozen=True)
class Candidate:
    """One indicator the agenda may hold, with what is known of the disagreement on it."""

    key: str  # the indicator's stable key
    stage: int
    order: int  # the indicator's place in the questionnaire
    gap: float | None = None  # |marketing - sales| on the indicator; None: not shown
    spread: float | None = None  # highest - lowest person's score on it; None: not shown
    contradicted: bool = False  # the CRM's evidence contradicts the team's answers on it


@dataclass(frozen=True)
class Item:
    key: str
    stage: int
    disagreement: float | None
    contradicted: bool = False

    @property
    def disagreement_percent(self) -> int | None:
        return None if self.disagreement is None else percent(self.disagreement)


def disagreement(gap: float | None, spread: float | None) -> float | None:
    """The larger of the known figures; None when neither may be shown."""
    known = [value for value in (gap, spread) if value is not None]
    return max(known) if known else None


def climbing(stage: int | None) -> int | None:
    """The stage a team placed in STAGE is climbing; None at the top of the continuum."""
    if stage is None:
        return 2
    return stage + 1 if stage < 4 else None


def stage_rank(stage: int, climbed: int | None) -> tuple[int, int]:
    """Where a stage's items come: the climbed stage and those above it, then those reached."""
    if climbed is None or stage >= climbed:
        return (0, stage)
    return (1, stage)


def order(candidates: Iterable[Candidate], climbed: int | None) -> list[Item]:
    """Rank CANDIDATES: contradicted ones first, by stage from the CLIMBED one, then widest
    disagreement, then order (a contradicted one's stage counts from the bottom)."""

    def rank(candidate: Candidate):
        share = disagreement(candidate.gap, candidate.spread)
        shown = -1 if share is None else percent(share)
        stage = (
            (-1, candidate.stage)
            if candidate.contradicted
            else stage_rank(candidate.stage, climbed)
        )
        return (stage, -shown, candidate.order, candidate.key)

    return [
        Item(c.key, c.stage, disagreement(c.gap, c.spread), c.contradicted)
        for c in sorted(candidates, key=rank)
    ]


@dataclass(frozen=True)
class Slot:
    """An agenda item as the schedule sees it, in agenda order."""

    key: str
    disagreement: float | None = None
    fixed: int | None = None  # the minutes a topic of the facilitator's own asks for
    skipped: bool = False  # put off to the next meeting by the facilitator


@dataclass(frozen=True)
class Schedule:
    minutes: dict[str, int]  # the items discussed this time, in agenda order
    later: list[str]  # next time: put off, or past the time box

    @property
    def total(self) -> int:
        return sum(self.minutes.values())


def schedule(slots: Sequence[Slot], box: int) -> Schedule:
    """Share BOX minutes out down the agenda; what does not fit goes to the next meeting.

    Items are taken in order while their least time fits (MIN_MINUTES, or a
    topic's own minutes); once one does not, it and everything after it wait,
    so the foundations are never dropped for a later stage. The spare minutes
    go to the items taken, in proportion to their weight (more for a wider
    disagreement), none past MAX_MINUTES; the total never exceeds BOX.
    """
    taken, later, used, full = [], [], 0, False
    for slot in slots:
        if slot.skipped:
            later.append(slot.key)
            continue
        need = slot.fixed if slot.fixed is not None else MIN_MINUTES
        full = full or used + need > box
        if full:
            later.append(slot.key)
            continue
        taken.append(slot)
        used += need
    flexible = [slot for slot in taken if slot.fixed is None]
    extra = _share(flexible, Fraction(box - used))
    minutes = {
        slot.key: slot.fixed if slot.fixed is not None else MIN_MINUTES + extra[slot.key]
        for slot in taken
    }
    return Schedule(minutes, later)


def weight(share: float | None) -> Fraction:
    """An item's claim on the spare minutes, from its displayed disagreement."""
    shown = 0 if share is None else min(max(percent(share), 0), 100)
    return 1 + Fraction(shown * (WIDEST_WEIGHT - 1), 100)


def _share(slots: list[Slot], spare: Fraction) -> dict[str, int]:
    """Whole extra minutes per slot: SPARE by weight, capped, cut, remainders largest first."""
    room = MAX_MINUTES - MIN_MINUTES
    exact = dict.fromkeys((slot.key for slot in slots), Fraction(0))
    active = list(slots)
    while active and spare > 0:
        total = sum(weight(slot.disagreement) for slot in active)
        offers = {slot.key: spare * weight(slot.disagreement) / total for slot in active}
        full = [slot for slot in active if offers[slot.key] >= room]
        if not full:
            for slot in active:
                exact[slot.key] += offers[slot.key]
            break
        for slot in full:
            spare -= room
            exact[slot.key] = Fraction(room)
        active = [slot for slot in active if slot not in full]
    whole = {key: int(value) for key, value in exact.items()}
    left = int(sum(exact.values())) - sum(whole.values())
    # The minutes lost to cutting go to the largest remainders, earlier items first.
    by_remainder = sorted(
        (key for key in exact if whole[key] < room),
        key=lambda key: -(exact[key] - whole[key]),
    )
    for key in by_remainder[:left]:
        whole[key] += 1
    return whole


def total_minutes(minutes: Iterable[int]) -> int:
    return sum(minutes)
