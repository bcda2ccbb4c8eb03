"""One rule for displayed numbers: pages, e-mails and spreadsheets show the same figure.

Figures are cut, never rounded (scoring.one_decimal, scoring.percent): a
stored 2.97 is 2.9 on the page, in the e-mail and in the sheet's cell, and the
way to the next stage is read off the displayed position.
"""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import agenda, emails, exports, results, scoring, workshops
from assessments.models import BenchmarkEntry, Membership, Round
from assessments.visibility import Viewer
from stages.models import Stage
from tests.helpers import benchmark_round, close, submit_response

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Whatever language an earlier test left active in this thread, figures read in English."""
    with translation.override("en"):
        yield


def compact(html):
    return " ".join(html.split())


@pytest.mark.parametrize(
    "stored, shown, way",
    [
        ("1.6800", "1.6", 60),  # the "1.6" next to "68% of the way"
        ("2.6999", "2.6", 60),
        ("2.9999", "2.9", 90),  # held back: never reads as stage 3 reached
        ("3.0000", "3.0", 0),
        ("1.0000", "1.0", 0),
        ("3.8600", "3.8", 80),  # the 3.8 on a page, 3.9 in the sheet
    ],
)
def test_a_position_reads_cut_and_its_way_follows_the_displayed_figure(stored, shown, way):
    stage = int(Decimal(stored))
    reading = results.read_position(Decimal(stored), stage, [])
    assert str(reading) == shown and reading.progress_percent == way
    assert exports.position_cell(Decimal(stored)) == float(shown)


@pytest.mark.parametrize(
    "share, shown", [(0.749, 74), (0.75, 75), (0.497, 49), (1.0, 100), (0.0, 0), (0.29, 29)]
)
def test_a_share_reads_as_whole_percent_cut_in_a_sheet_too(share, shown):
    assert scoring.percent(share) == shown
    assert exports.share_cell(share) == shown / 100
    assert scoring.percent(exports.share_cell(share)) == shown


def test_the_template_filters_read_figures_by_the_same_rule_in_each_language():
    template = Template("{% load figures %}{{ position|position }} {{ share|percent }}%")
    context = Context({"position": Decimal("2.97"), "share": 0.749})
    assert template.render(context) == "2.9 74%"
    with translation.override("es"):
        assert template.render(context) == "2,9 74%"
    assert Template("{% load figures %}[{{ none|position }}]").render(Context({})) == "[]"


@pytest.fixture
def published(round, leader, settings):
    """An open round with one submitted response, closed: its figures are the members'."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    Round.objects.filter(pk=round.pk).update(visibility=Round.Visibility.OPEN)
    round.refresh_from_db()
    submit_response(round, "marketing", email="ana@acme.example")
    close(round)
    return round


positions = st.integers(1, 4).flatmap(
    lambda stage: st.tuples(
        st.just(stage), st.integers(0, 0 if stage == 4 else 9999), st.integers(5000, 10000)
    )
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(figures=positions, attainment=st.integers(0, 10000))
def test_the_page_the_e_mail_and_the_export_agree_on_every_figure(
    client, leader, published, figures, attainment
):
    stage, fill, coverage = figures
    position = Decimal(stage) + Decimal(fill) / 10000
    Round.objects.filter(pk=published.pk).update(
        position=position,
        stage=stage,
        coverage=coverage / 10000,
        flags=[],
        attainment={"2": attainment / 10000, "3": 0.1, "4": 0.0},
    )
    round = Round.objects.select_related("organization", "questionnaire", "workshop").get(
        pk=published.pk
    )
    shown = scoring.one_decimal(position)
    way = int((shown - stage) * 100)

    client.force_login(leader)
    page = compact(client.get(round.get_absolute_url()).text)
    assert f'<span class="position">{shown}</span>' in page
    if stage < 4:
        assert f"{way}% of the way to stage {stage + 1}" in page
    assert f"Coverage {scoring.percent(coverage / 10000)}%" in page

    membership = Membership.objects.get(user=leader)
    mail = emails.due_notice(membership, datetime.date(2027, 1, 1))
    body = compact(mail.body)
    if stage < 4:
        assert f"stood at {shown} — " in body and f"({way}% of the way to stage" in body
    else:
        assert f"stood at {shown} — Functional alignment." in body

    row = dict(
        zip(exports.ROUND_COLUMNS, exports.round_row(round.seen_by(Viewer.MEMBER)), strict=True)
    )
    assert str(row["position"]) == str(shown)
    assert round_percent(row["coverage"]) == scoring.percent(coverage / 10000)
    assert round_percent(row["attainment_stage_2"]) == scoring.percent(attainment / 10000)


def round_percent(cell):
    """A share cell as its sheet shows it with the "0%" format (no further cut)."""
    return int(round(cell * 100))


def test_the_members_zip_holds_the_page_figures_in_csv_and_xlsx(client, leader, published):
    Round.objects.filter(pk=published.pk).update(position=Decimal("3.8600"), stage=3, flags=[])
    client.force_login(leader)
    organization = published.organization
    archive = zipfile.ZipFile(
        io.BytesIO(
            client.get(reverse("assessments:organization_export", args=[organization.pk])).content
        )
    )
    [row] = list(csv.DictReader(io.StringIO(archive.read("rounds.csv").decode("utf-8-sig"))))
    assert row["position"] == "3.8"
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("rounds.xlsx"))).active
    header, values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert dict(zip(header, values, strict=True))["position"] == 3.8
    [response] = list(
        csv.DictReader(io.StringIO(archive.read("responses.csv").decode("utf-8-sig")))
    )
    scores = published.responses.get().indicator_scores
    key = "strategic.lead-definition"
    assert response[key] == str(scoring.percent(scores[key]) / 100)


