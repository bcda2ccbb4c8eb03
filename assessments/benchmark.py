"""The peer benchmark's rules, pure: which groups may show, their distributions, a percentile.

No Django here. Groups are named by ``GroupKey`` (kind, industry, size); the
contributors are described per (industry, size) cell, by how many fall in it
or by who they are. A contributor is an independent source of figures:
organizations that share a member or were created by the same account are one
(contributors), since one person knowing several of them could subtract their
own; every minimum counts contributors, never organizations.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

ALL, INDUSTRY, SIZE, INDUSTRY_SIZE = "all", "industry", "size", "industry-size"
# From the widest group to the narrowest: the wider ones are kept first.
KINDS = (ALL, INDUSTRY, SIZE, INDUSTRY_SIZE)
# The percentiles of the position drawn for a group. Each is the mean of a block
# of at least the minimum number of organizations ranked together (distribution),
# never one organization's own figure.
GRID = (10, 25, 50, 75, 90)
QUARTILES = (25, 50, 75)

# Contributors per (industry, size) cell: how many (all independent of each
# other) or which (identified by contributors()).
Cells = Mapping[tuple[str, str], "int | Collection[Hashable]"]


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


def contributors(
    organizations: Iterable[Hashable], links: Iterable[tuple[Hashable, Hashable]]
) -> dict[Hashable, Hashable]:
    """Each organization's contributor: organizations that share a LINK key are one.

    LINKS are (organization, key) pairs: a member, the account that created it.
    Linked organizations join, transitively (union-find); a consultancy's
    clients, which share only their consultant, are not linked.
    """
    parent = {organization: organization for organization in organizations}

    def root(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    holder: dict[Hashable, Hashable] = {}
    for organization, key in links:
        if organization not in parent:
            continue
        if key in holder:
            a, b = root(organization), root(holder[key])
            if a != b:
                parent[max(a, b, key=repr)] = min(a, b, key=repr)
        else:
            holder[key] = organization
    return {organization: root(organization) for organization in parent}


def _who(cells: Cells) -> dict[tuple[str, str], frozenset]:
    """Each cell's contributors; a count stands for that many independent ones."""
    return {
        cell: frozenset((cell, n) for n in range(found))
        if isinstance(found, int)
        else frozenset(found)
        for cell, found in cells.items()
    }


def candidates(cells: Cells) -> list[GroupKey]:
    """Every group the cells make up, widest kind first, larger groups first within a kind."""
    keys = {key for cell in cells for key in chain(*cell)}
    sizes = {key: group_size(key, cells) for key in keys}
    return sorted(sizes, key=lambda k: (KINDS.index(k.kind), -sizes[k], k))


def group_size(key: GroupKey, cells: Cells) -> int:
    """The contributors in group KEY."""
    who = _who(cells)
    return len(frozenset().union(*(c for cell, c in who.items() if key.contains(*cell))))


def atoms(keys: Iterable[GroupKey], cells: Cells) -> dict[tuple, int]:
    """Split the contributors by which of KEYS they belong to; return each part's size.

    Any sum or difference of figures of the groups KEYS is a figure of a union
    of these parts, each counted some number of times: no combination of the
    groups can isolate fewer contributors than the smallest non-empty part. A
    contributor with organizations in two parts counts in both.
    """
    keys = list(keys)
    parts: dict[tuple, set] = {}
    for (industry, size), found in _who(cells).items():
        signature = tuple(key.contains(industry, size) for key in keys)
        parts.setdefault(signature, set()).update(found)
    return {signature: len(found) for signature, found in parts.items()}


def is_safe(keys: Iterable[GroupKey], cells: Cells, minimum: int) -> bool:
    """Whether no combination of the groups KEYS singles out fewer than MINIMUM contributors."""
    return all(count == 0 or count >= minimum for count in atoms(keys, cells).values())


def shown_groups(cells: Cells, minimum: int, among: set[GroupKey] | None = None) -> set[GroupKey]:
    """The groups whose figures may be shown, to anyone, on any page.

    CELLS gives the contributors per (industry, size); "" is unknown. A group
    shows with at least MINIMUM contributors, and only while every part the
    shown groups cut the contributors into has none or at least MINIMUM of
    them: otherwise subtracting one group's figures from another's (industry
    minus industry × size; all minus every industry) would expose the one to
    MINIMUM - 1 contributors left over. Wider groups are kept first; AMONG,
    when given, limits the groups considered.
    """
    cells = _who(cells)  # once, for the many counts below
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
    return _even(count, max(1, count // minimum))


def _even(count: int, number: int) -> list[range]:
    size, larger = divmod(count, number)
    cuts, start = [], 0
    for index in range(number):
        end = start + size + (1 if index < larger else 0)
        cuts.append(range(start, end))
        start = end
    return cuts


def contributor_blocks(ranked: Sequence[Hashable], minimum: int) -> list[range]:
    """Cut ranked values into even blocks each holding MINIMUM contributors or more.

    RANKED gives each value's contributor, in rank order. With every value its
    own contributor, these are blocks(); otherwise fewer, larger blocks, down
    to one, until none holds fewer than MINIMUM independent contributors.
    """
    number = max(1, len(set(ranked)) // minimum)
    while True:
        cuts = _even(len(ranked), number)
        if number == 1 or all(len({ranked[i] for i in cut}) >= minimum for cut in cuts):
            return cuts
        number -= 1


def distribution(
    values: Iterable[float],
    grid: Sequence[int] = GRID,
    minimum: int = 5,
    contributors: Iterable[Hashable] | None = None,
) -> dict[str, float]:
    """Each P-th percentile of the values, as the mean of the block of ranks it falls in.

    An interpolated percentile is one organization's own value whenever its rank
    is whole (the median of five is the third organization's figure), and a few
    of them give the rest back. Blocks are disjoint and hold at least MINIMUM
    contributors (CONTRIBUTORS gives each value's; by default each value is
    its own), so every published figure, and any sum or difference of them,
    covers at least MINIMUM independent contributors.
    """
    values = list(values)
    owners = list(contributors) if contributors is not None else list(range(len(values)))
    ranked = sorted(zip(values, owners, strict=True), key=lambda pair: (pair[0], repr(pair[1])))
    ordered = [value for value, _owner in ranked]
    cuts = contributor_blocks([owner for _value, owner in ranked], minimum)
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


def stage_counts(
    counts: Mapping[int, int], minimum: int, contributors: Mapping[int, int] | None = None
) -> dict[int, int | None]:
    """Each stage's number of organizations, None where it is below MINIMUM.

    CONTRIBUTORS, when given, counts each stage's independent contributors,
    which must reach MINIMUM too. When exactly one stage is hidden, the total
    minus the others would give it away, so the smallest shown stage is hidden
    with it.
    """
    contributors = contributors if contributors is not None else counts
    shown: dict[int, int | None] = {
        stage: (count if count >= minimum and contributors.get(stage, 0) >= minimum else None)
        for stage, count in counts.items()
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
