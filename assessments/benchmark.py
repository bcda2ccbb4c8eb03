"""The peer benchmark's rules, pure: which groups may show, their distributions, a percentile.

No Django here. Groups are named by ``GroupKey`` (kind, industry, size); the
contributors are described by how many fall in each (industry, size) cell.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

ALL, INDUSTRY, SIZE, INDUSTRY_SIZE = "all", "industry", "size", "industry-size"
# From the widest group to the narrowest: the wider ones are kept first.
KINDS = (ALL, INDUSTRY, SIZE, INDUSTRY_SIZE)
# The percentiles of the position drawn for a group. Each is the mean of a block
# of at least the minimum number of organizations ranked together (distribution),
# never one organization's own figure.
GRID = (10, 25, 50, 75, 90)
QUARTILES = (25, 50, 75)


@dataclass(frozen=True, order=True)
class GroupKey:
    kind: str
    industry: str = ""
    size: str = ""

    def contains(self, industry: str, size: str) -> bool:
        if self.kind == ALL:
            return True
        if self.kind == INDUSTRY:
            return industry == self.industry
        if self.kind == SIZE:
            return size == self.size
        return industry == self.industry and size == self.size


def chain(industry: str, size: str) -> list[GroupKey]:
    """The groups an organization belongs to, from the narrowest to the widest."""
    keys = []
    if industry and size:
        keys.append(GroupKey(INDUSTRY_SIZE, industry, size))
    if industry:
        keys.append(GroupKey(INDUSTRY, industry=industry))
    if size:
        keys.append(GroupKey(SIZE, size=size))
    keys.append(GroupKey(ALL))
    return keys


def candidates(cells: Mapping[tuple[str, str], int]) -> list[GroupKey]:
    """Every group the cells make up, widest kind first, larger groups first within a kind."""
    sizes: dict[GroupKey, int] = {}
    for (industry, size), count in cells.items():
        for key in chain(industry, size):
            sizes[key] = sizes.get(key, 0) + count
    return sorted(sizes, key=lambda k: (KINDS.index(k.kind), -sizes[k], k))


def group_size(key: GroupKey, cells: Mapping[tuple[str, str], int]) -> int:
    return sum(count for (industry, size), count in cells.items() if key.contains(industry, size))


def atoms(keys: Iterable[GroupKey], cells: Mapping[tuple[str, str], int]) -> dict[tuple, int]:
    """Split the contributors by which of KEYS they belong to; return each part's size.

    Any sum or difference of figures of the groups KEYS is a figure of a union
    of these parts, each counted some number of times: no combination of the
    groups can isolate fewer organizations than the smallest non-empty part.
    """
    keys = list(keys)
    parts: dict[tuple, int] = {}
    for (industry, size), count in cells.items():
        signature = tuple(key.contains(industry, size) for key in keys)
        parts[signature] = parts.get(signature, 0) + count
    return parts


def is_safe(keys: Iterable[GroupKey], cells: Mapping[tuple[str, str], int], minimum: int) -> bool:
    """Whether no combination of the groups KEYS singles out fewer than MINIMUM organizations."""
    return all(count == 0 or count >= minimum for count in atoms(keys, cells).values())


def shown_groups(
    cells: Mapping[tuple[str, str], int], minimum: int, among: set[GroupKey] | None = None
) -> set[GroupKey]:
    """The groups whose figures may be shown, to anyone, on any page.

    CELLS counts the contributors per (industry, size); "" is unknown. A group
    shows with at least MINIMUM contributors, and only while every part the
    shown groups cut the contributors into has none or at least MINIMUM of
    them: otherwise subtracting one group's figures from another's (industry
    minus industry × size; all minus every industry) would expose the one to
    MINIMUM - 1 organizations left over. Wider groups are kept first; AMONG,
    when given, limits the groups considered.
    """
    shown: list[GroupKey] = []
    for key in candidates(cells):
        if among is not None and key not in among:
            continue
        if group_size(key, cells) < minimum:
            continue
        if key.kind != ALL and GroupKey(ALL) not in shown:
            break
        if is_safe([*shown, key], cells, minimum):
            shown.append(key)
    return set(shown)


def shown_group_of(industry: str, size: str, shown: set[GroupKey]) -> GroupKey | None:
    """The narrowest shown group an organization belongs to, or None."""
    return next((key for key in chain(industry, size) if key in shown), None)


def quantile(ordered: Sequence[float], p: float) -> float:
    """The P-th percentile (0..100) of sorted values, interpolated between neighbours."""
    if not ordered:
        raise ValueError("no values")
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def blocks(count: int, minimum: int) -> list[range]:
    """Cut COUNT ranked values into consecutive blocks of MINIMUM to 2 × MINIMUM - 1 values."""
    number = max(1, count // minimum)
    size, larger = divmod(count, number)
    cuts, start = [], 0
    for index in range(number):
        end = start + size + (1 if index < larger else 0)
        cuts.append(range(start, end))
        start = end
    return cuts


def distribution(
    values: Iterable[float], grid: Sequence[int] = GRID, minimum: int = 5
) -> dict[str, float]:
    """Each P-th percentile of the values, as the mean of the block of ranks it falls in.

    An interpolated percentile is one organization's own value whenever its rank
    is whole (the median of five is the third organization's figure), and a few
    of them give the rest back. Blocks are disjoint and hold at least MINIMUM
    values, so every published figure, and any sum or difference of them, covers
    at least MINIMUM organizations.
    """
    ordered = sorted(values)
    cuts = blocks(len(ordered), minimum)
    grid_values = {}
    for p in grid:
        rank = round((len(ordered) - 1) * p / 100)
        block = next(cut for cut in cuts if rank in cut)
        grid_values[str(p)] = round(sum(ordered[i] for i in block) / len(block), 4)
    return grid_values


def percentile_rank(ordered: Sequence[float], value: float) -> int:
    """The share of the group below VALUE, ties counted half, in whole percent (0..100)."""
    import bisect

    below = bisect.bisect_left(ordered, value)
    equal = bisect.bisect_right(ordered, value) - below
    return min(100, max(0, math.floor(100 * (below + equal / 2) / len(ordered))))


def stage_counts(counts: Mapping[int, int], minimum: int) -> dict[int, int | None]:
    """Each stage's number of organizations, None where it is below MINIMUM.

    When exactly one stage is hidden, the total minus the others would give it
    away, so the smallest shown stage is hidden with it.
    """
    shown: dict[int, int | None] = {
        stage: (count if count >= minimum else None) for stage, count in counts.items()
    }
    hidden = [stage for stage, count in shown.items() if count is None]
    if len(hidden) == 1:
        visible = [stage for stage, count in shown.items() if count is not None]
        if visible:
            smallest = min(visible, key=lambda stage: (counts[stage], stage))
            shown[smallest] = None
    return shown


def gap_points(marketing: Mapping[str, float | None], sales: Mapping[str, float | None]):
    """The widest marketing–sales gap over the stages, in points of the displayed percents."""
    from .scoring import SCORED_STAGES, percent

    gaps = [
        abs(percent(marketing[str(s)]) - percent(sales[str(s)]))
        for s in SCORED_STAGES
        if marketing.get(str(s)) is not None and sales.get(str(s)) is not None
    ]
    return max(gaps) if gaps else None
