"""What a viewer may see of a round: the one home of the privacy model.

README "Who sees the answers" states the rules; this module is them. Pure: a
round's facts and the viewer's relation to its organization in, a RoundView
out. Every page, export, workshop view and admin list asks through
Round.view(); the two queries that select rounds by the same rule
(RoundQuerySet.published and .for_consultants) are checked against it case by
case in tests/assessments/test_visibility.py.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .roles import RoleGroup


class Viewer(enum.Enum):
    """How the person looking relates to the round's organization."""

    MEMBER = "member"  # a member of the organization
    CONSULTANT = "consultant"  # a consultant assigned to the organization
    OPERATOR = "operator"  # a superuser: the operators of the service see everything
    NOBODY = "nobody"  # anyone else sees nothing of the round


@dataclass(frozen=True)
class RoundFacts:
    """What the privacy model reads of a round."""

    confidential: bool
    consultant_access: bool  # run with a consultant, which its respondents were told
    is_open: bool
    respondents: int  # submitted responses
    stale: bool  # submitted answers the stored result does not include yet
    group_counts: Mapping[str, int]  # respondents per role group


@dataclass(frozen=True)
class RoundView:
    """What one viewer may see of one round."""

    figures: bool = False  # the team's position, attainments, indicators, flags
    groups: frozenset[str] = frozenset()  # the role groups whose figures show
    spread: bool = False  # the lowest and highest individual positions
    individuals: bool = False  # each response's answers (names included in an open round)

    @property
    def gap(self) -> bool:
        """The marketing–sales gap shows only when both sides do."""
        return shows_gap(self.groups)

    @property
    def leadership_gap(self) -> bool:
        """The leadership–teams gap shows only when the leadership and both teams do."""
        return shows_leadership_gap(self.groups)

    def __and__(self, other: RoundView) -> RoundView:
        """What two viewers may both see: a screen shown to both of them in one meeting."""
        return RoundView(
            self.figures and other.figures,
            self.groups & other.groups,
            self.spread and other.spread,
            self.individuals and other.individuals,
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


def published(facts: RoundFacts, minimum: int) -> bool:
    """Whether a confidential round's figures are out: closed, with MINIMUM answers counted.

    Published once, when it closes: figures that change after each answer could
    be compared to isolate one person. A result the worker has not recomputed
    yet is never published, since it would change once recomputed.
    """
    return not facts.is_open and facts.respondents >= minimum and not facts.stale


def round_view(facts: RoundFacts, viewer: Viewer, minimum: int) -> RoundView:
    """Return what VIEWER may see of the round FACTS describe (MINIMUM: the group threshold)."""
    if viewer is Viewer.OPERATOR:
        if not facts.respondents:
            return NOTHING
        return RoundView(True, _groups(facts, False, minimum), True, True)
    if viewer is Viewer.MEMBER:
        if facts.confidential:
            if not published(facts, minimum):
                return NOTHING
            return RoundView(True, _groups(facts, True, minimum))
        # An open round: its respondents were told the team sees each answer, by name.
        if not facts.respondents:
            return NOTHING
        return RoundView(True, _groups(facts, False, minimum), True, True)
    if viewer is Viewer.CONSULTANT:
        if facts.consultant_access:
            # Run with them: its respondents were told a consultant sees each response.
            if not facts.respondents:
                return NOTHING
            return RoundView(True, _groups(facts, False, minimum), True, True)
        # Any other round, open ones included (whose respondents were told only about
        # their team): what a confidential round would publish, and nothing individual.
        if not published(facts, minimum):
            return NOTHING
        return RoundView(True, _groups(facts, True, minimum))
    return NOTHING


def _groups(facts: RoundFacts, confidential: bool, minimum: int) -> frozenset[str]:
    return visible_groups(facts.group_counts, facts.respondents, confidential, minimum)


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
        shown.remove(min(shown, key=lambda group: (counts[group], group)))
    return frozenset(shown)


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
