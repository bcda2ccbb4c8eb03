"""What a viewer may see of a round: the one home of the privacy model.

docs/privacy.md "Who sees the answers" states the rules; this module is them. Pure: a
round's facts and the viewer's relation to its organization in, a RoundView
out. Every page, export, workshop view, admin list, the portfolio's stored
columns and the benchmark ask through Round.view() (and read the figures
through Round.seen_by(), or figures_seen() for plain rows); the queries that
select rounds by the same rule (RoundQuerySet.published, .for_consultants and
.with_individuals_for_consultants) are checked against it case by case in
tests/assessments/test_visibility.py.

Those who see what a confidential round publishes (its members; a
consultant, of a round not run with them; the benchmark's peers) see a
*publication*: the figures
as they were first shown, kept while later changes (answers after a reopen,
deleted responses) would let anyone work out a few people's answers by
comparing two versions. A new version replaces it only when no sum or
difference of every version ever shown rests on fewer than the minimum of
people (fewest_people); a version that held an answer since deleted is
withdrawn, so the deleted answers leave the database with the response.
"""

from __future__ import annotations

import datetime
import enum
import itertools
import math
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .roles import RoleGroup

# Round.visibility's stored values.
CONFIDENTIAL, OPEN = "confidential", "open"
# The aggregate of a publication that holds everyone who answered.
TEAM = "team"


class Viewer(enum.Enum):
    """How the person looking relates to the round's organization."""

    MEMBER = "member"  # a member of the organization
    CONSULTANT = "consultant"  # a consultant assigned to the organization
    OPERATOR = "operator"  # a superuser: the operators of the service see everything
    PEERS = "peers"  # other organizations, through the benchmark: what it publishes
    NOBODY = "nobody"  # anyone else sees nothing of the round


@dataclass(frozen=True)
class Publication:
    """The version of a round's figures in force for those who see what it publishes."""

    respondents: int
    groups: frozenset[str]  # the role groups whose figures it shows


@dataclass(frozen=True)
class RoundFacts:
    """What the privacy model reads of a round."""

    confidential: bool
    consultant_access: bool  # run with a consultant, which its respondents were told
    is_open: bool
    respondents: int  # submitted responses
    stale: bool  # submitted answers the stored result does not include yet
    group_counts: Mapping[str, int]  # respondents per role group
    publication: Publication | None = None  # the version in force, once recorded
    ever_published: bool = False  # a version was recorded (withdrawn when publication is None)
    held: bool = False  # answers given or deleted since the publication are not in it


@dataclass(frozen=True)
class RoundView:
    """What one viewer may see of one round."""

    figures: bool = False  # the team's position, attainments, indicators, flags
    groups: frozenset[str] = frozenset()  # the role groups whose figures show
    spread: bool = False  # the lowest and highest individual positions
    individuals: bool = False  # each response's answers (names included in an open round)
    published: bool = False  # the figures are the publication's, not the latest computed
    held: bool = False  # the publication leaves out answers given or deleted since
    withdrawn: bool = False  # what was shown is withdrawn: an answer in it was deleted

    @property
    def gap(self) -> bool:
        """The marketing–sales gap shows only when both sides do."""
        return shows_gap(self.groups)

    @property
    def leadership_gap(self) -> bool:
        """The leadership–teams gap shows only when the leadership and both teams do."""
        return shows_leadership_gap(self.groups)

    def __and__(self, other: RoundView) -> RoundView:
        """What two viewers may both see: a screen shown to both of them in one meeting.

        When one of them sees the publication, both see it there.
        """
        published = self.published or other.published
        return RoundView(
            self.figures and other.figures,
            self.groups & other.groups,
            self.spread and other.spread and not published,
            self.individuals and other.individuals and not published,
            published,
            published and (self.held or other.held),
            self.withdrawn or other.withdrawn,
        )


NOTHING = RoundView()

# A comparison between role groups shows only when every group in it may be
# shown: a group's figures set against others' are still that group's figures.
GAP_GROUPS = frozenset({RoleGroup.MARKETING, RoleGroup.SALES})
LEADERSHIP_GAP_GROUPS = GAP_GROUPS | {RoleGroup.LEADERSHIP}


def shows_gap(groups: Iterable[str]) -> bool:
    """Whether the marketing–sales gap shows, the role groups GROUPS showing."""
    return GAP_GROUPS <= set(groups)


def shows_leadership_gap(groups: Iterable[str]) -> bool:
    """Whether the leadership–teams gap shows: the leadership, marketing and sales all show."""
    return LEADERSHIP_GAP_GROUPS <= set(groups)


def is_open(closed_at: Any, closes_on: datetime.date | None, today: datetime.date) -> bool:
    """Open until closed by hand or past its closing date."""
    return closed_at is None and (closes_on is None or today <= closes_on)