def test_a_gap_on_the_agenda_is_the_difference_of_the_figures_shown():
    # The "66 points" on the agenda beside 83% and 16% on the round page.
    marketing, sales = 0.8333, 0.1667
    assert (scoring.percent(marketing), scoring.percent(sales)) == (83, 16)
    indicator = SimpleNamespace(key="strategic.lead-definition", stage=SimpleNamespace(number=2))
    round = SimpleNamespace(
        groups={
            "marketing": {"indicator_scores": {indicator.key: marketing}},
            "sales": {"indicator_scores": {indicator.key: sales}},
        }
    )
    sight = SimpleNamespace(gap=True, individuals=False)
    [candidate] = workshops.candidates(round, [(indicator, [])], sight)
    [item] = agenda.order([candidate], climbed=2)
    assert item.disagreement_percent == 67 == scoring.points_apart(marketing, sales)
    gap = results.GapRow(indicator, marketing, sales, flagged=True)
    assert gap.difference == 67


def test_the_consultants_benchmark_list_cuts_positions_as_the_pages_do(client, superuser):
    from assessments.management.commands.materialize_benchmark import materialize
    from assessments.models import Organization

    for number in range(5):
        organization = Organization.objects.create(
            name=f"Peer {number}", industry="software", size="11-50", benchmark_opt_in=True
        )
        benchmark_round(organization, position=2.97, stage=2)
    materialize()
    assert BenchmarkEntry.objects.count() == 5
    client.force_login(superuser)
    page = client.get(reverse("admin:dashboard_benchmark")).text
    # Position and the peers' median, as every page reads 2.97: never a rounded 3.0.
    assert page.count("<td>2.9</td>") == 10 and "<td>3.0</td>" not in page


def test_a_stage_reads_its_figures_alike_in_a_round_and_an_export_of_it(published):
    stages = {stage.number: stage for stage in Stage.objects.all()}
    sentence = results.standing(Decimal("1.6800"), 1, [], stages)
    assert sentence.startswith("1.6 — On the way to strategic alignment (60% of the way")
    assert results.standing(Decimal("2.0000"), 2, ["not-measured"], stages).startswith(
        "at least 2.0 — "
    )
    assert results.standing(Decimal("1.9000"), 1, ["low-coverage"], stages) is None
    assert re.match(r"4\.0 — ", results.standing(Decimal("4.0000"), 4, [], stages))


def test_the_due_notice_quotes_the_latest_standing_in_the_members_language(leader, published):
    Round.objects.filter(pk=published.pk).update(position=Decimal("1.6800"), stage=1, flags=[])
    membership = Membership.objects.get(user=leader)
    membership.language = "es"
    membership.save(update_fields=["language"])
    body = compact(emails.due_notice(membership, datetime.date(2027, 1, 1)).body)
    assert "el equipo estaba en 1,6 — En camino hacia la alineación estratégica (60% del" in body


def test_the_due_notice_says_nothing_of_a_round_the_members_may_not_see(leader, round):
    # A confidential round still open publishes nothing, so the notice quotes no figure.
    submit_response(round, "marketing")
    body = emails.due_notice(Membership.objects.get(user=leader), datetime.date(2027, 1, 1)).body
    assert "stood at" not in body
