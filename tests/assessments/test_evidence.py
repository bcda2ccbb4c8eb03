"""The pure evidence module: recognising exports, reading dates and files, metrics, verdicts."""

import codecs
import datetime
import io
import random
import statistics
import zipfile

import openpyxl
import pytest
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assessments import evidence
from assessments.evidence import (
    CONTRADICTS,
    CORROBORATES,
    DEALS,
    LEADS,
    NO_DATA,
    Measure,
    ReadError,
    Rule,
    judge,
)
from assessments.management import demo_export

BIG = 10**9


@pytest.fixture(autouse=True)
def english():
    """The words asserted are English ones, whatever an earlier test left active."""
    with translation.override("en"):
        yield


HOUR = 1 / 24


def table(text, encoding="utf-8"):
    return evidence.open_table(text.encode(encoding), BIG)


def read(text, kind=LEADS, encoding="utf-8"):
    opened = table(text, encoding) if isinstance(text, str) else evidence.open_table(text, BIG)
    recognition = evidence.recognise(opened.header, kind)
    return evidence.read(opened, kind, recognition.columns, recognition.source)


def hours(*args):
    """Hours since the start of year 1, as the module counts them."""
    moment = datetime.datetime(*args)
    return moment.toordinal() * 24 + moment.hour + moment.minute / 60 + moment.second / 3600


# --- Recognising exports --------------------------------------------------------------------


def test_hubspot_contacts_export_is_recognised_with_every_field():
    header, _rows = demo_export.leads(1)
    recognition = evidence.recognise(header, LEADS)
    assert recognition.source == evidence.HUBSPOT and recognition.complete
    position = {name: index for index, name in enumerate(header)}
    assert recognition.columns == {
        "created": [position["Create Date"]],
        "qualified": [position["Became a Marketing Qualified Lead Date"]],
        "accepted": [position["Became a Sales Qualified Lead Date"]],
        "first_activity": [position["Date of first engagement"]],
        "activities": [position["Number of Sales Activities"]],
        "last_activity": [position["Last Contacted"]],
        "stage": [position["Lifecycle Stage"]],
        "status": [position["Lead Status"]],
        "reason": [position["Disqualification Reason"]],
        "won": [position["Became a Customer Date"]],
    }
    # Names, addresses and phones feed no field.
    used = {i for indexes in recognition.columns.values() for i in indexes}
    assert not used & {position[n] for n in ("First Name", "Last Name", "Email", "Phone Number")}


def test_salesforce_leads_report_is_recognised_and_its_status_stands_for_the_stage():
    header, _rows = demo_export.leads(1, source=evidence.SALESFORCE)
    recognition = evidence.recognise(header, LEADS)
    position = {name: index for index, name in enumerate(header)}
    assert recognition.source == evidence.SALESFORCE
    assert recognition.columns["first_activity"] == [
        position["First Call Date/Time"],
        position["First Email Date/Time"],
    ]
    assert (
        recognition.columns["stage"] == recognition.columns["status"] == [position["Lead Status"]]
    )
    assert recognition.columns["converted"] == [position["Converted"]]
    assert recognition.columns["accepted"] == [position["Converted Date"]]


def test_salesforce_api_names_from_a_data_export_are_recognised():
    header = "Id LastName Email Status LeadSource CreatedDate IsConverted ConvertedDate"
    header = [*header.split(), "FirstCallDateTime", "FirstEmailDateTime", "LastActivityDate"]
    recognition = evidence.recognise(header, LEADS)
    assert recognition.source == evidence.SALESFORCE
    assert recognition.columns["created"] == [5]
    assert recognition.columns["converted"] == [6]
    assert recognition.columns["first_activity"] == [8, 9]
    assert recognition.columns["last_activity"] == [10]


@pytest.mark.parametrize(
    "source, expected",
    [(evidence.HUBSPOT, evidence.HUBSPOT), (evidence.SALESFORCE, evidence.SALESFORCE)],
)
def test_deal_and_opportunity_exports_are_recognised(source, expected):
    header, _rows = demo_export.deals(1, source=source)
    recognition = evidence.recognise(header, DEALS)
    assert recognition.source == expected and recognition.complete
    assert set(recognition.columns) == {"created", "closed", "deal_stage", "amount", "source"}


def test_report_prefixes_and_spanish_names_are_recognised():
    recognition = evidence.recognise(
        ["Lead: Created Date", "Etapa del ciclo de vida", "Estado del lead"], LEADS
    )
    assert recognition.columns == {"created": [0], "stage": [1], "status": [2]}


def test_an_unknown_export_lacks_its_required_columns():
    recognition = evidence.recognise(["Name", "When", "Funnel"], LEADS)
    assert not recognition.complete and recognition.missing == ["created"]
    assert evidence.recognise(["Deal", "Value"], DEALS).missing == ["source"]


def test_a_remembered_mapping_finds_its_columns_again_by_name():
    mapping = {"created": "When", "stage": "Funnel", "status": "Gone column", "nonsense": "X"}
    recognition = evidence.apply_mapping(["Name", "funnel ", "WHEN"], mapping, LEADS)
    assert recognition.complete
    assert recognition.columns == {"created": [2], "stage": [1]}


# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-03-14", (2025, 3, 14)),
        ("2025-03-14 09:30", (2025, 3, 14, 9, 30)),
        ("2025-03-14T09:30:05.123Z", (2025, 3, 14, 9, 30, 5)),
        ("2025-03-14T10:30:00+01:00", (2025, 3, 14, 9, 30)),
        ("2025/03/14", (2025, 3, 14)),
        ("03/14/2025", (2025, 3, 14)),
        ("3/14/2025, 9:30 PM", (2025, 3, 14, 21, 30)),
        ("3/14/25 12:05 am", (2025, 3, 14, 0, 5)),
        ("14/03/2025 09:30", (2025, 3, 14, 9, 30)),
        ("14.03.2025", (2025, 3, 14)),
        ("14-03-2025", (2025, 3, 14)),
        ("14/03/2025 9:30 p. m.", (2025, 3, 14, 21, 30)),
        ("Mar 14, 2025", (2025, 3, 14)),
        ("March 14th, 2025 9:30 AM", (2025, 3, 14, 9, 30)),
        ("14 Mar 2025", (2025, 3, 14)),
        ("14-mar-2025", (2025, 3, 14)),
        ("14 de marzo de 2025", (2025, 3, 14)),
        ("14 mar. 2025 21:30", (2025, 3, 14, 21, 30)),
        ("martes, 14 de marzo de 2025", (2025, 3, 14)),
        ("Tuesday, March 14, 2025", (2025, 3, 14)),
        ("1 ene 2025", (2025, 1, 1)),
        ("5 sept. 2025", (2025, 9, 5)),
        ("5 de septiembre de 2025 8:00", (2025, 9, 5, 8, 0)),
        ("  dic 24, 2025  ", (2025, 12, 24)),
        ("05/05/2025", (2025, 5, 5)),
    ],
)
def test_dates_in_the_formats_the_tools_write(text, expected):
    assert evidence.parse_date(text) == pytest.approx(hours(*expected))


@pytest.mark.parametrize("text", ["", " ", "-", "N/A", "null", "(blank)", "#N/A", None])
def test_empty_cells_are_no_date(text):
    assert evidence.parse_date(text) is None


@pytest.mark.parametrize(
    "text",
    ["tomorrow", "2025-02-30", "31/31/2025", "13/13/2025", "2025-03-14 25:00", "=TODAY()",
     "14 foo 2025", "12/03/1850", "3/14/2025 13:00 PM", True],
)  # fmt: skip
def test_values_that_are_not_dates_are_unreadable(text):
    assert evidence.parse_date(text) == evidence.UNREADABLE


def test_spreadsheet_dates_and_serial_numbers():
    assert evidence.parse_date(datetime.datetime(2025, 3, 14, 9, 30)) == hours(2025, 3, 14, 9, 30)
    assert evidence.parse_date(datetime.date(2025, 3, 14)) == hours(2025, 3, 14)
    assert evidence.parse_date(45730) == hours(2025, 3, 14)


def test_a_date_both_of_whose_numbers_could_be_the_month_waits_for_its_column():
    assert isinstance(evidence.parse_date("03/04/2025"), evidence.Ambiguous)


def column_of(*values):
    column = evidence.DateColumn("Create Date")
    read = [column.read(value, row) for row, value in enumerate(values, start=2)]
    return column, read


def test_a_day_above_twelve_settles_the_column_day_first_for_the_values_after_it():
    column, read = column_of("13/03/2025", "03/04/2025")
    assert column.order == evidence.DAY_FIRST
    assert read[1] == hours(2025, 4, 3)


def test_a_month_first_column_is_learnt_from_its_values():
    column, read = column_of("03/04/2025", "03/13/2025")
    assert isinstance(read[0], evidence.Ambiguous)
    assert column.order == evidence.MONTH_FIRST
    assert column.settle(read[0], 2) == hours(2025, 3, 4)


def test_a_column_that_mixes_day_first_and_month_first_is_refused():
    column, _read = column_of("13/03/2025", "03/13/2025")
    with pytest.raises(ReadError) as error:
        column.check()
    assert error.value.code == "mixed-date-order"
    assert "“Create Date”" in error.value.message


def test_a_few_unreadable_dates_are_tolerated_more_are_refused_with_the_first_row():
    values = ["2025-03-14"] * 199 + ["soon"]
    column, _ = column_of(*values)
    column.check()  # 1 in 200: tolerated, counted as empty
    column, _ = column_of("2025-03-14", "soon", "later", *["2025-03-15"] * 50)
    with pytest.raises(ReadError) as error:
        column.check()
    assert error.value.params == {"column": "Create Date", "count": 2, "row": 3}


