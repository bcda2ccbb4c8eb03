"""The consultants' portfolio: one row per client, filtered, sorted and read for the dashboard.

The query behind the dashboard's list, its exports and the prepared exports
the worker builds; views and tasks call it with the clients a user may see.
"""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import cadence, exports, results
from .forms import PortfolioFilterForm
from .models import BenchmarkEntry, BenchmarkGroup, Organization

SORTS = {
    "name": "name",
    "industry": "industry",
    "position": "latest_position",
    "change": "change",
    "last_round": "last_round_on",
    "rate": "response_rate",
    "due": "next_due_on",
    "percentile": "benchmark_percentile",
}


def benchmark_groups_shown_to(user):
    """The benchmark groups that hold enough organizations besides USER's clients.

    A consultant who follows most of a group knows their clients' positions:
    with the group's median and percentiles, that would pin down the few
    organizations that are not theirs. So a consultant sees a client's place
    only while its group holds at least BENCHMARK_MIN_ORGANIZATIONS independent
    contributors besides their clients (each client counted as one).
    A client counts in every group it belongs to (all, its industry, its size,
    both), not only in the narrowest one its own place is read in. One
    subquery per group, over the few groups: worked out once per page.
    """
    minimum = settings.BENCHMARK_MIN_ORGANIZATIONS
    kind = BenchmarkGroup.Kind
    theirs = (
        Organization.objects.filter(consultants=user, benchmark__isnull=False)
        .filter(
            Q(Exact(OuterRef("kind"), kind.ALL))
            | Q(Exact(OuterRef("kind"), kind.INDUSTRY), industry=OuterRef("industry"))
            | Q(Exact(OuterRef("kind"), kind.SIZE), size=OuterRef("size"))
            | Q(
                Exact(OuterRef("kind"), kind.INDUSTRY_SIZE),
                industry=OuterRef("industry"),
                size=OuterRef("size"),
            )
        )
        .order_by()
        .values("consultants")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        BenchmarkGroup.objects.annotate(theirs=Coalesce(Subquery(theirs), 0))
        .filter(contributors__gte=F("theirs") + minimum)
        .values("pk")
    )


def _peer_percentile(user):
    """A client's percentile in its peer group, from the materialized benchmark."""
    percentile = F("benchmark__percentile")
    if user.is_superuser:
        return percentile
    return Case(
        When(benchmark__group__in=benchmark_groups_shown_to(user), then=percentile), default=None
    )


# Why a client's peer percentile is missing for the person looking: the one
# rule behind the portfolio's column and the client page's sentence.
NOT_CONTRIBUTING, NOT_IN_BENCHMARK_YET, HIDDEN_FROM_YOU = "not-contributing", "not-yet", "hidden"


def percentile_missing(opted_in, in_benchmark, percentile):
    """Why the percentile is not shown (a code above), or None when it is.

    IN_BENCHMARK: the client has an entry in the stored benchmark; PERCENTILE:
    what the viewer may see of it (_peer_percentile, None when hidden).
    """
    if percentile is not None:
        return None
    if not opted_in:
        return NOT_CONTRIBUTING
    if not in_benchmark:
        return NOT_IN_BENCHMARK_YET
    return HIDDEN_FROM_YOU


def percentile_missing_labels():
    """Each reason as the portfolio's column says it, in the active language."""
    return {
        NOT_CONTRIBUTING: _("not contributing"),
        NOT_IN_BENCHMARK_YET: _("not in the benchmark yet"),
        HIDDEN_FROM_YOU: _("hidden: too few peers besides your clients"),
    }


def peer_place(organization, user):
    """A client's entry in the benchmark as USER may see it, and why not when hidden.

    Return (entry or None, reason code or None): the same rule as the
    portfolio's column, for the client page. Two queries at most.
    """
    entries = BenchmarkEntry.objects.filter(organization=organization).select_related("group")
    shown = (
        entries if user.is_superuser else entries.filter(group__in=benchmark_groups_shown_to(user))
    )
    entry = shown.first()
    in_benchmark = entry is not None or entries.exists()
    percentile = None if entry is None else entry.percentile
    return entry, percentile_missing(organization.benchmark_opt_in, in_benchmark, percentile)


