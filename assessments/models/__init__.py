"""The assessments app's models, one module per concept; the app label, tables and migrations
are those of the single module they came from."""

from ..roles import ROLE_GROUPS, Role, RoleGroup
from .benchmark import BenchmarkEntry, BenchmarkGroup
from .deliveries import Delivery, with_delivery
from .evidence import Evidence, EvidenceMapping, EvidenceUpload, MetricRule
from .exports import PortfolioExport
from .organizations import (
    MemberInvitation,
    Membership,
    Organization,
    open_round,
    portfolio_summary,
    shown_as_published,
)
from .questionnaire import Option, Question, Questionnaire, Section
from .rounds import (
    Answer,
    PlanItem,
    PrivateLink,
    ReminderState,
    Response,
    Round,
    Scored,
    issue_links,
    private_url,
    score_answers,
    scored_answers,
)
from .workshops import Workshop, WorkshopAnswer, WorkshopItem

__all__ = [
    "ROLE_GROUPS",
    "Answer",
    "BenchmarkEntry",
    "BenchmarkGroup",
    "Delivery",
    "Evidence",
    "EvidenceMapping",
    "EvidenceUpload",
    "MemberInvitation",
    "Membership",
    "MetricRule",
    "Option",
    "Organization",
    "PlanItem",
    "PortfolioExport",
    "PrivateLink",
    "Question",
    "Questionnaire",
    "ReminderState",
    "Response",
    "Role",
    "RoleGroup",
    "Round",
    "Scored",
    "Section",
    "Workshop",
    "WorkshopAnswer",
    "WorkshopItem",
    "issue_links",
    "open_round",
    "portfolio_summary",
    "shown_as_published",
    "private_url",
    "score_answers",
    "scored_answers",
    "with_delivery",
]