def test_when_no_value_tells_day_from_month_the_order_is_guessed_and_said():
    result = read("Create Date,Lifecycle Stage\n03/04/2025,lead\n05/06/2025,lead\n")
    assert (result.date_order, result.date_order_guessed) == (evidence.MONTH_FIRST, True)
    assert result.period == (datetime.date(2025, 3, 4), datetime.date(2025, 5, 6))
    code, params = result.notes()[0]
    assert "either way" in evidence.note_message(code, params)
    spanish = read("Fecha de creación,Etapa del ciclo de vida\n03/04/2025,x\n05/06/2025,x\n")
    assert spanish.period == (datetime.date(2025, 4, 3), datetime.date(2025, 6, 5))
    # Another column's proof decides for a column that could go either way.
    both = read(
        "Create Date,Became a Marketing Qualified Lead Date\n03/04/2025,13/04/2025\n"
        "05/06/2025,05/06/2025\n"
    )
    assert (both.date_order, both.date_order_guessed) == (evidence.DAY_FIRST, False)
    assert both.period == (datetime.date(2025, 4, 3), datetime.date(2025, 6, 5))


def test_progress_is_reported_as_the_rows_go_by():
    header, rows = demo_export.leads(120, seed=1)
    opened = evidence.open_table(demo_export.to_csv(header, rows), BIG)
    recognition = evidence.recognise(opened.header, LEADS)
    seen = []
    original, evidence.PROGRESS_EVERY = evidence.PROGRESS_EVERY, 50
    try:
        evidence.read(opened, LEADS, recognition.columns, progress=lambda *a: seen.append(a))
    finally:
        evidence.PROGRESS_EVERY = original
    assert [rows for rows, _ in seen] == [50, 100, 120]
    fractions = [fraction for _, fraction in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


DATE_STYLES = {
    "iso": lambda m: m.strftime("%Y-%m-%d %H:%M"),
    "iso-utc": lambda m: m.strftime("%Y-%m-%dT%H:%M:00.000Z"),
    "us": lambda m: f"{m.month}/{m.day}/{m.year} {(m.hour % 12) or 12}:{m:%M} {m:%p}",
    "eu": lambda m: m.strftime("%d/%m/%Y %H:%M"),
    "en-named": lambda m: f"{m:%b} {m.day}, {m.year} {(m.hour % 12) or 12}:{m:%M} {m:%p}",
    "es-named": lambda m: (
        f"{m.day} de {demo_export.SPANISH_MONTHS[m.month - 1]} de {m.year} {m:%H:%M}"
    ),
    "es-short": lambda m: f"{m.day}-{demo_export.SPANISH_MONTHS[m.month - 1]}-{m.year} {m:%H:%M}",
}
moments = st.datetimes(
    min_value=datetime.datetime(1971, 1, 1), max_value=datetime.datetime(2099, 12, 31)
).map(lambda m: m.replace(second=0, microsecond=0))


@given(moment=moments, style=st.sampled_from(sorted(DATE_STYLES)))
def test_dates_written_in_any_style_read_back_to_the_same_minute(moment, style):
    text = DATE_STYLES[style](moment)
    column = evidence.DateColumn("d")
    # A value that settles the column's order first, as a real export's rows would.
    column.read("13/01/2020" if style == "eu" else "01/13/2020", 1)
    if style == "iso" or style.endswith("named") or style in ("iso-utc", "es-short"):
        column = evidence.DateColumn("d")
    assert column.read(text, 2) == pytest.approx(hours(moment.year, moment.month, moment.day,
                                                       moment.hour, moment.minute))  # fmt: skip


# --- Opening files: encodings, delimiters, workbooks ----------------------------------------

HEADER = "Create Date,Lifecycle Stage,Email\n"
SPANISH_HEADER = "Fecha de creación,Etapa del ciclo de vida,Email\n"
ROWS = "2025-03-14,lead,a@x.example\n2025-03-15,customer,b@x.example\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        ((HEADER + ROWS).encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + (HEADER + ROWS).encode("utf-8"), "utf-8-sig"),
        ((HEADER + ROWS).encode("utf-16"), "utf-16"),
        ((HEADER + ROWS).encode("utf-16-le"), "utf-16-le"),
        ((HEADER + ROWS).encode("utf-16-be"), "utf-16-be"),
        ((SPANISH_HEADER + ROWS).encode("cp1252"), "windows-1252"),
    ],
)  # fmt: skip
def test_encodings_are_detected(data, encoding):
    opened = evidence.open_table(data, BIG)
    assert opened.encoding == encoding
    assert opened.header[1] in ("Lifecycle Stage", "Etapa del ciclo de vida")
    recognition = evidence.recognise(opened.header, LEADS)
    result = evidence.read(opened, LEADS, recognition.columns)
    assert result.rows == 2 and result.measures["stage-set"].value == 1.0


