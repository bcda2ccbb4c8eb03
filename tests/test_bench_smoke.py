"""`make bench` at a tiny size: its generators and measurements run in the suite.

The real sizes (1,000 organizations, then 100,000 on PostgreSQL) stay in
`make bench`; here each generator writes a handful of rows through the very
code the bench runs, the data is checked the way a consultant would see it,
and every measurement returns figures and writes its report. The scale and
peer generators are PostgreSQL SQL, so they run in the PostgreSQL pass only.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Organization, Response, Round, portfolio_summary
from tests.bench import benchmark_peers, live_event, run, scale
from tests.bench.sql import UnfilledColumn, insert_select
from tests.helpers import submit_response

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the scale generators are PostgreSQL SQL"
)


def admin_client():
    client = Client()
    client.force_login(get_user_model().objects.get(is_superuser=True))
    return client


def assert_figures(rows):
    """Each row's median time is a positive number of milliseconds and its query count an int
    (0 for a page served from the in-process page cache)."""
    assert rows
    for label, *figures in rows:
        median = next(f for f in figures if isinstance(f, float))
        assert 0 < median < 60_000, label
        counts = [f for f in figures if isinstance(f, int) and not isinstance(f, bool)]
        assert counts and all(f >= 0 for f in counts), label


def test_the_generated_sql_names_every_column_the_model_cannot_leave_empty(db):
    sql, defaults = scale.organizations_sql()
    for field in Organization._meta.concrete_fields:
        if not field.null and not field.primary_key:
            assert f'"{field.column}"' in sql, field.name
    # benchmark_opt_in (NOT NULL, a Python default only) broke `make bench` once.
    assert defaults["default_benchmark_opt_in"] is False
    # A column the bench forgets, with no default to fall back on, fails with its name.
    with pytest.raises(UnfilledColumn, match=r"Round\.organization is NOT NULL"):
        insert_select(Round, {"questionnaire_id": "1"}, "FROM generate_series(1, 1) AS g")
    with pytest.raises(ValueError, match="no column nickname"):
        insert_select(Organization, {"nickname": "'x'"}, "")
    for build in (scale.rounds_sql, scale.responses_sql):
        build()  # every NOT NULL column of rounds and responses is accounted for


def test_the_bench_dataset_is_what_the_consultant_sees(db, tmp_path, monkeypatch):
    run.generate(organizations=4)
    assert Organization.objects.count() == 4
    assert Round.objects.filter(respondents=run.RESPONDENTS, result_stale=False).count() == 16
    assert not Response.objects.filter(submitted_at__isnull=True).exists()
    today = timezone.localdate()
    for organization in Organization.objects.all():
        expected = portfolio_summary(Round, organization.pk, organization.cadence, today)
        assert Organization.objects.values(*expected).get(pk=organization.pk) == expected
        assert organization.latest_position is not None
    portfolio = admin_client().get(reverse("admin:dashboard"))
    assert [row.name for row in portfolio.context["clients"]] == [
        f"Client {n:04d}" for n in range(4)
    ]
    pages = run.measure_pages(repeat=1)
    assert_figures([(label, median, queries) for label, _url, median, queries in pages])
    monkeypatch.setattr(run, "BASE", tmp_path)
    (tmp_path / "docs").mkdir()
    scale_section = f"{scale.START}\n## At scale\n{scale.END}"
    (tmp_path / "docs" / "benchmarks.md").write_text(f"# Benchmarks\n\n{scale_section}\n")
    weight = [("HTML", 4_000, 16_000)]
    run.write_report(1.0, pages, None, weight, (None, "not in the smoke test"))
    report = (tmp_path / "docs" / "benchmarks.md").read_text()
    assert "| Home page |" in report and "| Consultant portfolio (4 clients) |" in report
    # What the other scripts measured stays until they measure again.
    assert scale_section in report


def test_the_live_events_checks_and_report(db, tmp_path, monkeypatch, round):
    for role in ["marketing", "sales", "ceo"]:
        submit_response(round, role)
    monkeypatch.setattr(live_event, "USERS", 3)
    people = {"started": 3, "submitted": 3, "refused": 0, "failed": 0}
    checks = live_event.check_outcome(round, people, drained=0.4)
    assert all(ok for _label, ok in checks), checks
    # One response short of the people who came: the check says so.
    monkeypatch.setattr(live_event, "USERS", 4)
    assert not all(ok for _label, ok in live_event.check_outcome(round, people, drained=0.4))
    requests = [
        *(("page: save", float(ms), 302, False) for ms in range(1, 101)),
        ("page: save and submit", 250.0, 302, False),
        ("join: start", 30.0, 429, True),
        ("page: open", 12.0, 500, True),
    ]
    rows = {row["name"]: row for row in live_event.summarize(requests)}
    assert rows["page: save"]["p50"] == 50 and rows["page: save"]["p99"] == 99
    assert rows["page saves, all"]["count"] == 101 and rows["page saves, all"]["max"] == 250
    assert rows["join: start"]["refused"] == 1 and rows["page: open"]["errors"] == 1
    monkeypatch.setattr(live_event, "BASE", tmp_path)
    live_event.write_report(list(rows.values()), people, checks, 95.0, (0.5, 1.5))
    report = (tmp_path / "docs" / "benchmarks.md").read_text()
    assert "| **page saves, all** | 101 |" in report
    assert "**missed** (3 submitted, 0 refused, 0 failed; 1 errors, 1 refusals" in report


@postgresql_only
def test_the_scale_dataset_and_its_measurements(db, settings, tmp_path, monkeypatch):
    settings.EXPORT_IMMEDIATE_ROWS = 0  # prepared by the worker, as at 100,000
    scale.generate(organizations=20)  # checks the SQL summaries against portfolio_summary
    assert Organization.objects.count() == 20
    assert Response.objects.count() == 20 * 4 * 5
    admin = admin_client()
    page = admin.get(reverse("admin:dashboard"))
    assert [row.name for row in page.context["clients"]] == [
        f"Client {n:06d}" for n in range(1, 21)
    ]
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "assessments_organization")
    assert scale.TRIGRAM_INDEX in indexes
    portfolio = scale.measure_portfolio(admin, repeat=1)
    assert_figures(portfolio)
    without, with_index = scale.measure_search(admin, repeat=1)
    assert without[0] > 0 and with_index[0] > 0 and "assessments_organization" in with_index[2]
    exports = scale.measure_exports(admin)
    assert [(fmt, rows) for fmt, *_, rows in exports] == [("csv", 20), ("xlsx", 20)]
    busy, quiet = scale.measure_sweep()
    assert quiet[1] == {"reminders": 0, "notices": 0}
    big = scale.measure_big_round(admin, size=12, repeat=1)
    assert big["submit_queries"] > 0 and big["refresh_ms"] > 0
    assert_figures(big["pages"])
    monkeypatch.setattr(scale, "BASE", tmp_path)
    search = (without, with_index)
    scale.write_report(1.0, portfolio, search, exports, (busy, quiet), big, (0.5, 1.0))
    report = (tmp_path / "docs" / "benchmarks.md").read_text()
    assert report.startswith("# Benchmarks") and scale.END in report
    assert "| with the trigram index |" in report


@postgresql_only
def test_the_peer_benchmark_dataset_and_its_pages(db):
    from assessments.management.commands.materialize_benchmark import materialize

    organization = benchmark_peers.generate(peers=40, clients=10)
    groups, entries = materialize()
    assert entries == 36 and groups > 0  # nine in ten opted in
    pages = benchmark_peers.measure_pages(organization, repeat=1)
    assert_figures(pages)
    assert "(10 clients)" in pages[1][0] and "(40 clients)" in pages[2][0]
