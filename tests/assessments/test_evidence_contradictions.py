"""What a CRM export contradicts, where decisions are made: the workshop's agenda, the
consultants' portfolio and client page, and the exports (issue 25, point 3)."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from assessments import tasks
from assessments.models import Evidence, MetricRule, Organization, Round, WorkshopItem
from tests.helpers import close, crm_export, highest, submit_response, upload_export

pytestmark = pytest.mark.django_db

# 90 hours to follow a lead up, 40% never worked: the lead definition and the single
# workflow are missing, whatever a team whose every answer is "in place" believes.
SLOW = {"follow_up_hours": 90, "never_worked": 0.4}
DENIED = ["strategic.lead-definition", "operational.single-workflow"]


def published_round(round, pick=highest):
    for n, role in enumerate(["marketing", "sales", "ceo"]):
        submit_response(round, role, pick, email=f"r{n}@acme.example")
    return close(round)


def logged_in(user):
    """A client of its own: the member fixture is the test's one client."""
    client = Client()
    client.force_login(user)
    return client


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def agenda_keys(round):
    return list(
        WorkshopItem.objects.filter(workshop__round=round)
        .order_by("position")
        .values_list("indicator_key", flat=True)
    )


# --- The workshop's agenda -------------------------------------------------------------------


def test_without_evidence_the_agenda_follows_the_stages_and_disagreements(member, round):
    published_round(round)
    member.post(reverse("assessments:workshop_open", args=[round.pk]))
    keys = agenda_keys(round)
    assert keys[0] == "strategic.shared-priority"
    assert not WorkshopItem.objects.filter(contradicted=True).exists()


def test_what_the_crm_contradicts_leads_the_agenda_with_the_evidence_on_its_page(member, round):
    published_round(round)
    upload_export(member, round, crm_export(300, **SLOW))
    member.post(reverse("assessments:workshop_open", args=[round.pk]))
    assert agenda_keys(round)[:2] == DENIED  # the foundation (stage 2) first
    first = WorkshopItem.objects.get(workshop__round=round, position=1)
    assert first.contradicted and not WorkshopItem.objects.get(position=3).contradicted
    agenda = member.get(reverse("assessments:workshop", args=[round.pk])).content.decode()
    assert "First: the CRM contradicts it" in agenda
    page = member.get(reverse("assessments:workshop_item", args=[round.pk, first.pk]))
    html = page.content.decode()
    assert "First on the agenda: the CRM contradicts the team's answers here" in html
    start = html.index("Follow-up time")
    line = html[start : html.index("</li>", start)]
    assert "Contradicts" in html[html.rindex("<li>", 0, start) : start]
    assert " h" in line and " records)" in line
    assert "The data says “Missing”, the team's answer “In place”." in line


def test_evidence_without_a_verdict_ranks_nothing_up_and_says_why(member, round):
    published_round(round)
    upload_export(member, round, crm_export(300, **SLOW))
    MetricRule.objects.update(min_records=10_000)
    member.post(reverse("assessments:workshop_open", args=[round.pk]))
    assert agenda_keys(round)[0] == "strategic.shared-priority"
    assert not WorkshopItem.objects.filter(contradicted=True).exists()
    item = WorkshopItem.objects.get(indicator_key="strategic.lead-definition")
    html = member.get(reverse("assessments:workshop_item", args=[round.pk, item.pk])).text
    assert "What the CRM says" in html and "No data" in html
    assert "Too few records for a verdict: it needs at least 10000." in html


# --- The consultants' portfolio and client page ------------------------------------------------


def test_the_portfolio_flags_a_client_whose_crm_contradicts_its_answers(
    member, organization, round, make_consultant
):
    client = logged_in(make_consultant("cora@consult.example", organization))
    published_round(round)
    upload_export(member, round, crm_export(300, **SLOW))
    organization.refresh_from_db()
    assert organization.evidence_contradictions == DENIED
    page = client.get(reverse("admin:dashboard")).content.decode()
    assert "CRM contradicts 2 answers" in page
    detail = client.get(reverse("admin:dashboard_client", args=[organization.pk])).content.decode()
    assert "The CRM export contradicts the team's answers on 2 indicators:" in detail
    assert "Lead definition" in detail[detail.index('id="evidence-flag"') :]
    # Removing the export removes the flag.
    member.post(reverse("assessments:evidence_delete", args=[round.pk, Evidence.objects.get().pk]))
    organization.refresh_from_db()
    assert organization.evidence_contradictions == []
    assert "CRM contradicts" not in client.get(reverse("admin:dashboard")).content.decode()


