"""Evidence in the browser: upload an export, choose its columns, follow its reading."""

import pytest
from playwright.sync_api import expect

from assessments.models import Evidence
from tests.e2e.test_team import log_in
from tests.helpers import close, crm_export, highest, submit_response

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_uploads_an_export_and_the_round_shows_the_data_contradicting_an_answer(
    page, leader, round, settings, tmp_path
):
    for n, role in enumerate(["marketing", "sales", "ceo"]):
        submit_response(round, role, highest, email=f"r{n}@acme.example")
    close(round)
    export = tmp_path / "hubspot-contacts.csv"
    export.write_bytes(crm_export(400, follow_up_hours=90, never_worked=0.35))
    log_in(page, "ana@acme.example")
    page.goto(round.get_absolute_url())
    assert "No CRM export has been read for this round yet." in page.content()
    page.get_by_role("link", name="Upload a CRM export").click()
    assert "What happens to the file" in page.content()
    page.get_by_label("Leads or contacts").check()
    page.get_by_label("CRM export (CSV or XLSX)").set_input_files(str(export))
    page.get_by_role("button", name="Upload and read").click()
    page.wait_for_url(f"**{round.get_absolute_url()}#evidence-heading")
    evidence = page.locator("section.evidence")
    evidence.get_by_text("“hubspot-contacts.csv”, uploaded on").wait_for()
    row = evidence.locator("tr", has_text="Follow-up time")
    assert "Lead definition" in row.inner_text() and "Contradicts" in row.inner_text()
    assert evidence.locator(".verdict-contradicts").count() >= 2
    # The workshop puts what the data contradicts first, with the evidence on its item.
    page.get_by_role("link", name="Prepare the workshop").click()
    page.get_by_role("button", name="Open the workshop").click()
    first = page.locator("table tbody tr").first
    expect(first).to_contain_text("Lead definition")
    expect(first).to_contain_text("First: the CRM contradicts it")
    first.get_by_role("link", name="Lead definition").click()
    expect(page.locator("h1#workshop-item")).to_have_text("Lead definition")
    said = page.locator(".workshop-evidence")
    expect(said).to_contain_text("the CRM contradicts the team's answers here")
    expect(said.locator("li", has_text="Follow-up time")).to_contain_text("Contradicts")
    assert page.errors == []


def test_an_unrecognised_export_goes_through_the_columns_step(page, leader, round, tmp_path):
    rows = "".join(f"L{n},2025-03-{1 + n % 28:02d},lead\n" for n in range(40))
    export = tmp_path / "other.csv"
    export.write_text("Lead,Opened,Funnel step\n" + rows)
    log_in(page, "ana@acme.example")
    page.goto(f"/rounds/{round.pk}/evidence/")
    page.get_by_label("CRM export (CSV or XLSX)").set_input_files(str(export))
    page.get_by_role("button", name="Upload and read").click()
    page.wait_for_url("**/columns/")
    page.get_by_label("Date created").select_option(label="Opened")
    page.get_by_label("Lifecycle stage").select_option(label="Funnel step")
    page.get_by_role("button", name="Read the file").click()
    page.wait_for_url(f"**{round.get_absolute_url()}#evidence-heading")
    row = page.locator("section.evidence tr", has_text="Records with a lifecycle stage")
    assert "100%" in row.inner_text() and "40" in row.inner_text()


def test_the_page_follows_a_reading_in_progress_and_shows_the_result_when_done(page, leader, round):
    record = Evidence.objects.create(
        round=round,
        kind="leads",
        status="parsing",
        filename="big.csv",
        file_format="csv",
        progress=30,
        rows_read=30000,
    )
    log_in(page, "ana@acme.example")
    page.goto(round.get_absolute_url())
    assert page.locator("progress").get_attribute("value") == "30"
    Evidence.objects.filter(pk=record.pk).update(progress=80, rows_read=80000)
    expect(page.locator("progress")).to_have_attribute("value", "80")
    expect(page.get_by_text("80,000 records read so far.")).to_be_visible()
    Evidence.objects.filter(pk=record.pk).update(
        status="ready", progress=100, rows_read=100000, metrics={}
    )
    page.get_by_text("“big.csv”, uploaded on").wait_for()
    assert page.locator("progress").count() == 0
    assert page.errors == []


def test_a_file_over_the_limit_is_refused_in_the_browser_before_it_is_sent(
    page, leader, round, settings, tmp_path
):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    export = tmp_path / "huge.csv"
    export.write_bytes(b"x" * (2**20 + 1))
    log_in(page, "ana@acme.example")
    page.goto(f"/rounds/{round.pk}/evidence/")
    field = page.get_by_label("CRM export (CSV or XLSX)")
    field.set_input_files(str(export))
    page.get_by_role("button", name="Upload and read").click()
    message = field.evaluate("input => input.validationMessage")
    assert "larger than 1 MB" in message
    assert page.url.endswith(f"/rounds/{round.pk}/evidence/")
    assert Evidence.objects.count() == 0
