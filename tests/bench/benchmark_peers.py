"""The peer benchmark at scale: materializing 100,000 organizations on PostgreSQL, and its pages.

Run by `make bench` through run.py (see before_report / after_report) when
BENCH_PEERS_DATABASE_URL points at a PostgreSQL database, or on its own:

    BENCH_PEERS_DATABASE_URL=postgres://... python tests/bench/benchmark_peers.py

It writes its own section of docs/benchmarks.md. Without the variable, run.py
keeps the section recorded by the last run.
"""

from __future__ import annotations

import datetime
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
REPORT = BASE / "docs" / "benchmarks.md"
HEADING = "## Peer benchmark at scale"
PEERS = int(os.environ.get("BENCH_PEERS", 100_000))
CLIENTS = 1000  # assigned to the one consultant
REPEAT = 10


# The hook run.py calls around writing its report.


def before_report():
    """Return this section as the last run recorded it, before run.py rewrites the file."""
    if not REPORT.exists():
        return None
    text = REPORT.read_text()
    if HEADING not in text:
        return None
    section = text[text.index(HEADING) :]
    rest = section.find("\n## ", len(HEADING))
    return section if rest == -1 else section[: rest + 1]


def after_report(previous):
    """Measure anew when a PostgreSQL database is given; otherwise put the last section back."""
    if os.environ.get("BENCH_PEERS_DATABASE_URL"):
        subprocess.run([sys.executable, __file__], check=True)
    elif previous:
        _write_section(previous)


def _write_section(section):
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    if HEADING in text:
        start = text.index(HEADING)
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + (text[end + 1 :] if end != -1 else "")
    REPORT.write_text(text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n")


# The measurement, in its own process with its own database.


def setup():
    os.environ.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": os.environ["BENCH_PEERS_DATABASE_URL"],
            "DJANGO_SETTINGS_MODULE": "smarketing.settings",
            "LOG_LEVEL": "WARNING",
            # Static files are not what this measures: no manifest needed.
            "STATIC_ROOT": str(BASE / "staticfiles"),
        }
    )
    sys.path.insert(0, str(BASE))
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }


INDUSTRIES = [
    "software",
    "manufacturing",
    "professional",
    "finance",
    "health",
    "retail",
    "other",
    "",
]
SIZES = ["1-10", "11-50", "51-250", "251-1000", "1000+", ""]