def test_no_flag_while_the_consultant_may_not_see_the_teams_answers(
    member, organization, round, make_consultant
):
    client = logged_in(make_consultant("cora@consult.example", organization))
    for n, role in enumerate(["marketing", "sales", "ceo"]):
        submit_response(round, role, highest, email=f"r{n}@acme.example")
    # A confidential round still open: its figures are nobody's yet, so no verdict either.
    upload_export(member, round, crm_export(300, **SLOW))
    organization.refresh_from_db()
    assert organization.has_evidence and organization.evidence_contradictions == []
    assert "CRM contradicts" not in client.get(reverse("admin:dashboard")).content.decode()
    # Once it closes with enough answers the verdicts are published, and the flag follows.
    close(round)
    organization.refresh_from_db()
    assert organization.evidence_contradictions == DENIED


def test_new_thresholds_move_the_flags_through_the_worker(member, organization, round):
    published_round(round)
    upload_export(member, round, crm_export(300, **SLOW))
    MetricRule.objects.filter(metric="follow-up-hours").update(in_place_at=100, missing_at=200)
    MetricRule.objects.filter(metric="never-worked").update(in_place_at=50, missing_at=90)
    tasks.refresh_evidence_flags.call()
    organization.refresh_from_db()
    assert organization.evidence_contradictions == []


def test_saving_a_rule_in_the_admin_refreshes_the_flags(
    superuser, member, organization, round, django_capture_on_commit_callbacks
):
    admin_client = logged_in(superuser)
    published_round(round)
    upload_export(member, round, crm_export(300, **SLOW))
    rule = MetricRule.objects.get(metric="follow-up-hours")
    url = reverse("admin:assessments_metricrule_change", args=[rule.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"in_place_at": "100", "missing_at": "200", "min_records": "30"}
        )
    assert response.status_code == 302
    organization.refresh_from_db()
    # The follow-up time now reads "in place"; the share never worked still denies both.
    assert organization.evidence_contradictions == DENIED
    MetricRule.objects.filter(metric="never-worked").update(in_place_at=50, missing_at=90)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"in_place_at": "100", "missing_at": "200", "min_records": "30"})
    organization.refresh_from_db()
    assert organization.evidence_contradictions == []


def test_the_portfolio_costs_the_same_queries_with_flagged_clients(
    client, superuser, questionnaire, django_assert_num_queries
):
    def add_clients(count):
        for n in range(count):
            organization = Organization.objects.create(name=f"Client {n:03d}")
            Round.objects.create(
                organization=organization, questionnaire=questionnaire, consultant_access=True
            )
            Organization.objects.filter(pk=organization.pk).update(
                has_evidence=True, evidence_contradictions=DENIED
            )

    add_clients(3)
    client.force_login(superuser)
    client.get(reverse("admin:dashboard"))
    with django_assert_num_queries(6) as few:
        page = client.get(reverse("admin:dashboard"))
    assert page.content.decode().count("CRM contradicts 2 answers") == 3
    add_clients(30)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("admin:dashboard"))
    assert page.content.decode().count("CRM contradicts 2 answers") == 33


# --- The exports -----------------------------------------------------------------------------


def test_the_exports_list_what_the_crm_contradicts(member, organization, round, make_consultant):
    client = logged_in(make_consultant("cora@consult.example", organization))
    published_round(round)
    upload_export(member, round, crm_export(300, **SLOW))
    url = reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"])
    [row] = csv_rows(client.post(url).content)
    assert row["crm_contradicts"] == " ".join(DENIED)
    url = reverse("admin:dashboard_export", args=["csv"])
    [row] = csv_rows(client.post(url).content)
    assert row["crm_contradicts"] == " ".join(DENIED)
    archive = member.get(reverse("assessments:organization_export", args=[organization.pk]))
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        [row] = csv_rows(opened.read("rounds.csv"))
    assert row["crm_contradicts"] == " ".join(DENIED)


def test_a_round_without_evidence_or_with_hidden_figures_exports_an_empty_cell(
    member, organization, round
):
    for n, role in enumerate(["marketing", "sales", "ceo"]):
        submit_response(round, role, highest, email=f"r{n}@acme.example")
    upload_export(member, round, crm_export(300, **SLOW))
    archive = member.get(reverse("assessments:organization_export", args=[organization.pk]))
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        [row] = csv_rows(opened.read("rounds.csv"))
    assert row["crm_contradicts"] == ""


def test_the_spreadsheet_names_the_contradicted_indicators_in_the_readers_language(
    member, organization, round, make_consultant
):
    published_round(round)
    upload_export(member, round, crm_export(300, **SLOW))
    client = logged_in(make_consultant("cora@consult.example", organization))
    client.cookies["django_language"] = "es"
    url = reverse("admin:dashboard_rounds_export", args=[organization.pk, "xlsx"])
    sheet = openpyxl.load_workbook(io.BytesIO(client.post(url).content)).active
    header, row = [[cell.value for cell in line] for line in sheet.iter_rows()]
    cells = dict(zip(header, row, strict=True))
    assert cells["crm_contradicts"] == " ".join(DENIED)
    assert cells["crm_contradicts_label"] == "Definición de lead, Flujo único"