# The stored values facts_of and figures_seen read: Round's fields of these names.
FACT_FIELDS = (
    "visibility",
    "consultant_access",
    "closed_at",
    "closes_on",
    "respondents",
    "result_stale",
    "groups",
    "publication",
    "published_at",
    "publication_held",
)
FIGURE_FIELDS = (
    "position",
    "stage",
    "attainment",
    "indicator_scores",
    "flags",
    "coverage",
    "respondents",
    "groups",
    "lowest",
    "highest",
)


NO_FIGURES = {
    "position": None,
    "stage": None,
    "attainment": {},
    "indicator_scores": {},
    "flags": [],
    "coverage": None,
    "groups": {},
    "lowest": None,
    "highest": None,
}


def facts_of(row: Mapping[str, Any], today: datetime.date) -> RoundFacts:
    """A round's facts from its stored values (FACT_FIELDS), for lists read as plain rows."""
    publication = row["publication"]
    return RoundFacts(
        confidential=row["visibility"] == CONFIDENTIAL,
        consultant_access=row["consultant_access"],
        is_open=is_open(row["closed_at"], row["closes_on"], today),
        respondents=row["respondents"],
        stale=row["result_stale"],
        group_counts={group: data.get("count", 0) for group, data in (row["groups"] or {}).items()},
        publication=(
            None
            if publication is None
            else Publication(publication["respondents"], frozenset(publication["shown"]))
        ),
        ever_published=row["published_at"] is not None,
        held=bool(row["publication_held"]),
    )


def published(facts: RoundFacts, minimum: int) -> bool:
    """Whether a confidential round's latest figures may come out: closed, MINIMUM answers counted.

    Published when it closes: figures that change after each answer could
    be compared to isolate one person. A result the worker has not recomputed
    yet is never published, since it would change once recomputed.
    """
    return not facts.is_open and facts.respondents >= minimum and not facts.stale


def round_view(facts: RoundFacts, viewer: Viewer, minimum: int) -> RoundView:
    """Return what VIEWER may see of the round FACTS describe (MINIMUM: the group threshold)."""
    if viewer is Viewer.OPERATOR:
        return _everything(facts)
    if viewer is Viewer.MEMBER:
        if facts.confidential:
            return _as_published(facts, minimum)
        # An open round: its respondents were told the team sees each answer, by name.
        return _everything(facts)
    if viewer is Viewer.CONSULTANT:
        if facts.consultant_access:
            # Run with them: its respondents were told a consultant sees each response.
            return _everything(facts)
        # Any other round, open ones included (whose respondents were told only about
        # their team): what a confidential round would publish, and nothing individual.
        return _as_published(facts, minimum)
    if viewer is Viewer.PEERS:
        # The benchmark applies a confidential round's rule to every round.
        return _as_published(facts, minimum)
    return NOTHING


def _everything(facts: RoundFacts) -> RoundView:
    if not facts.respondents:
        return NOTHING
    return RoundView(
        True, visible_groups(facts.group_counts, facts.respondents, False, 0), True, True
    )


def _as_published(facts: RoundFacts, minimum: int) -> RoundView:
    """What a confidential round shows: its publication, or its first figures once it closes."""
    if facts.publication is not None:
        return RoundView(True, facts.publication.groups, published=True, held=facts.held)
    if facts.ever_published:
        return RoundView(withdrawn=True)
    if not published(facts, minimum):
        return NOTHING
    return RoundView(True, visible_groups(facts.group_counts, facts.respondents, True, minimum))


def figures_seen(row: Mapping[str, Any], view: RoundView) -> dict[str, Any]:
    """The figures VIEW shows of a round, from its stored values (FIGURE_FIELDS and publication).

    The publication's where the view says so, else the latest computed; a
    role group the view does not show keeps only its count, and the spread
    is left out unless shown. Nothing at all without figures.
    """
    if not view.figures:
        return {**NO_FIGURES, "respondents": row["respondents"]}
    source = dict(row["publication"]) if view.published else dict(row)
    if view.published and source["position"] is not None:
        source["position"] = Decimal(source["position"])
    groups = {
        group: data if group in view.groups else {"count": data.get("count", 0)}
        for group, data in (source["groups"] or {}).items()
    }
    seen = {name: source.get(name) for name in FIGURE_FIELDS}
    seen["groups"] = groups
    if not view.spread:
        seen["lowest"] = seen["highest"] = None
    return seen


