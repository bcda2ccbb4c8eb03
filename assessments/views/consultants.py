"""The consultants' dashboard, inside the admin: portfolio, client detail, exports, report.

Every view is wrapped by the admin site (staff login) and loads clients
through _clients(), which a consultant only sees for organizations assigned to
them; superusers see all.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stages.models import Stage

from .. import charts, exports, results, tasks
from ..models import (
    BenchmarkEntry,
    Organization,
    PlanItem,
    PortfolioExport,
    Response,
    Round,
)
from ..pages import evidence_summary, heatmap, progress_chart, round_result_context
from ..portfolio import (
    PORTFOLIO_COLUMNS,
    benchmark_groups_shown_to,
    filtered_portfolio,
    peer_place,
    portfolio_row,
    portfolio_table,
)
from ..visibility import Viewer

PER_PAGE = 50
# Responses a client page lists per round.
RESPONSES_SHOWN = 50


def _clients(request):
    """The organizations this staff user may see; a consultant without the permission sees none."""
    if not request.user.has_perm("assessments.view_dashboard"):
        raise PermissionDenied
    return Organization.objects.for_consultant(request.user)


def _get_client(request, pk):
    return get_object_or_404(_clients(request), pk=pk)


def _get_round_with_responses(request, pk):
    """A round whose individual responses this user may see (Round.view): else a 404."""
    rounds = Round.objects.filter(organization__in=_clients(request))
    if not request.user.is_superuser:
        rounds = rounds.with_individuals_for_consultants()
    round = get_object_or_404(rounds.select_related("organization", "questionnaire"), pk=pk)
    if not round.view(_viewer(request.user)).individuals:
        raise Http404
    return round


def portfolio_rows(request):
    """The portfolio's queryset, filtered, searched and sorted as the query string asks."""
    return filtered_portfolio(_clients(request), request.user, request.GET)


@staff_member_required
def portfolio(request):
    rows, sort = portfolio_rows(request)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    labels = results.flag_labels()
    clients = [portfolio_row(organization, labels) for organization in page.object_list]
    consultants = None
    if request.user.is_superuser:
        consultants = get_user_model().objects.filter(groups__name="Consultants").order_by("email")
    return render(
        request,
        "admin/dashboard/portfolio.html",
        {
            "title": _("Consultants' dashboard"),
            "page": page,
            "clients": clients,
            "sort": sort,
            "query": request.GET,
            "export_formats": sorted(exports.FORMATS),
            "consultants": consultants,
            "stages": Stage.objects.all(),
            **_admin_context(request),
        },
    )


@staff_member_required
@require_POST
def portfolio_export(request, fmt):
    """Build a small export now; hand a large one to the worker and show where it will be.

    Only by POST (a form of the dashboard, with CSRF): an export writes a row
    and starts a job, which no link followed by a browser may do.
    """
    if fmt not in exports.FORMATS:
        raise Http404
    rows, _sort = portfolio_rows(request)
    if rows.count() <= settings.EXPORT_IMMEDIATE_ROWS:
        return exports.download(fmt, "portfolio", PORTFOLIO_COLUMNS, portfolio_table(rows))
    query = {key: request.GET.getlist(key) for key in request.GET}
    export = PortfolioExport.objects.create(
        requested_by=request.user, format=fmt, query=query, language=translation.get_language()
    )
    tasks.prepare_export.enqueue(export.pk)
    return redirect("admin:dashboard_prepared_export", export.pk)


def _get_prepared_export(request, pk):
    """An export this user asked for, still kept; anyone else's is a 404.

    A ready one is checked against what the user may see now: when it lists
    an organization they no longer follow (or one since deleted), its file
    is dropped and the page says so.
    """
    kept_since = timezone.now() - timedelta(hours=settings.EXPORT_KEEP_HOURS)
    exports_kept = PortfolioExport.objects.defer("content").filter(
        requested_by=request.user, created_at__gte=kept_since
    )
    export = get_object_or_404(exports_kept, pk=pk)
    allowed = request.user.has_perm("assessments.view_dashboard")
    if export.status == PortfolioExport.Status.READY:
        listed = export.organizations
        clients = Organization.objects.for_consultant(request.user)
        if not allowed or clients.filter(pk__in=listed).count() != len(listed):
            export.revoke()
    if not allowed:
        raise PermissionDenied
    return export


@staff_member_required
def prepared_export(request, pk):
    export = _get_prepared_export(request, pk)
    context = {"export": export, "title": _("Portfolio export"), **_admin_context(request)}
    return render(request, "admin/dashboard/prepared_export.html", context)


@staff_member_required
def prepared_export_download(request, pk):
    export = _get_prepared_export(request, pk)
    if export.status != PortfolioExport.Status.READY:
        raise Http404
    content = PortfolioExport.objects.values_list("content", flat=True).get(pk=export.pk)
    return exports.attachment(bytes(content), export.format, export.filename)


QUARTER_BANDS = ((0, 25), (25, 50), (50, 75), (75, 101))


