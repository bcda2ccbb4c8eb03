"""Compute the peer benchmark's distributions and each contributor's place in them.

Meant for cron (see README.md). Idempotent: every run replaces the stored
groups and entries with ones computed from the current data, in one
transaction, so pages never read half a run.
"""

from __future__ import annotations

import time
from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from assessments import benchmark, cadence, scoring, visibility
from assessments.models import (
    BenchmarkEntry,
    BenchmarkGroup,
    Membership,
    Organization,
    RoleGroup,
    Round,
    open_round,
    shown_as_published,
)
from assessments.visibility import Viewer

# Only a round closed this recently speaks for an organization.
WINDOW_MONTHS = 18
STAGES = (1, 2, 3, 4)
BATCH = 5000


def eligible_rounds(now, round_model=Round):
    """Closed rounds of the window whose figures show as a confidential round publishes them."""
    today = timezone.localdate(now)
    since = cadence.add_months(today, -WINDOW_MONTHS)
    closed_in_window = Q(closed_at__date__gte=since) | Q(
        closed_at__isnull=True, closes_on__gte=since
    )
    return round_model.objects.exclude(open_round(today)).filter(
        closed_in_window, shown_as_published(today, settings.ROUND_GROUP_MIN_RESPONDENTS)
    )


def contributions(now, round_model=Round):
    """Each opted-in organization's latest eligible round, as plain rows."""
    # Numbered per organization, latest first, in one pass: twice as fast on
    # PostgreSQL at 100,000 organizations as a correlated subquery per round.
    latest_first = Window(
        RowNumber(),
        partition_by=[F("organization_id")],
        order_by=[F("opened_on").desc(), F("pk").desc()],
    )
    today = timezone.localdate(now)
    minimum = settings.ROUND_GROUP_MIN_RESPONDENTS
    fields = sorted({*visibility.FACT_FIELDS, "position", "stage", "attainment", "flags"})
    rows = (
        eligible_rounds(now, round_model)
        .filter(organization__benchmark_opt_in=True)
        .annotate(rank=latest_first)
        .filter(rank=1)
        .order_by()
        .values("pk", "organization_id", "organization__industry", "organization__size", *fields)
    )
    for row in rows.iterator(chunk_size=BATCH):
        # Peers see what a confidential round publishes: its publication, the
        # role groups it shows (visibility.round_view).
        view = visibility.round_view(visibility.facts_of(row, today), Viewer.PEERS, minimum)
        if not view.figures:
            continue
        seen = visibility.figures_seen(row, view)
        position, attainment, flags = seen["position"], seen["attainment"], seen["flags"]
        # A team not placed (too few answers, a stage not measured) has no
        # position to compare.
        if position is None or seen["stage"] is None:
            continue
        if scoring.LOW_COVERAGE_FLAG in flags or scoring.NOT_MEASURED in flags:
            continue
        if any(attainment.get(str(s)) is None for s in scoring.SCORED_STAGES):
            continue
        gap = None
        if view.gap:
            groups = seen["groups"]
            gap = benchmark.gap_points(
                groups[RoleGroup.MARKETING]["attainment"], groups[RoleGroup.SALES]["attainment"]
            )
        yield {
            "round": row["pk"],
            "organization": row["organization_id"],
            "cell": (row["organization__industry"] or "", row["organization__size"] or ""),
            "position": float(position),
            "stage": seen["stage"],
            "attainment": {str(s): attainment[str(s)] for s in scoring.SCORED_STAGES},
            "gap": gap,
        }


def with_contributors(rows, organization_model=Organization, membership_model=Membership):
    """Give each row its contributor: organizations sharing a member or a creator are one."""
    organizations = [r["organization"] for r in rows]
    opted_in = organization_model.objects.filter(benchmark_opt_in=True)
    links = [
        (organization, ("member", user))
        for organization, user in membership_model.objects.filter(organization__in=opted_in)
        .values_list("organization_id", "user_id")
        .iterator(chunk_size=BATCH)
    ]
    links += [
        (organization, ("creator", user))
        for organization, user in opted_in.filter(created_by__isnull=False).values_list(
            "pk", "created_by_id"
        )
    ]
    contributor = benchmark.contributors(organizations, links)
    for r in rows:
        r["contributor"] = contributor[r["organization"]]
    return rows


