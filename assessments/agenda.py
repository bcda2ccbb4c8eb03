"""Order a workshop's agenda: the items the two sides see furthest apart come first.

Pure: plain dataclasses in and out, no Django. The disagreement on an item is
the larger of the marketing–sales gap on its indicator and, in an open round,
the spread between the people who answered its question (both shares of the
0–1 scale). Items are compared on the displayed figure (whole percent), so two
items that read the same are a tie; ties go to the earlier stage, because the
later stages build on it, then to the questionnaire's own order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .scoring import percent

# An item with no visible disagreement still needs a few minutes to agree on an
# answer; the widest disagreement (the whole scale) gets five times that.
BASE_MINUTES = 3
EXTRA_MINUTES = 12


@dataclass(frozen=True)
class Candidate:
    """One question the agenda may hold, with what is known of the disagreement on it."""

    key: str  # stable key of the item (the question's)
    stage: int
    order: int  # the question's place in the questionnaire
    gap: float | None = None  # |marketing - sales| on its indicator; None: not shown
    spread: float | None = None  # highest - lowest individual answer; None: not shown


@dataclass(frozen=True)
class Item:
    key: str
    disagreement: float | None
    minutes: int

    @property
    def disagreement_percent(self) -> int | None:
        return None if self.disagreement is None else percent(self.disagreement)


def disagreement(gap: float | None, spread: float | None) -> float | None:
    """The larger of the known figures; None when neither may be shown."""
    known = [value for value in (gap, spread) if value is not None]
    return max(known) if known else None


def suggested_minutes(share: float | None) -> int:
    """Minutes to give an item: a base, plus more the further apart the sides are."""
    if share is None:
        return BASE_MINUTES
    # From the displayed percent, so two items that read the same get the same time.
    shown = percent(min(max(share, 0.0), 1.0))
    return BASE_MINUTES + math.floor(EXTRA_MINUTES * shown / 100 + 0.5)


def order(candidates: Iterable[Candidate]) -> list[Item]:
    """Rank CANDIDATES: widest disagreement first, then earlier stage, then questionnaire order."""

    def rank(candidate: Candidate):
        share = disagreement(candidate.gap, candidate.spread)
        shown = -1 if share is None else percent(share)
        return (-shown, candidate.stage, candidate.order, candidate.key)

    items = []
    for candidate in sorted(candidates, key=rank):
        share = disagreement(candidate.gap, candidate.spread)
        items.append(Item(candidate.key, share, suggested_minutes(share)))
    return items


def total_minutes(minutes: Iterable[int]) -> int:
    return sum(minutes)