@staff_member_required
def benchmark(request):
    """The consultant's clients against the peer benchmark: each one's percentile in its group."""
    clients = _clients(request)
    entries = BenchmarkEntry.objects.filter(organization__in=clients)
    if not request.user.is_superuser:
        entries = entries.filter(group__in=benchmark_groups_shown_to(request.user))
    entries = entries.select_related("organization", "group").order_by("organization__name", "pk")
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    bands = {
        f"band{index}": Count("pk", filter=Q(percentile__gte=low, percentile__lt=high))
        for index, (low, high) in enumerate(QUARTER_BANDS)
    }
    totals = clients.aggregate(
        clients=Count("pk"), opted_in=Count("pk", filter=Q(benchmark_opt_in=True))
    )
    totals.update(entries.order_by().aggregate(**bands))
    labels = [_("Bottom quarter"), _("Second quarter"), _("Third quarter"), _("Top quarter")]
    counts = [totals[f"band{index}"] for index in range(len(QUARTER_BANDS))]
    return render(
        request,
        "admin/dashboard/benchmark.html",
        {
            "title": _("Clients against the peer benchmark"),
            "page": page,
            "totals": totals,
            "quarters": list(zip(labels, counts, strict=True)),
            "chart": charts.count_figure(labels, counts, _("Clients")),
            "minimum": settings.BENCHMARK_MIN_ORGANIZATIONS,
            **_admin_context(request),
        },
    )


@staff_member_required
def client(request, pk):
    organization = _get_client(request, pk)
    context = _client_context(organization, request.user)
    context["peer_entry"], context["peer_missing"] = peer_place(organization, request.user)
    context["min_group"] = settings.ROUND_GROUP_MIN_RESPONDENTS
    context["minimum"] = settings.BENCHMARK_MIN_ORGANIZATIONS
    context.update(_admin_context(request), title=organization.name)
    return render(request, "admin/dashboard/client.html", context)


@staff_member_required
def report(request, pk):
    organization = _get_client(request, pk)
    context = _client_context(organization, request.user)
    return render(request, "admin/dashboard/report.html", context)


def _viewer(user):
    """Who a dashboard user is to the clients they may open: an operator or their consultant."""
    return Viewer.OPERATOR if user.is_superuser else Viewer.CONSULTANT


def _client_context(organization, user):
    """A client's page: figures of rounds this user may see, responses of those run with them."""
    viewer = _viewer(user)
    responses = Response.objects.filter(
        submitted_at__isnull=False, round__organization=organization
    ).order_by("submitted_at")
    if not user.is_superuser:
        individual = Round.objects.with_individuals_for_consultants()
        responses = responses.filter(round__in=individual.filter(organization=organization))
    rounds = list(
        organization.rounds.select_related("questionnaire", "workshop").prefetch_related(
            # The first page of each round's responses; the admin lists them all, paginated.
            Prefetch(
                "responses",
                queryset=responses[:RESPONSES_SHOWN],
                to_attr="submitted_responses",
            ),
            Prefetch("plan", queryset=PlanItem.objects.select_related("step__stage", "indicator")),
        )
    )
    rounds = [round.seen_by(viewer) for round in rounds]
    for round in rounds:
        round.figures_shown = round.shown_view.figures
        round.responses_shown = round.shown_view.individuals
    scored = [r for r in rounds if r.figures_shown]
    stages = list(Stage.objects.with_content())
    context = {
        "organization": organization,
        "rounds": rounds,
        "scored": scored,
        "progress_rounds": scored,
        # Consultants have no member round pages: the round links lead to this page.
        "for_consultants": True,
        "stages": stages,
    }
    if scored:
        previous = scored[1] if len(scored) > 1 else None
        context.update(round_result_context(scored[0], stages, previous, viewer))
        context["progress_chart"] = progress_chart(scored, stages, viewer)
        context["heatmap"] = heatmap(scored, stages, viewer)
        context["plans"] = [
            (
                before,
                after,
                results.check_plan(
                    before.plan.all(),
                    before,
                    after,
                    stages,
                    results.disputed(after.groups, after.shown_view.groups),
                ),
            )
            for after, before in zip(scored, scored[1:], strict=False)
            if before.plan.all()
        ]
        context["evidence"] = evidence_summary(scored[0], stages, _viewer(user))
        latest_plan = scored[0].plan.all()
        if latest_plan:
            context["open_plan"] = latest_plan
    return context


@staff_member_required
@require_POST
def rounds_export(request, pk, fmt):
    organization = _get_client(request, pk)
    rounds = organization.rounds.select_related(
        "organization", "questionnaire", "workshop"
    ).order_by("opened_on", "pk")
    # A round whose figures are not published yet has none to export.
    table = exports.round_rows(rounds, _viewer(request.user))
    return exports.download(fmt, f"rounds-{organization.pk}", exports.ROUND_COLUMNS, table)


@staff_member_required
@require_POST
def responses_export(request, pk, fmt):
    round = _get_round_with_responses(request, pk)
    keys = round.questionnaire.indicator_keys()
    responses = round.responses.filter(submitted_at__isnull=False).order_by("submitted_at", "pk")
    table = (exports.response_row(round, r, keys) for r in responses)
    header = exports.RESPONSE_COLUMNS + keys
    return exports.download(fmt, f"responses-round-{round.pk}", header, table)


def _admin_context(request):
    return admin.site.each_context(request)