def filtered_portfolio(clients, user, params):
    """CLIENTS as portfolio rows filtered and sorted by PARAMS (a query string); 400 if tampered."""
    today = timezone.localdate()
    rows = clients.for_portfolio(today).annotate(
        benchmark_percentile=_peer_percentile(user),
        in_benchmark=Exists(BenchmarkEntry.objects.filter(organization=OuterRef("pk"))),
    )
    form = PortfolioFilterForm(params, sorts=SORTS)
    if not form.is_valid():
        raise BadRequest("invalid dashboard filters")
    query = form.cleaned_data
    if query["q"]:
        rows = rows.filter(name__icontains=query["q"])
    if query["stage"]:
        rows = rows.filter(latest_stage=query["stage"])
    if query["overdue"]:
        rows = rows.overdue(today)
    if user.is_superuser and query["consultant"]:
        rows = rows.filter(consultants=query["consultant"])
    sort = query["sort"] or "name"
    column = F(SORTS.get(sort.lstrip("-"), "name"))
    order = column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True)
    return rows.order_by(order, "pk"), sort


def portfolio_row(organization, labels=None):
    """Read a portfolio row's figures and flags with the same rules as the team page.

    LABELS (results.flag_labels()) may be passed in, translated once for many rows.
    """
    # The stored groups are those a consultant may see of the latest round
    # (portfolio_summary asks Round.view): the gap shows when both sides are there.
    groups = organization.latest_groups or {}
    organization.flag_codes = results.round_flags(organization.latest_flags, groups, set(groups))
    labels = labels or results.flag_labels()
    organization.flag_names = [labels[code] for code in organization.flag_codes]
    organization.reading = results.read_position(
        organization.latest_position, organization.latest_stage, organization.latest_flags
    )
    organization.position_change = results.position_change(
        organization.previous_position, organization.latest_position
    )
    contradicted = len(organization.evidence_contradictions or [])
    organization.evidence_flag = (
        ngettext(
            "CRM contradicts %(count)s answer",
            "CRM contradicts %(count)s answers",
            contradicted,
        )
        % {"count": contradicted}
        if contradicted
        else ""
    )
    missing = percentile_missing(
        organization.benchmark_opt_in, organization.in_benchmark, organization.benchmark_percentile
    )
    organization.percentile_missing = missing and percentile_missing_labels()[missing]
    organization.rate_percent = (
        None if organization.response_rate is None else results.percent(organization.response_rate)
    )
    return organization


PORTFOLIO_COLUMNS = [
    "organization",
    "industry",
    "size",
    "cadence",
    "latest_position",
    "latest_stage",
    "change_since_previous",
    "last_round_on",
    "open_round_invited",
    "open_round_submitted",
    "next_due_on",
    "overdue",
    "flags",
    "benchmark_percentile",
    # Appended, so that scripts reading the columns by position keep working.
    "crm_contradicts",
]


def portfolio_table(rows):
    today = timezone.localdate()
    labels = results.flag_labels()
    return (
        [
            o.name,
            o.industry,
            o.size,
            o.cadence,
            exports.position_cell(o.latest_position),
            o.latest_stage,
            exports.change_cell(o.previous_position, o.latest_position),
            o.last_round_on,
            o.invited or 0,
            o.submitted or 0,
            o.next_due_on,
            cadence.is_overdue(o.next_due_on, today),
            " ".join(portfolio_row(o, labels).flag_codes),
            o.benchmark_percentile,
            " ".join(o.evidence_contradictions or []),
        ]
        for o in rows.iterator(chunk_size=2000)
    )
