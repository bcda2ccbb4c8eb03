"""Compute the peer benchmark's distributions and each contributor's place in them.

Meant for cron (see README.md). Idempotent: every run replaces the stored
groups and entries with ones computed from the current data, in one
transaction, so pages never read half a run.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from assessments import benchmark, cadence, scoring
from assessments.models import (
    BenchmarkEntry,
    BenchmarkGroup,
    RoleGroup,
    Round,
    open_round,
)
from assessments.visibility import visible_groups

# Only a round closed this recently speaks for an organization.
WINDOW_MONTHS = 18
STAGES = (1, 2, 3, 4)
BATCH = 5000


def eligible_rounds(now, round_model=Round):
    """Closed rounds of the window that publish as a confidential round would."""
    today = timezone.localdate(now)
    since = cadence.add_months(today, -WINDOW_MONTHS)
    closed_in_window = Q(closed_at__date__gte=since) | Q(
        closed_at__isnull=True, closes_on__gte=since
    )
    return (
        round_model.objects.exclude(open_round(today))
        .filter(closed_in_window, respondents__gte=settings.ROUND_GROUP_MIN_RESPONDENTS)
        .filter(position__isnull=False, stage__isnull=False)
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
    rows = (
        eligible_rounds(now, round_model)
        .filter(organization__benchmark_opt_in=True)
        .annotate(rank=latest_first)
        .filter(rank=1)
        .order_by()
        .values_list(
            "pk",
            "organization_id",
            "organization__industry",
            "organization__size",
            "position",
            "stage",
            "attainment",
            "flags",
            "groups",
            "respondents",
        )
    )
    for pk, org, industry, size, position, stage, attainment, flags, groups, count in rows.iterator(
        chunk_size=BATCH
    ):
        # A team not placed (too few answers, a stage not measured) has no
        # position to compare.
        if scoring.LOW_COVERAGE_FLAG in flags or scoring.NOT_MEASURED in flags:
            continue
        if any(attainment.get(str(s)) is None for s in scoring.SCORED_STAGES):
            continue
        gap = None
        counts = {group: data.get("count", 0) for group, data in groups.items()}
        shown = visible_groups(
            counts, count, confidential=True, minimum=settings.ROUND_GROUP_MIN_RESPONDENTS
        )
        if {RoleGroup.MARKETING, RoleGroup.SALES} <= shown:
            gap = benchmark.gap_points(
                groups[RoleGroup.MARKETING]["attainment"], groups[RoleGroup.SALES]["attainment"]
            )
        yield {
            "round": pk,
            "organization": org,
            "cell": (industry or "", size or ""),
            "position": float(position),
            "stage": stage,
            "attainment": {str(s): attainment[str(s)] for s in scoring.SCORED_STAGES},
            "gap": gap,
        }


def _group_row(group_model, key, members, gap_members, now, minimum):
    positions = [m["position"] for m in members]
    row = group_model(
        kind=key.kind,
        industry=key.industry,
        size=key.size,
        organizations=len(members),
        positions=benchmark.distribution(positions, minimum=minimum),
        attainment={
            str(s): benchmark.distribution(
                (m["attainment"][str(s)] for m in members), benchmark.QUARTILES, minimum
            )
            for s in scoring.SCORED_STAGES
        },
        stages={
            str(s): n
            for s, n in benchmark.stage_counts(
                {s: Counter(m["stage"] for m in members)[s] for s in STAGES}, minimum
            ).items()
        },
        gap={},
        computed_at=now,
    )
    if gap_members:
        row.gap = {
            "organizations": len(gap_members),
            **benchmark.distribution((m["gap"] for m in gap_members), benchmark.QUARTILES, minimum),
        }
    return row


def materialize(now=None, apps=None):
    """Replace the stored benchmark with one computed now; return (groups, entries) stored.

    APPS is a migration's registry of historical models, for the migration
    that rescores the rounds the benchmark is computed from.
    """
    now = now or timezone.now()
    if apps is None:
        round_model, group_model, entry_model = Round, BenchmarkGroup, BenchmarkEntry
    else:
        round_model, group_model, entry_model = (
            apps.get_model("assessments", name)
            for name in ("Round", "BenchmarkGroup", "BenchmarkEntry")
        )
    minimum = settings.BENCHMARK_MIN_ORGANIZATIONS
    rows = list(contributions(now, round_model))
    cells = Counter(r["cell"] for r in rows)
    gap_cells = Counter(r["cell"] for r in rows if r["gap"] is not None)
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