def test_a_file_that_is_utf8_in_parts_only_is_refused():
    data = "Create Date,Lifecycle Stage\n2025-03-14,Fase ñ\n".encode() + b"2025-03-15,caf\xe9\n"
    with pytest.raises(ReadError) as error:
        evidence.open_table(data, BIG)
    assert error.value.code == "encoding"
    assert "UTF-8" in error.value.message


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" + bytes(range(256)) * 20, "not-a-table"),
        (b"%PDF-1.4\n" + bytes(range(1, 32)) * 200, "not-a-table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-excel"),
        (b"PK\x03\x04 not really a zip", "bad-xlsx"),
    ],
)
def test_files_that_are_not_exports_are_refused_with_a_reason(data, code):
    with pytest.raises(ReadError) as error:
        evidence.open_table(data, BIG)
    assert error.value.code == code
    assert error.value.message


@pytest.mark.parametrize(
    "text",
    [
        "Create Date;Lifecycle Stage\n14/03/2025;lead\n15/03/2025;customer\n",
        "Create Date\tLifecycle Stage\n2025-03-14\tlead\n2025-03-15\tcustomer\n",
        "sep=;\nCreate Date;Lifecycle Stage\n2025-03-14;lead\n2025-03-15;customer\n",
        "\r\n\r\nCreate Date,Lifecycle Stage\r\n2025-03-14,lead\r\n2025-03-15,customer\r\n",
        '"Create Date","Lifecycle Stage"\n"2025-03-14","lead, with\nline break"\n2025-03-15,x\n',
    ],
)
def test_delimiters_blank_lines_and_quoted_line_breaks(text):
    result = read(text)
    assert result.rows == 2
    assert result.period == (datetime.date(2025, 3, 14), datetime.date(2025, 3, 15))


def test_salesforce_footer_lines_are_left_out():
    text = (
        '"Lead Status","Created Date","Lead Source"\n'
        '"Open - Not Contacted","3/14/2025","Web"\n'
        '"Working - Contacted","3/15/2025","Web"\n'
        "\n"
        '"Confidential Information - Do Not Distribute"\n'
        '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\n'
    )
    result = read(text)
    assert result.rows == 2 and result.skipped == 2


def test_a_header_without_records_is_refused():
    with pytest.raises(ReadError) as error:
        read("Create Date,Lifecycle Stage\n\n")
    assert error.value.code == "no-records"


def test_a_file_without_the_required_column_is_refused():
    opened = table("Name,Stage\nx,y\n")
    with pytest.raises(ReadError) as error:
        evidence.read(opened, LEADS, {"stage": [1]})
    assert error.value.code == "missing-columns"
    assert "Date created" in error.value.message


def workbook(rows, formulas=()):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell, formula in formulas:
        sheet[cell] = formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_export_reads_like_the_same_csv():
    header, rows = demo_export.leads(400, seed=3)
    from_csv = read(demo_export.to_csv(header, rows))
    from_xlsx = read(demo_export.to_xlsx(header, rows))
    assert from_xlsx.rows == from_csv.rows == 400
    assert {k: m.as_json() for k, m in from_xlsx.measures.items()} == {
        k: m.as_json() for k, m in from_csv.measures.items()
    }


def test_xlsx_shared_strings_dates_and_formulas_read_as_text_never_calculated():
    rows = [["Create Date", "Lifecycle Stage", "Email"]]
    rows += [[datetime.datetime(2025, 3, 1 + i), "lead", f"p{i}@x.example"] for i in range(20)]
    data = workbook(rows, formulas=[("B3", '=HYPERLINK("http://x","y")'), ("C4", "=1+1")])
    opened = evidence.open_table(data, BIG)
    assert opened.header == ["Create Date", "Lifecycle Stage", "Email"]
    result = evidence.read(opened, LEADS, {"created": [0], "stage": [1]})
    assert result.formulas == 1  # the one in a column read; the e-mail column is never read
    assert result.measures["stage-set"].value == 1.0  # the formula is text, so the stage is set
    assert result.period == (datetime.date(2025, 3, 1), datetime.date(2025, 3, 20))


def test_a_formula_in_a_date_column_is_an_unreadable_date():
    rows = [["Create Date", "Lifecycle Stage"]]
    rows += [[datetime.datetime(2025, 3, 1), "lead"] for _ in range(20)]
    data = workbook(rows, formulas=[("A5", "=TODAY()")])
    with pytest.raises(ReadError) as error:
        evidence.read(evidence.open_table(data, BIG), LEADS, {"created": [0], "stage": [1]})
    assert error.value.code == "unreadable-dates" and error.value.params["row"] == 5


def test_a_workbook_in_the_1904_date_system():
    data = workbook([["Create Date", "Lifecycle Stage"], [datetime.datetime(2025, 3, 14), "x"]])
    archive = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as copy:
        for part in archive.infolist():
            content = archive.read(part)
            if part.filename == "xl/workbook.xml":
                content = content.replace(b"<workbookPr", b'<workbookPr date1904="1"', 1)
            copy.writestr(part, content)
    opened = evidence.open_table(out.getvalue(), BIG)
    _number, row, _filled = next(opened.rows())
    # The stored serial counts from 1904 now: four years and a day later.
    assert row[0] == datetime.datetime(2029, 3, 15)