def visible_groups(
    counts: Mapping[str, int], respondents: int, confidential: bool, minimum: int
) -> frozenset[str]:
    """The role groups whose figures may be shown, from their COUNTS of respondents.

    Where answers are not shown one by one anyway (CONFIDENTIAL), a group shows
    with at least MINIMUM people, and only while the people outside the groups
    shown number none or at least MINIMUM: otherwise the team's figures minus
    the groups' would give away the answers of the one or two left over.
    """
    counts = {group: count for group, count in counts.items() if count}
    if not confidential:
        return frozenset(counts)
    shown = {group for group, count in counts.items() if count >= minimum}
    while shown and 0 < respondents - sum(counts[g] for g in shown) < minimum:
        shown.remove(_smallest(shown, counts))
    return frozenset(shown)


def _smallest(groups: Collection[str], counts: Mapping[str, int]) -> str:
    return min(groups, key=lambda group: (counts[group], group))


# Publishing again


def publication_version(
    roles: Mapping[Hashable, str | None], minimum: int
) -> dict[str, frozenset[Hashable]]:
    """The aggregates a publication of these respondents shows: the team and its visible groups.

    ROLES maps each submitted response to its role group (None: in none).
    """
    members: dict[str, set[Hashable]] = {}
    for person, group in roles.items():
        if group is not None:
            members.setdefault(group, set()).add(person)
    counts = {group: len(people) for group, people in members.items()}
    shown = visible_groups(counts, len(roles), True, minimum)
    return {TEAM: frozenset(roles), **{group: frozenset(members[group]) for group in shown}}


def republished(
    history: Sequence[Mapping[str, Collection[Hashable]]],
    version: Mapping[str, frozenset[Hashable]],
    minimum: int,
) -> dict[str, frozenset[Hashable]] | None:
    """VERSION, less the role groups it must leave out, if it may follow HISTORY; else None.

    HISTORY holds the aggregates of every version shown before (withdrawn ones
    included: viewers may have kept them). A new version may show only while
    no sum or difference of all those figures and its own rests on fewer than
    MINIMUM people; role groups are dropped, smallest first, until that holds,
    and when the team's figures alone would break it, nothing new is shown.
    """
    earlier = [frozenset(people) for aggregates in history for people in aggregates.values()]
    groups = {name: people for name, people in version.items() if name != TEAM}
    while True:
        candidate = {TEAM: version[TEAM], **groups}
        if fewest_people([*earlier, *candidate.values()]) >= minimum:
            return candidate
        if not groups:
            return None
        groups.pop(_smallest(groups, {name: len(people) for name, people in groups.items()}))


# Beyond this many spans to try, fall back to the parts rule (see fewest_people).
MOST_SPANS = 5000


def fewest_people(aggregates: Sequence[Collection[Hashable]]) -> int:
    """The fewest people any sum or difference of the AGGREGATES' figures rests on.

    Each aggregate is a set of people whose figures were shown (their sum is
    known, given the count). A combination sum(c_i * aggregate_i) weighs each
    person by the c_i of the aggregates they are in; it rests on the people it
    weighs at all. The fewest over every combination that weighs anyone is
    the total minus the most people whose weights can all be zero at once:
    people with the same membership pattern (signature) go together, and the
    largest such set is a hyperplane of the signatures' span, the span of
    rank - 1 of them. With too many to try, the smallest part the aggregates
    cut the people into is returned instead, which is never more.
    """
    people = {person for aggregate in aggregates for person in aggregate}
    if not people:
        return 0
    sets = [frozenset(aggregate) for aggregate in aggregates]
    weights = Counter(tuple(person in aggregate for aggregate in sets) for person in people)
    signatures = [tuple(Fraction(int(bit)) for bit in key) for key in weights]
    rank = _rank(signatures)
    spans = itertools.combinations(range(len(signatures)), rank - 1)
    if math.comb(len(signatures), rank - 1) > MOST_SPANS:
        return min(weights.values())
    most = 0
    for chosen in spans:
        base = [signatures[index] for index in chosen]
        if _rank(base) < rank - 1:
            continue
        inside = sum(
            weights[key]
            for key, signature in zip(weights, signatures, strict=True)
            if _rank([*base, signature]) == rank - 1
        )
        most = max(most, inside)
    return len(people) - most


def _rank(vectors: Sequence[Sequence[Fraction]]) -> int:
    """The rank of VECTORS, by Gaussian elimination in exact fractions."""
    rows = [list(vector) for vector in vectors]
    rank = 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column]:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def foreseen(
    counts: Mapping[str, int],
    respondents: int,
    confidential: bool,
    consultant_access: bool,
    viewer: Viewer,
    minimum: int,
) -> RoundView:
    """What VIEWER will see of a round once everyone counted has answered and it has closed.

    COUNTS are the people invited per role group, RESPONDENTS all of them (those
    in no group too): what the round form promises before the round opens.
    """
    facts = RoundFacts(confidential, consultant_access, False, respondents, False, counts)
    return round_view(facts, viewer, minimum)