def _group_row(group_model, key, members, gap_members, now, minimum):
    def spread(values, grid=benchmark.GRID, of=members):
        return benchmark.distribution(values, grid, minimum, [m["contributor"] for m in of])

    stages = {s: [m for m in members if m["stage"] == s] for s in STAGES}
    row = group_model(
        kind=key.kind,
        industry=key.industry,
        size=key.size,
        organizations=len(members),
        contributors=len({m["contributor"] for m in members}),
        positions=spread([m["position"] for m in members]),
        attainment={
            str(s): spread([m["attainment"][str(s)] for m in members], benchmark.QUARTILES)
            for s in scoring.SCORED_STAGES
        },
        stages={
            str(s): n
            for s, n in benchmark.stage_counts(
                {s: len(found) for s, found in stages.items()},
                minimum,
                {s: len({m["contributor"] for m in found}) for s, found in stages.items()},
            ).items()
        },
        gap={},
        computed_at=now,
    )
    if gap_members:
        row.gap = {
            "organizations": len(gap_members),
            **spread([m["gap"] for m in gap_members], benchmark.QUARTILES, gap_members),
        }
    return row


def materialize(now=None, apps=None):
    """Replace the stored benchmark with one computed now; return (groups, entries) stored.

    APPS is a migration's registry of historical models, for a migration
    that changes what the benchmark is computed from.
    """
    now = now or timezone.now()
    models = {
        model.__name__: model if apps is None else apps.get_model("assessments", model.__name__)
        for model in (Round, Organization, Membership, BenchmarkGroup, BenchmarkEntry)
    }
    group_model, entry_model = models["BenchmarkGroup"], models["BenchmarkEntry"]
    minimum = settings.BENCHMARK_MIN_ORGANIZATIONS
    rows = with_contributors(
        list(contributions(now, models["Round"])), models["Organization"], models["Membership"]
    )
    # Every minimum counts independent contributors (benchmark.contributors).
    cells, gap_cells = defaultdict(set), defaultdict(set)
    for r in rows:
        cells[r["cell"]].add(r["contributor"])
        if r["gap"] is not None:
            gap_cells[r["cell"]].add(r["contributor"])
    shown = benchmark.shown_groups(cells, minimum)
    gap_shown = benchmark.shown_groups(gap_cells, minimum, among=shown)

    members = defaultdict(list)
    gap_members = defaultdict(list)
    for r in rows:
        for key in benchmark.chain(*r["cell"]):
            if key in shown:
                members[key].append(r)
            if key in gap_shown and r["gap"] is not None:
                gap_members[key].append(r)

    groups = [
        _group_row(group_model, key, members[key], gap_members.get(key), now, minimum)
        for key in shown
    ]
    sorted_positions = {k: sorted(m["position"] for m in v) for k, v in members.items()}
    sorted_attainment = {
        k: {str(s): sorted(m["attainment"][str(s)] for m in v) for s in scoring.SCORED_STAGES}
        for k, v in members.items()
    }
    sorted_gaps = {k: sorted(m["gap"] for m in v) for k, v in gap_members.items()}

    with transaction.atomic():
        entry_model.objects.all().delete()
        group_model.objects.all().delete()
        group_model.objects.bulk_create(groups)
        stored = {benchmark.GroupKey(g.kind, g.industry, g.size): g for g in groups}
        entries = []
        for r in rows:
            key = benchmark.shown_group_of(*r["cell"], shown)
            if key is None:
                continue
            gap_key = (
                benchmark.shown_group_of(*r["cell"], gap_shown) if r["gap"] is not None else None
            )
            entries.append(
                entry_model(
                    organization_id=r["organization"],
                    group=stored[key],
                    round_id=r["round"],
                    narrowest=benchmark.chain(*r["cell"])[0].kind,
                    position=r["position"],
                    stage=r["stage"],
                    percentile=benchmark.percentile_rank(sorted_positions[key], r["position"]),
                    attainment=r["attainment"],
                    attainment_percentiles={
                        s: benchmark.percentile_rank(sorted_attainment[key][s], value)
                        for s, value in r["attainment"].items()
                    },
                    gap=r["gap"],
                    gap_group=stored.get(gap_key),
                    gap_percentile=(
                        benchmark.percentile_rank(sorted_gaps[gap_key], r["gap"])
                        if gap_key
                        else None
                    ),
                )
            )
        entry_model.objects.bulk_create(entries, batch_size=BATCH)
    return len(groups), len(entries)


class Command(BaseCommand):
    help = "Compute the peer benchmark from the organizations that opted in."

    def handle(self, *args, **options):
        started = time.perf_counter()
        groups, entries = materialize()
        self.stdout.write(
            f"Stored {groups} peer group(s) and {entries} organization(s) "
            f"in {time.perf_counter() - started:.1f} s."
        )