def zip_with(parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_expands():
    bomb = zip_with(
        {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"0" * 5_000_000}
    )
    assert len(bomb) < 50_000
    with pytest.raises(ReadError) as error:
        evidence.open_table(bomb, 2**20)
    assert error.value.code == "zip-bomb" and error.value.params == {"limit": 1}


def test_a_zip_that_is_not_a_workbook_is_refused():
    with pytest.raises(ReadError) as error:
        evidence.open_table(zip_with({"word/document.xml": b"<doc/>"}), BIG)
    assert error.value.code == "bad-xlsx"


def test_a_workbook_declaring_entities_is_refused():
    data = workbook([["Create Date"], ["2025-03-14"]])
    archive = zipfile.ZipFile(io.BytesIO(data))
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main"><si><t>&lol2;</t></si></sst>'
    )
    parts = {p.filename: archive.read(p) for p in archive.infolist()}
    parts["xl/sharedStrings.xml"] = laughs
    with pytest.raises(ReadError) as error:
        evidence.open_table(zip_with(parts), BIG)
    assert error.value.code == "bad-xlsx"


# --- Metrics on exact files -----------------------------------------------------------------

LEADS_CSV = """\
Create Date,Became a Marketing Qualified Lead Date,Date of first engagement,Number of Sales Activities,Lifecycle Stage,Lead Status,Disqualification Reason,Became a Sales Qualified Lead Date,Became a Customer Date,Email
2025-03-01 09:00,2025-03-01 10:00,2025-03-01 12:00,3,salesqualifiedlead,OPEN_DEAL,,2025-03-02,,a@x.example
2025-03-02 09:00,2025-03-02 10:00,2025-03-03 10:00,2,customer,,,2025-03-03,2025-03-20,b@x.example
2025-03-03 09:00,2025-03-03 10:00,2025-03-07 10:00,1,marketingqualifiedlead,UNQUALIFIED,No budget,,,c@x.example
2025-03-04 09:00,2025-03-04 10:00,,0,marketingqualifiedlead,UNQUALIFIED,,,,d@x.example
2025-03-05 09:00,2025-03-05 10:00,,0,,NEW,,,,e@x.example
2025-03-06 09:00,,,0,subscriber,,,,,f@x.example
2025-03-30 09:00,2025-03-30 10:00,,0,marketingqualifiedlead,NEW,,,,g@x.example
"""  # noqa: E501


def test_lead_metrics_from_an_exact_file():
    result = read(LEADS_CSV)
    measures = {key: (m.value, m.records, m.parts) for key, m in result.measures.items()}
    # Follow-up: 2 h, 24 h and 96 h for the three leads worked; the median is 24 h.
    assert measures["follow-up-hours"] == (24.0, 3, {"qualified": 6})
    # Never worked: d and e; g, qualified in the file's last week, counts neither way.
    assert measures["never-worked"] == (2 / 5, 5, {"never": 2, "recent": 1})
    # Decided: a and b accepted, c rejected with a reason; d rejected without one.
    assert measures["decided"] == (
        3 / 6,
        6,
        {"accepted": 2, "rejected_with_reason": 1, "rejected_without_reason": 1},
    )
    assert measures["stage-set"] == (6 / 7, 7, {"set": 6})
    assert measures["qualified-to-won"] == (1 / 6, 6, {"won": 1})
    assert result.period == (datetime.date(2025, 3, 1), datetime.date(2025, 3, 30))


def test_without_a_qualified_date_every_lead_counts_from_its_creation():
    text = "Created Date,First Call Date/Time,Lead Status\n"
    text += "3/1/2025 9:00 AM,3/1/2025 11:00 AM,Working - Contacted\n"
    text += "3/2/2025 9:00 AM,3/2/2025 3:00 PM,Working - Contacted\n"
    result = read(text)
    assert result.measures["follow-up-hours"].value == 4.0
    assert result.measures["qualified-to-won"].missing  # a Salesforce status never says customer


def test_missing_columns_leave_their_metrics_without_data_and_say_which():
    result = read("Create Date,Lifecycle Stage\n2025-03-01,lead\n2025-03-02,lead\n")
    assert result.measures["follow-up-hours"].missing == ("first_activity",)
    assert result.measures["never-worked"].value is None
    assert result.measures["stage-set"].value == 1.0


def test_deal_metrics_and_amounts_in_either_convention():
    text = (
        "Deal Stage;Amount;Create Date;Original Traffic Source\n"
        "Closed Won;1.234,50;14/03/2025;ORGANIC_SEARCH\n"
        "Proposal;€ 2.000;15/03/2025;OFFLINE\n"
        "Closed Lost;766,50;16/03/2025;Paid Search\n"
        "Proposal;500;17/03/2025;\n"
    )
    result = read(text, DEALS)
    assert result.measures["source-set"].value == 3 / 4
    marketing = result.measures["marketing-sourced"]
    assert marketing.records == 3
    assert marketing.value == pytest.approx(2001 / 4001)