def generate(peers=PEERS, clients=CLIENTS):
    """PEERS organizations, nine in ten opted in, each with an older and a latest closed round."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from assessments.models import Membership, Organization, Questionnaire, Round
    from tests.bench.sql import insert_select

    questionnaire = Questionnaire.objects.active()
    side = (
        "jsonb_build_object('count', 3, 'position', 2.0, 'stage', 2, 'flags', '[]'::jsonb, "
        "'indicator_scores', '{{}}'::jsonb, "
        "'attainment', jsonb_build_object('2', {v}, '3', {v}, '4', {v}))"
    )
    # Every other column takes the model's default (tests/bench/sql.py).
    organizations = insert_select(
        Organization,
        {
            "name": "'Peer ' || g",
            "industry": "(%(industries)s::text[])[1 + g %% 8]",
            "size": "(%(sizes)s::text[])[1 + (g / 8) %% 6]",
            "cadence": "'quarterly'",
            "benchmark_opt_in": "g %% 10 <> 0",
            "benchmark_changed_at": "now()",
        },
        "FROM generate_series(1, %(peers)s) AS g",
    )
    rounds = insert_select(
        Round,
        {
            "organization_id": "o.id",
            # Unique per organization (one_round_name_per_organization), as Round.save names it.
            "name": "'Round ' || CASE WHEN r.days = 400 THEN 1 ELSE 2 END",
            "questionnaire_id": "%(questionnaire)s",
            "opened_on": "current_date - r.days",
            "closed_at": "now() - (r.days - 14) * interval '1 day'",
            "visibility": "'confidential'",
            "respondents": "6",
            "groups": f"jsonb_build_object('marketing', {side.format(v='v.m')}, "
            f"'sales', {side.format(v='v.s')})",
            "position": "round((1 + 2.99 * v.p)::numeric, 4)",
            "stage": "floor(1 + 2.99 * v.p)::int",
            "attainment": "jsonb_build_object('2', v.a2, '3', v.a3, '4', v.a4)",
            "coverage": "1.0",
        },
        """
        FROM assessments_organization o
        CROSS JOIN (VALUES (400), (60)) AS r(days)
        CROSS JOIN LATERAL (
            SELECT random() + o.id * 0 AS p, round(random()::numeric, 4) AS a2,
                   round(random()::numeric, 4) AS a3, round(random()::numeric, 4) AS a4,
                   round(random()::numeric, 4) AS m, round(random()::numeric, 4) AS s
        ) AS v
        """,
    )
    params = {
        "industries": INDUSTRIES,
        "sizes": SIZES,
        "peers": peers,
        "questionnaire": questionnaire.pk,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, defaults in [organizations, rounds]:
            cursor.execute(sql, {**defaults, **params})
        user = get_user_model()
        member = user.objects.create_user("member@bench.example", "member@bench.example", "x")
        user.objects.create_superuser("admin@bench.example", "admin@bench.example", "x")
        consultant = user.objects.create_user(
            "consultant@bench.example", "consultant@bench.example", "x", is_staff=True
        )
        consultant.groups.add(Group.objects.get(name="Consultants"))
        first = Organization.objects.order_by("pk").first()
        Membership.objects.create(organization=first, user=member, role="marketing")
        cursor.execute(
            """
            INSERT INTO assessments_organization_consultants (organization_id, user_id)
            SELECT id, %s FROM assessments_organization ORDER BY id LIMIT %s
            """,
            [consultant.pk, clients],
        )
        cursor.execute("ANALYZE")
    return first


def timed(client, url, repeat=REPEAT):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    durations = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            durations.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    return statistics.median(durations), len(queries.captured_queries)


def main():
    setup()
    from django.core.management import call_command
    from django.db import connection

    from assessments.management.commands.materialize_benchmark import materialize
    from assessments.models import BenchmarkEntry

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    organization = generate()
    generation = time.perf_counter() - started
    print(f"Generated {PEERS:,} organizations in {generation:.1f} s")
    runs = []
    # The machine may be shared: the load average says how much of it this run had.
    load = os.getloadavg()[0]
    for _ in range(2):
        started = time.perf_counter()
        groups, entries = materialize()
        runs.append(time.perf_counter() - started)
        print(f"Materialized {groups} groups, {entries:,} entries in {runs[-1]:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    pages = measure_pages(organization)
    for label, median, queries in pages:
        print(f"{label}: {median:.1f} ms, {queries} queries")
    contributors = BenchmarkEntry.objects.count()
    _write_section(report(generation, runs, groups, contributors, pages, connection, load))


def measure_pages(organization, repeat=REPEAT):
    """Median server time and queries of the benchmark pages (ORGANIZATION: the member's)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from assessments.models import Organization

    everyone = Organization.objects.count()
    clients = Organization.objects.filter(consultants__username="consultant@bench.example").count()
    users = get_user_model().objects
    member, consultant, admin = Client(), Client(), Client()
    member.force_login(users.get(username="member@bench.example"))
    consultant.force_login(users.get(username="consultant@bench.example"))
    admin.force_login(users.get(username="admin@bench.example"))
    cases = [
        (
            "Member's benchmark page",
            member,
            reverse("assessments:benchmark", args=[organization.pk]),
        ),
        (
            f"Consultant: clients against the benchmark ({clients:,} clients)",
            consultant,
            reverse("admin:dashboard_benchmark"),
        ),
        (
            f"Superuser: clients against the benchmark ({everyone:,} clients)",
            admin,
            reverse("admin:dashboard_benchmark"),
        ),
        (
            f"Consultant portfolio sorted by peer percentile ({clients:,} clients)",
            consultant,
            reverse("admin:dashboard") + "?sort=-percentile",
        ),
    ]
    return [(label, *timed(client, url, repeat)) for label, client, url in cases]


def report(generation, runs, groups, entries, pages, connection, load):
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    cpu = platform.processor() or platform.machine()
    lines = [
        HEADING,
        "",
        f"Run on {datetime.date.today().isoformat()} with `tests/bench/benchmark_peers.py` "
        f"(from `make bench` with `BENCH_PEERS_DATABASE_URL`) on {cpu}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {version} "
        f"(a throwaway cluster, `fsync=off`); load average {load:.1f} when it started "
        "materializing.",
        "",
        f"{PEERS:,} organizations generated in SQL ({generation:.1f} s): every industry and size "
        "band, some unknown; nine in ten opted in; each with an older round (400 days ago, "
        "outside the 18 months) and a latest round (60 days ago), both closed with 6 respondents "
        "and both sides shown, so every contributor also has a gap.",
        "",
        "| step | time |",
        "|---|---:|",
        f"| `materialize_benchmark`, first run ({entries:,} contributors, {groups} groups) "
        f"| **{runs[0]:.1f} s** |",
        f"| the same again (idempotent: replaces every row) | {runs[1]:.1f} s |",
        "",
        "The command reads each contributor's latest eligible round in one query (a window",
        "function numbers each organization's rounds), computes the groups and percentiles in",
        "memory, and writes the groups and entries with `bulk_create` in one transaction.",
        "",
        "| page | median server time | SQL queries |",
        "|---|---:|---:|",
    ]
    lines += [f"| {label} | {median:.1f} ms | {queries} |" for label, median, queries in pages]
    lines += [
        "",
        "The member's page reads one entry and its groups; the consultants' page one page of",
        "entries, their count and two aggregates over the clients, whatever their number.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
