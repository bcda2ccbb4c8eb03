"""Uploading CRM exports as evidence, the mapping step, the worker's reading, and the pages."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import tasks
from assessments.management import demo_export
from assessments.models import Evidence, EvidenceMapping, EvidenceUpload, MetricRule
from assessments.views.evidence import LimitedUploadHandler, evidence_upload
from tests.helpers import close, crm_export, highest, lowest, submit_response, upload_export

pytestmark = pytest.mark.django_db


def counts():
    return (Evidence.objects.count(), EvidenceUpload.objects.count())


# --- Uploading recognised exports -------------------------------------------------------------


def test_a_hubspot_export_is_read_and_only_its_aggregates_are_kept(member, round):
    data = crm_export(300, follow_up_hours=30)
    response = upload_export(member, round, data, "hubspot-contacts.csv")
    assert response.status_code == 302
    assert response["Location"] == f"{round.get_absolute_url()}#evidence-heading"
    record = Evidence.objects.get()
    assert (record.status, record.source, record.kind) == ("ready", "hubspot", "leads")
    assert record.rows_read == 300 and record.progress == 100
    assert (
        record.filename == "hubspot-contacts.csv" and record.created_by.email == "ana@acme.example"
    )
    follow_up = record.measures()["follow-up-hours"]
    assert 24 < follow_up.value < 36 and follow_up.records > 250
    # The file is gone, and no cell of it is anywhere in the database.
    assert not EvidenceUpload.objects.exists()
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    for personal in ("lead000001@example.invalid", "+34 600 001 000", "Company 001", "Owner 3"):
        assert personal not in dump.getvalue()


def test_the_round_page_shows_each_metric_its_records_and_that_its_verdict_waits(member, round):
    upload_export(member, round, crm_export(300, follow_up_hours=30))
    page = member.get(round.get_absolute_url())
    html = page.content.decode()
    assert "Evidence from the CRM" in html and "Leads or contacts" in html
    assert "Follow-up time" in html and "30." in html
    assert "Recognised as a HubSpot export." in html
    # A confidential round that is still open: the team's answers are not out yet.
    assert html.count("The verdict shows once the round&#x27;s figures are published.") == 6
    assert "Contradicts" not in html and "Corroborates" not in html


def published_round(round, pick=highest):
    for n in range(3):
        submit_response(round, ["marketing", "sales", "ceo"][n], pick, email=f"r{n}@acme.example")
    return close(round)


def test_once_published_the_data_contradicts_an_answer_it_does_not_bear_out(member, round):
    published_round(round)  # every answer at its highest: the lead definition "in place"
    upload_export(member, round, crm_export(300, follow_up_hours=90, never_worked=0.4))
    page = member.get(round.get_absolute_url()).content.decode()
    start = page.index("Follow-up time")
    row = page[start : page.index("</tr>", start)]
    assert "Lead definition" in row and "100%" in row and "Missing" in row
    assert "Contradicts" in row
    assert "verdict shows once" not in page


def test_the_data_corroborates_an_answer_it_bears_out(member, round):
    published_round(round, pick=lowest)  # the lead definition "missing"
    upload_export(member, round, crm_export(300, follow_up_hours=90, never_worked=0.4))
    page = member.get(round.get_absolute_url()).content.decode()
    start = page.index("Follow-up time")
    assert "Corroborates" in page[start : page.index("</tr>", start)]


def test_the_team_page_shows_the_evidence_beside_the_latest_result(member, organization, round):
    published_round(round)
    upload_export(member, round, crm_export(300, follow_up_hours=90))
    page = member.get(organization.get_absolute_url()).content.decode()
    assert page.index("Latest result") < page.index("Evidence from the CRM")
    assert "Contradicts" in page


def test_the_clients_consultant_sees_the_evidence_on_the_client_page(
    client, member, organization, round, make_consultant
):
    consultant = make_consultant("cora@consult.example", organization)
    published_round(round)
    upload_export(member, round, crm_export(300, follow_up_hours=90))
    client.force_login(consultant)
    page = client.get(reverse("admin:dashboard_client", args=[organization.pk])).content.decode()
    assert "Evidence from the CRM" in page and "Contradicts" in page
    assert reverse("assessments:evidence_upload", args=[round.pk]) not in page


@pytest.mark.parametrize("source", ["hubspot", "salesforce"])
def test_an_xlsx_export_of_either_tool_is_read(member, round, source):
    header, rows = demo_export.leads(200, seed=4, source=source)
    response = upload_export(member, round, demo_export.to_xlsx(header, rows), "leads.xlsx")
    assert response.status_code == 302
    record = Evidence.objects.get()
    assert (record.status, record.source, record.file_format) == ("ready", source, "xlsx")
    assert record.rows_read == 200


@pytest.mark.parametrize("source", ["hubspot", "salesforce"])
def test_deals_and_opportunities_exports_are_read(member, round, source):
    data = crm_export(200, kind="deals", source=source, marketing_sourced=0.7)
    assert upload_export(member, round, data, "deals.csv", kind="deals").status_code == 302
    record = Evidence.objects.get()
    assert (record.kind, record.source, record.status) == ("deals", source, "ready")
    assert 0.6 < record.measures()["marketing-sourced"].value < 0.8
    page = member.get(round.get_absolute_url()).content.decode()
    assert "Deals or opportunities" in page and "Marketing-sourced pipeline" in page


def test_the_latest_export_of_each_kind_is_the_one_shown(member, round):
    upload_export(member, round, crm_export(100, follow_up_hours=10), "first.csv")
    upload_export(member, round, crm_export(100, kind="deals"), "deals.csv", kind="deals")
    upload_export(member, round, crm_export(100, follow_up_hours=80), "second.csv")
    page = member.get(round.get_absolute_url()).content.decode()
    assert "“second.csv”" in page and "“deals.csv”" in page and "“first.csv”" not in page


# --- The mapping step -----------------------------------------------------------------------

OTHER_CRM = (
    "Lead,Opened,Qualified on,Called on,Funnel step,Owner e-mail\n"
    + "".join(
        f"L{n},2025-03-{1 + n % 28:02d},2025-03-{1 + n % 28:02d} 10:00,"
        f"2025-03-{1 + n % 28:02d} 14:00,lead,o{n}@other.example\n"
        for n in range(40)
    )
).encode()


def test_an_unrecognised_export_asks_for_its_columns_then_reads_and_remembers_them(
    member, organization, round
):
    response = upload_export(member, round, OTHER_CRM, "other-crm.csv")
    record = Evidence.objects.get()
    assert record.status == "mapping"
    assert response["Location"] == reverse(
        "assessments:evidence_columns", args=[round.pk, record.pk]
    )
    page = member.get(response["Location"])
    html = page.content.decode()
    assert (
        "Which column holds what?" in html and "Funnel step" in html and "Not in this file" in html
    )
    # The file waits encrypted: none of its text is stored readable.
    stored = bytes(EvidenceUpload.objects.get().content)
    assert b"Funnel step" not in stored and b"o1@other.example" not in stored
    response = member.post(
        page.wsgi_request.path,
        {"created": "1", "qualified": "2", "first_activity": "3", "stage": "4"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "ready" and record.source == "other"
    assert record.measures()["follow-up-hours"].value == 4.0
    assert not EvidenceUpload.objects.exists()
    assert EvidenceMapping.objects.get(organization=organization).columns == {
        "created": "Opened",
        "qualified": "Qualified on",
        "first_activity": "Called on",
        "stage": "Funnel step",
    }
    # Next time, the same columns are found again without asking.
    upload_export(member, round, OTHER_CRM, "other-crm-again.csv")
    latest = Evidence.objects.first()
    assert latest.status == "ready" and latest.filename == "other-crm-again.csv"


def test_columns_that_fail_to_read_are_not_remembered(member, organization, round):
    upload_export(member, round, OTHER_CRM)
    record = Evidence.objects.get()
    url = reverse("assessments:evidence_columns", args=[round.pk, record.pk])
    member.post(url, {"created": "4"})  # "Funnel step": no dates in it
    record.refresh_from_db()
    assert (record.status, record.error) == ("failed", "unreadable-dates")
    assert not EvidenceMapping.objects.exists()
    response = upload_export(member, round, OTHER_CRM)
    assert "/columns/" in response["Location"]  # asked again


def test_a_member_may_choose_the_columns_of_a_recognised_export(member, round):
    response = upload_export(member, round, crm_export(), choose_columns="on")
    record = Evidence.objects.get()
    assert record.status == "mapping" and response["Location"].endswith("/columns/")
    page = member.get(response["Location"]).content.decode()
    header, _rows = demo_export.leads(1)
    created = header.index("Create Date")
    assert f'<option value="{created}" selected>Create Date</option>' in page


def test_the_mapping_step_refuses_an_answer_without_the_required_column(member, round):
    upload_export(member, round, OTHER_CRM)
    record = Evidence.objects.get()
    url = reverse("assessments:evidence_columns", args=[round.pk, record.pk])
    response = member.post(url, {"stage": "4", "created": ""})
    assert response.status_code == 400
    assert "Choose the column that holds this." in response.content.decode()
    record.refresh_from_db()
    assert record.status == "mapping" and not EvidenceMapping.objects.exists()


def test_a_file_left_waiting_for_its_columns_is_deleted_when_it_expires(member, round, settings):
    upload_export(member, round, OTHER_CRM)
    record = Evidence.objects.get()
    Evidence.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    tasks.daily_sweep.call()
    record.refresh_from_db()
    assert record.status == "failed" and record.error == "expired"
    assert "not chosen within 60 minutes" in record.error_message
    assert not EvidenceUpload.objects.exists()


def test_the_columns_page_after_the_deadline_says_the_file_is_gone(member, round):
    upload_export(member, round, OTHER_CRM)
    record = Evidence.objects.get()
    Evidence.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(hours=2))
    url = reverse("assessments:evidence_columns", args=[round.pk, record.pk])
    response = member.get(url, follow=True)
    assert "not chosen within 60 minutes" in response.content.decode()
    assert not EvidenceUpload.objects.exists()


def test_a_new_upload_replaces_one_left_waiting_for_its_columns(member, round):
    upload_export(member, round, OTHER_CRM, "abandoned.csv")
    upload_export(member, round, crm_export(), "hubspot.csv")
    assert list(Evidence.objects.values_list("filename", "status")) == [("hubspot.csv", "ready")]
    assert not EvidenceUpload.objects.exists()


def test_no_second_file_while_one_is_being_read(member, round):
    waiting = Evidence.objects.create(
        round=round, kind="leads", status="pending", filename="slow.csv", file_format="csv"
    )
    response = upload_export(member, round, crm_export(), follow=True)
    assert "Another file is being read for this round" in response.content.decode()
    assert list(Evidence.objects.all()) == [waiting]


# --- Bad and big files ----------------------------------------------------------------------


def zip_bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (3 * 2**20))
    return out.getvalue()


BAD_FILES = {
    "empty": (b"", "The file is empty"),
    "header only": (b"Create Date,Lifecycle Stage\n", "no records below it"),
    "image": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40, "not a CSV or XLSX"),
    "old excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old Excel file"),
    "wrong encoding": (
        "Create Date,Lifecycle Stage\n2025-03-14,Fase ñ\n".encode() + b"2025-03-15,caf\xe9\n",
        "not in one known encoding",
    ),
    "damaged workbook": (b"PK\x03\x04" + b"\x00" * 200, "damaged"),
    "zip bomb": (zip_bomb(), "would expand to more than 2 MB"),
    "too many columns": (
        (",".join(f"c{n}" for n in range(2001)) + "\n" + "x," * 2000 + "x\n").encode(),
        "more than 2000 columns",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(member, round, settings, name):
    settings.EVIDENCE_MAX_UNCOMPRESSED_MB = 2
    data, message = BAD_FILES[name]
    response = upload_export(member, round, data, "export.xlsx")
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert counts() == (0, 0)


def test_unreadable_dates_fail_in_the_worker_with_the_column_and_row_and_keep_what_was_shown(
    member, round
):
    upload_export(member, round, crm_export(100), "good.csv")
    bad = crm_export(100).replace(b"2026 ", b"2026x", 30)
    upload_export(member, round, bad, "bad.csv")
    failed = Evidence.objects.first()
    assert (failed.status, failed.error) == ("failed", "unreadable-dates")
    assert failed.error_params["column"] == "Create Date" and failed.error_params["row"] == 2
    assert not EvidenceUpload.objects.exists()
    page = member.get(round.get_absolute_url()).content.decode()
    assert "“bad.csv” could not be read, so nothing changed" in page
    assert "In the column “Create Date”" in page
    assert "“good.csv”" in page and "Follow-up time" in page


def test_a_file_missing_a_mapped_column_fails_in_the_worker(member, round):
    upload_export(member, round, OTHER_CRM)
    record = Evidence.objects.get()
    Evidence.objects.filter(pk=record.pk).update(
        status="pending", columns={"created": [[9, "Gone"]]}
    )
    tasks.read_evidence.call(record.pk)
    record.refresh_from_db()
    assert (record.status, record.error) == ("failed", "missing-columns")
    assert record.error_message == "The file has no column for: Date created."


def test_an_upload_larger_than_the_limit_is_refused_before_its_body_is_read(leader, round):
    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

    request = RequestFactory().post(
        reverse("assessments:evidence_upload", args=[round.pk]), content_type="multipart/form-data"
    )
    request.META["CONTENT_LENGTH"] = str(2**30)  # 1 GB
    request.META["wsgi.input"] = Unreadable()
    request._stream = Unreadable()
    request.user = leader
    request.session = {}
    response = evidence_upload(request, round.pk)
    assert response.status_code == 413
    assert "larger than 25 MB, so it was not read" in response.content.decode()
    assert counts() == (0, 0)


def test_a_file_over_the_limit_within_the_forms_slack_is_refused_too(member, round, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    data = crm_export(100)
    data += b"\n" * (2**20 + 10 - len(data))
    response = upload_export(member, round, data)
    assert response.status_code == 413
    assert "larger than 1 MB" in response.content.decode()
    assert counts() == (0, 0)


def test_a_body_without_a_stated_length_stops_being_read_at_the_limit():
    from django.core.files.uploadhandler import StopUpload

    handler = LimitedUploadHandler(None, limit=100)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(StopUpload) as stop:
        handler.receive_data_chunk(b"x" * 60, 60)
    assert stop.value.connection_reset and handler.exceeded


def test_uploads_are_rate_limited(member, round, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "evidence": "2/h/user"}
    data = crm_export(40)
    assert upload_export(member, round, data).status_code == 302
    assert upload_export(member, round, data).status_code == 302
    assert upload_export(member, round, data).status_code == 429
    assert Evidence.objects.count() == 2


# --- Following the reading, removing an upload --------------------------------------------


def test_the_status_endpoint_reports_progress_without_any_figure(member, round):
    record = Evidence.objects.create(
        round=round,
        kind="leads",
        status="parsing",
        filename="big.csv",
        file_format="csv",
        progress=42,
        rows_read=42000,
    )
    url = reverse("assessments:evidence_status", args=[round.pk, record.pk])
    state = member.get(url).json()
    assert state == {
        "status": "parsing",
        "label": "Being read",
        "progress": 42,
        "rows": 42000,
        "message": "42,000 records read so far.",
        "finished": False,
    }
    page = member.get(round.get_absolute_url()).content.decode()
    assert f'data-evidence-poll="{url}"' in page and 'value="42"' in page
    assert "js/evidence.js" in page


def test_another_organizations_member_reaches_no_evidence(client, member, round, other_leader):
    upload_export(member, round, crm_export())
    record = Evidence.objects.get()
    client.force_login(other_leader)
    for name in ("evidence_status", "evidence_columns"):
        assert (
            client.get(reverse(f"assessments:{name}", args=[round.pk, record.pk])).status_code
            == 404
        )
    delete = reverse("assessments:evidence_delete", args=[round.pk, record.pk])
    assert client.post(delete).status_code == 404
    assert Evidence.objects.filter(pk=record.pk).exists()


def test_removing_an_upload_removes_its_figures(member, round):
    upload_export(member, round, crm_export(), "wrong.csv")
    record = Evidence.objects.get()
    response = member.post(
        reverse("assessments:evidence_delete", args=[round.pk, record.pk]), follow=True
    )
    assert "“wrong.csv” and its figures are removed." in response.content.decode()
    assert counts() == (0, 0)
    assert (
        "No CRM export has been read for this round yet."
        in member.get(round.get_absolute_url()).content.decode()
    )


def test_the_upload_page_says_what_happens_to_the_file(member, round):
    page = member.get(reverse("assessments:evidence_upload", args=[round.pk])).content.decode()
    assert "only until it is read" in page and "then deleted" in page
    assert "Names, e-mail addresses and every other cell of the file are never stored." in page
    assert "within 60 minutes, it is deleted" in page
    assert "visible to the members of Org of ana@acme.example and to its consultants" in page
    assert 'data-max-bytes="26214400"' in page
    assert "Became a Marketing Qualified Lead Date" in page and "First Call Date/Time" in page


def test_the_rules_edited_in_the_admin_change_the_verdict(member, round):
    published_round(round)
    upload_export(member, round, crm_export(300, follow_up_hours=90))
    MetricRule.objects.filter(metric="follow-up-hours").update(in_place_at=100, missing_at=200)
    page = member.get(round.get_absolute_url()).content.decode()
    start = page.index("Follow-up time")
    assert "Corroborates" in page[start : page.index("</tr>", start)]
    MetricRule.objects.filter(metric="follow-up-hours").update(min_records=10_000)
    page = member.get(round.get_absolute_url()).content.decode()
    start = page.index("Follow-up time")
    assert "Too few records for a verdict: it needs at least 10000." in page[start:]


def test_a_rule_keeps_its_thresholds_in_the_metrics_direction():
    from django.core.exceptions import ValidationError

    rule = MetricRule.objects.get(metric="follow-up-hours")
    rule.in_place_at, rule.missing_at = 80, 20
    with pytest.raises(ValidationError, match="Lower is better"):
        rule.clean()
    share = MetricRule.objects.get(metric="decided")
    share.missing_at = 120
    with pytest.raises(ValidationError):
        share.clean()
    context = MetricRule.objects.get(metric="marketing-sourced")
    context.in_place_at = 50
    with pytest.raises(ValidationError, match="context only"):
        context.clean()


def test_the_pages_cost_the_same_queries_with_one_upload_or_many(member, organization, round):
    published_round(round)
    upload_export(member, round, crm_export(50), "one.csv")

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert member.get(url).status_code == 200
        return len(captured.captured_queries)

    pages = [round.get_absolute_url(), organization.get_absolute_url()]
    before = [queries(url) for url in pages]
    for n in range(4):
        upload_export(member, round, crm_export(50, kind="deals"), f"d{n}.csv", kind="deals")
    assert [queries(url) for url in pages] == before


def test_the_pages_in_spanish(spanish, member, round):
    published_round(round)
    upload_export(member, round, crm_export(300, follow_up_hours=90))
    page = member.get(round.get_absolute_url()).content.decode()
    assert "Evidencia del CRM" in page and "Lo contradice" in page
    upload = member.get(reverse("assessments:evidence_upload", args=[round.pk])).content.decode()
    assert "Qué pasa con el archivo" in upload