@pytest.mark.parametrize(
    "text, value",
    [
        ("1,234.56", 1234.56),
        ("1.234,56", 1234.56),
        ("$1,234", 1234),
        ("1 234,5", 1234.5),
        ("(500)", -500),
        ("-500", -500),
        ("12.5", 12.5),
        ("=1+1", None),
        ("@SUM(A1)", None),
        ("abc", None),
        ("", None),
    ],
)
def test_amounts(text, value):
    assert evidence.parse_amount(text) == value


# --- Properties of reading, on generated exports --------------------------------------------

lead_rows = st.lists(
    st.tuples(
        st.integers(0, 60 * 24 * 60),  # created, minutes into the period
        st.one_of(st.none(), st.integers(0, 48 * 60)),  # qualified after creation
        st.one_of(st.none(), st.integers(-120, 400 * 60)),  # first activity after qualifying
        st.sampled_from(["", "lead", "salesqualifiedlead", "customer"]),
        st.sampled_from(["", "NEW", "UNQUALIFIED", "OPEN_DEAL"]),
        st.booleans(),  # a reason recorded
    ),
    min_size=1,
    max_size=60,
)
START = datetime.datetime(2025, 1, 1, 8, 0)


def lead_csv(rows, style):
    lines = [
        "Create Date,Became a Marketing Qualified Lead Date,Date of first engagement,"
        "Lifecycle Stage,Lead Status,Disqualification Reason,Email"
    ]
    minute = datetime.timedelta(minutes=1)
    for n, (created, qualified, first, stage, status, reason) in enumerate(rows):
        created_at = START + created * minute
        qualified_at = created_at + qualified * minute if qualified is not None else None
        first_at = qualified_at + first * minute if first is not None and qualified_at else None
        cells = [created_at, qualified_at, first_at]
        dates = [demo_export.cell_text(c, style) for c in cells]
        lines.append(",".join([*dates, stage, status, "why" if reason else "", f"p{n}@x.example"]))
    return "\n".join(lines) + "\n"


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(rows=lead_rows, style=st.sampled_from(["iso", "us", "eu", "es"]))
def test_metrics_match_a_direct_count_of_the_generated_rows(rows, style):
    result = read(lead_csv(rows, style))
    # Where no value of the file tells day from month, the order is a guess, and says so.
    written = {"us": evidence.MONTH_FIRST, "eu": evidence.DAY_FIRST}.get(style)
    assume(not result.date_order_guessed or result.date_order == written)
    qualified = [r for r in rows if r[1] is not None]
    worked = [r for r in qualified if r[2] is not None]
    follow = result.measures["follow-up-hours"]
    assert follow.records == len(worked)
    if worked:
        assert follow.value == pytest.approx(statistics.median(max(0, r[2]) / 60 for r in worked))
    decided = sum(
        1
        for r in qualified
        if r[3] in ("salesqualifiedlead", "customer")
        or r[4] == "OPEN_DEAL"
        or (r[4] == "UNQUALIFIED" and r[5])
    )
    assert result.measures["decided"].records == len(qualified)
    if qualified:
        assert result.measures["decided"].value == pytest.approx(decided / len(qualified))
    assert result.measures["stage-set"].value == pytest.approx(
        sum(1 for r in rows if r[3]) / len(rows)
    )


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(rows=lead_rows, seed=st.integers(0, 1000), style=st.sampled_from(["us", "eu"]))
def test_the_order_of_the_rows_changes_nothing(rows, seed, style):
    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    first, second = read(lead_csv(rows, style)), read(lead_csv(shuffled, style))
    assert first.period == second.period
    for key, measure in first.measures.items():
        other = second.measures[key]
        assert (measure.records, measure.parts) == (other.records, other.parts)
        assert measure.value == pytest.approx(other.value)


# --- Verdicts -------------------------------------------------------------------------------

FOLLOW_UP = evidence.METRICS["follow-up-hours"]
DECIDED = evidence.METRICS["decided"]
RULE_HOURS = Rule(24, 72, 30)
RULE_SHARE = Rule(80, 40, 30)
IN_PLACE_TEAM, PARTLY_TEAM, MISSING_TEAM = 0.9, 0.5, 0.1


@pytest.mark.parametrize(
    "metric, value, rule, team, verdict, data",
    [
        # Follow-up hours: lower is better; the team's answer in its three bands.
        (FOLLOW_UP, 10, RULE_HOURS, IN_PLACE_TEAM, CORROBORATES, "in-place"),
        (FOLLOW_UP, 24, RULE_HOURS, IN_PLACE_TEAM, CORROBORATES, "in-place"),
        (FOLLOW_UP, 24.05, RULE_HOURS, IN_PLACE_TEAM, CORROBORATES, "in-place"),  # shown 24.0
        (FOLLOW_UP, 24.1, RULE_HOURS, IN_PLACE_TEAM, CONTRADICTS, "partly"),
        (FOLLOW_UP, 90, RULE_HOURS, IN_PLACE_TEAM, CONTRADICTS, "missing"),
        (FOLLOW_UP, 72, RULE_HOURS, MISSING_TEAM, CORROBORATES, "missing"),
        (FOLLOW_UP, 10, RULE_HOURS, MISSING_TEAM, CONTRADICTS, "in-place"),
        (FOLLOW_UP, 50, RULE_HOURS, PARTLY_TEAM, CORROBORATES, "partly"),
        # Shares: higher is better, read on the whole percent the page shows.
        (DECIDED, 0.80, RULE_SHARE, IN_PLACE_TEAM, CORROBORATES, "in-place"),
        (DECIDED, 0.7999, RULE_SHARE, IN_PLACE_TEAM, CONTRADICTS, "partly"),
        (DECIDED, 0.40, RULE_SHARE, MISSING_TEAM, CORROBORATES, "missing"),
        (DECIDED, 0.41, RULE_SHARE, PARTLY_TEAM, CORROBORATES, "partly"),
    ],
)
def test_verdicts(metric, value, rule, team, verdict, data):
    judgement = judge(metric, "strategic.lead-definition", Measure(value, 100), rule, team)
    assert (judgement.verdict, judgement.data) == (verdict, data)


def test_no_verdict_without_enough_records_a_column_an_answer_or_a_visible_round():
    measure = Measure(10.0, 29)
    assert judge(FOLLOW_UP, "k", measure, RULE_HOURS, 0.9).reason == evidence.TOO_FEW
    missing = Measure(None, 0, missing=("first_activity",))
    judgement = judge(FOLLOW_UP, "k", missing, RULE_HOURS, 0.9)
    assert judgement.reason == evidence.NO_COLUMN
    assert "Date of the first sales activity" in judgement.reason_label
    enough = Measure(10.0, 30)
    hidden = judge(FOLLOW_UP, "k", enough, RULE_HOURS, 0.9, visible=False)
    assert (hidden.verdict, hidden.reason, hidden.team_score) == (NO_DATA, evidence.HIDDEN, None)
    assert hidden.data == "in-place"  # the data itself is the organization's to see
    unknown = judge(FOLLOW_UP, "k", enough, RULE_HOURS, None)
    assert unknown.reason == evidence.NO_ANSWER
    assert judge(FOLLOW_UP, "k", enough, None, 0.9).reason == evidence.NO_RULE


values = st.floats(min_value=0, max_value=500, allow_nan=False)
shares = st.floats(min_value=0, max_value=1, allow_nan=False)
teams = st.floats(min_value=0, max_value=1, allow_nan=False)
rules = st.tuples(st.integers(0, 100), st.integers(0, 100), st.integers(1, 200)).filter(
    lambda t: t[0] != t[1]
)


@given(low=values, high=values, team=teams)
def test_a_quicker_follow_up_never_turns_a_corroborated_in_place_answer_into_a_contradiction(
    low, high, team
):
    better, worse = min(low, high), max(low, high)
    team_in_place = 0.75 + team * 0.25
    at_worse = judge(FOLLOW_UP, "k", Measure(worse, 100), RULE_HOURS, team_in_place).verdict
    at_better = judge(FOLLOW_UP, "k", Measure(better, 100), RULE_HOURS, team_in_place).verdict
    if at_worse == CORROBORATES:
        assert at_better == CORROBORATES
    team_missing = team * 0.32
    at_worse = judge(FOLLOW_UP, "k", Measure(worse, 100), RULE_HOURS, team_missing).verdict
    at_better = judge(FOLLOW_UP, "k", Measure(better, 100), RULE_HOURS, team_missing).verdict
    if at_better == CORROBORATES:
        assert at_worse == CORROBORATES


@given(low=shares, high=shares, team=teams, thresholds=rules)
def test_verdicts_are_monotone_in_a_share_for_teams_at_either_end(low, high, team, thresholds):
    in_place, missing = max(thresholds[:2]), min(thresholds[:2])
    rule = Rule(in_place, missing, thresholds[2])
    worse, better = min(low, high), max(low, high)
    for score, keeps in ((0.75 + team * 0.25, "better"), (team * 0.32, "worse")):
        at_worse = judge(DECIDED, "k", Measure(worse, 1000), rule, score).verdict
        at_better = judge(DECIDED, "k", Measure(better, 1000), rule, score).verdict
        if keeps == "better" and at_worse == CORROBORATES:
            assert at_better == CORROBORATES
        if keeps == "worse" and at_better == CORROBORATES:
            assert at_worse == CORROBORATES


@given(value=shares, team=teams, records=st.integers(0, 500), thresholds=rules)
def test_no_verdict_below_the_fewest_records_and_always_one_above(value, team, records, thresholds):
    rule = Rule(max(thresholds[:2]), min(thresholds[:2]), thresholds[2])
    judgement = judge(DECIDED, "k", Measure(value, records), rule, team)
    if records < rule.min_records:
        assert judgement.verdict == NO_DATA and judgement.reason == evidence.TOO_FEW
    else:
        assert judgement.verdict in (CORROBORATES, CONTRADICTS)
        same = judgement.data == judgement.team
        assert judgement.verdict == (CORROBORATES if same else CONTRADICTS)


def test_figures_read_as_the_pages_show_them():
    assert evidence.display(FOLLOW_UP, 52.39) == "52.3 h"
    assert evidence.display(DECIDED, 0.749) == "74%"
    assert evidence.display(DECIDED, None) == "–"


# --- The generated exports the demo and the benchmark use ------------------------------------


@pytest.mark.parametrize("source", [evidence.HUBSPOT, evidence.SALESFORCE])
@pytest.mark.parametrize("style", ["iso", "us", "eu", "es"])
def test_generated_exports_show_the_profile_they_were_made_with(source, style):
    profile = demo_export.Profile(follow_up_hours=90, never_worked=0.3)
    header, rows = demo_export.leads(600, seed=7, profile=profile, source=source)
    result = read(demo_export.to_csv(header, rows, style))
    assert 75 < result.measures["follow-up-hours"].value < 105
    assert 0.24 < result.measures["never-worked"].value < 0.36
    assert result.date_order in (None, "mdy" if style == "us" else "dmy")


def test_a_cell_beyond_excels_last_column_is_a_damaged_sheet():
    data = workbook([["Create Date", "Lifecycle Stage"], ["2025-03-14", "lead"]])
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = {p.filename: archive.read(p) for p in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'r="B2"', b'r="ZZZZZZZZ2"', 1)
    opened = evidence.open_table(zip_with(parts), BIG)
    with pytest.raises(ReadError) as error:
        list(opened.rows())
    assert error.value.code == "bad-xlsx"


@pytest.mark.parametrize("offset", [5, 40, 120])
def test_a_workbook_damaged_inside_its_compressed_sheet_is_refused(offset):
    rows = [["Create Date", "Lifecycle Stage"]] + [["2025-03-14", f"stage {n}"] for n in range(300)]
    data = bytearray(workbook(rows))
    start = data.index(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    data[start + offset : start + offset + 16] = b"\xff\x00" * 8
    with pytest.raises(ReadError) as error:
        opened = evidence.open_table(bytes(data), BIG)
        list(opened.rows())
    assert error.value.code == "bad-xlsx"


def test_cells_of_columns_not_read_still_make_a_row_a_record():
    rows = [["Create Date", "Email", "Lifecycle Stage", "Phone"]]
    rows += [[datetime.datetime(2025, 3, 1 + n), f"p{n}@x.example", None, None] for n in range(9)]
    rows += [[None, "lonely@x.example", None, None], [None, None, None, "+34 600"]]
    result = evidence.read(
        evidence.open_table(workbook(rows), BIG), LEADS, {"created": [0], "stage": [2]}
    )
    # Nine rows hold a date and an address: records with no stage. The last two hold one value.
    assert (result.rows, result.skipped) == (9, 2)
    assert result.measures["stage-set"].value == 0.0


def _rules(**overrides):
    rules = {
        key: evidence.Rule(*values)
        for key, values in DEFAULT_RULES.items()
        if values[0] is not None
    }
    return {**rules, **overrides}


DEFAULT_RULES = {
    "follow-up-hours": (24, 72, 30),
    "never-worked": (10, 30, 30),
    "decided": (80, 40, 30),
    "stage-set": (95, 70, 30),
    "source-set": (90, 60, 30),
}


def test_contradicted_lists_each_indicator_with_the_metrics_that_deny_it():
    slow = evidence.Measure(90.0, 200)  # 90 hours to follow up: the practice is missing
    unworked = evidence.Measure(0.05, 200)  # 5% never worked: in place
    filled = evidence.Measure(0.5, 200)  # half the records with a stage: missing
    measures = {
        evidence.LEADS: {"follow-up-hours": slow, "never-worked": unworked, "stage-set": filled}
    }
    # The team says the lead definition and the workflow are in place, the dashboard missing.
    scores = {
        "strategic.lead-definition": 1.0,
        "operational.single-workflow": 1.0,
        "operational.shared-dashboard": 0.0,
    }
    assert evidence.contradicted(measures, scores, rules=_rules()) == {
        "strategic.lead-definition": ["follow-up-hours"],
        "operational.single-workflow": ["follow-up-hours"],
    }
    # Figures the reader may not see give no verdict, so nothing is contradicted.
    assert evidence.contradicted(measures, scores, visible=False, rules=_rules()) == {}
    # Too few records: no verdict either.
    few = {evidence.LEADS: {"follow-up-hours": evidence.Measure(90.0, 29)}}
    assert evidence.contradicted(few, scores, rules=_rules()) == {}
    # No deals export read: the deals' metrics say nothing.
    assert evidence.contradicted({}, scores, rules=_rules()) == {}


def test_every_indicator_a_metric_speaks_to_is_asked_by_every_questionnaire_version():
    from assessments import content

    keys = {key for metric in evidence.METRICS.values() for key in metric.indicators}
    assert keys <= set(content.load_continuum().indicators())
    for path in content.questionnaire_files():
        assert keys <= content.load_questionnaire(path).indicator_keys(), path.name
