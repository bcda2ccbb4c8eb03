"""Evidence beside opinion: what a CRM export says about the practices the team rated.

Pure: the bytes of an export in, plain data out; no model, no request, no file
system. It recognises the columns of HubSpot's and Salesforce's standard exports
(docs/evidence.md "Evidence beside opinion" lists them), reads their dates in the formats
those tools write in English and Spanish, computes the metrics from the rows as
they stream past, and judges each metric against the team's answer on the
indicator it speaks to. Only the aggregates leave this module: no name, address
or other cell of the file is kept, and nothing in the file is ever evaluated
(a formula cell is text like any other).
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import statistics
import unicodedata
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from xml.etree import ElementTree
from xml.parsers import expat

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import results, scoring

LEADS, DEALS = "leads", "deals"
CSV, XLSX = "csv", "xlsx"
HUBSPOT, SALESFORCE, OTHER = "hubspot", "salesforce", "other"
DAY_FIRST, MONTH_FIRST = "dmy", "mdy"

# A lead qualified this close to the last date in the file may simply not have
# been worked yet, so it counts neither way in "never worked".
RECENT = timedelta(days=7)
# A date column may hold a few stray values ("TBD"); more than this share of
# unreadable ones means the column is not read right, and nothing is stored.
MAX_UNREADABLE_SHARE = 0.01
# Rows read between two progress reports.
PROGRESS_EVERY = 5000


# ---------------------------------------------------------------------------
# Fields: what the metrics read, and the column names that carry each one.

DATE, TEXT, FLAG, NUMBER, AMOUNT = "date", "text", "flag", "number", "amount"


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    type: str
    label: str
    required: bool = False
    # Several columns may feed it (Salesforce's first call and first e-mail): the earliest wins.
    several: bool = False


FIELDS = (
    Field("created", LEADS, DATE, gettext_lazy("Date created"), required=True),
    Field("qualified", LEADS, DATE, gettext_lazy("Date it became a marketing-qualified lead")),
    Field("accepted", LEADS, DATE, gettext_lazy("Date sales accepted or converted it")),
    Field("converted", LEADS, FLAG, gettext_lazy("Converted by sales (yes or no)")),
    Field(
        "first_activity",
        LEADS,
        DATE,
        gettext_lazy("Date of the first sales activity"),
        several=True,
    ),
    Field("activities", LEADS, NUMBER, gettext_lazy("Number of sales activities")),
    Field("last_activity", LEADS, DATE, gettext_lazy("Date of the last sales activity")),
    Field("stage", LEADS, TEXT, gettext_lazy("Lifecycle stage")),
    Field("status", LEADS, TEXT, gettext_lazy("Lead status")),
    Field("reason", LEADS, TEXT, gettext_lazy("Reason recorded for rejecting it")),
    Field("won", LEADS, DATE, gettext_lazy("Date it became a customer")),
    Field("created", DEALS, DATE, gettext_lazy("Date created")),
    Field("closed", DEALS, DATE, gettext_lazy("Close date")),
    Field("deal_stage", DEALS, TEXT, gettext_lazy("Deal stage")),
    Field("amount", DEALS, AMOUNT, gettext_lazy("Amount")),
    Field("source", DEALS, TEXT, gettext_lazy("Source of the deal"), required=True),
)


def fields(kind: str) -> list[Field]:
    return [f for f in FIELDS if f.kind == kind]


def field_of(kind: str, key: str) -> Field:
    return next(f for f in FIELDS if f.kind == kind and f.key == key)


def norm(text: object) -> str:
    """Lower-case TEXT without accents, every run of other characters one space."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", bare).strip()


def _names(source, kind, pairs):
    return {(kind, norm(name)): (key, source, name) for name, key in pairs}


# Column names as the tools write them (see the README for where each comes
# from). Names both tools use carry no source; a Salesforce API name
# (CreatedDate) normalises to one word.
COLUMN_NAMES = {
    **_names(
        HUBSPOT,
        LEADS,
        [
            ("Create Date", "created"),
            ("Became a Marketing Qualified Lead Date", "qualified"),
            ('Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"', "qualified"),
            ("Became a Sales Qualified Lead Date", "accepted"),
            ('Date entered "Sales Qualified Lead (Lifecycle Stage Pipeline)"', "accepted"),
            ("Date of first engagement", "first_activity"),
            ("Date of first outreach", "first_activity"),
            ("Number of Sales Activities", "activities"),
            ("Last Contacted", "last_activity"),
            ("Lifecycle Stage", "stage"),
            ("Became a Customer Date", "won"),
            ('Date entered "Customer (Lifecycle Stage Pipeline)"', "won"),
        ],
    ),
    **_names(
        SALESFORCE,
        LEADS,
        [
            ("Created Date", "created"),
            ("CreatedDate", "created"),
            ("Converted Date", "accepted"),
            ("ConvertedDate", "accepted"),
            ("Converted", "converted"),
            ("IsConverted", "converted"),
            ("First Call Date/Time", "first_activity"),
            ("FirstCallDateTime", "first_activity"),
            ("First Email Date/Time", "first_activity"),
            ("FirstEmailDateTime", "first_activity"),
            ("Last Activity", "last_activity"),
            ("LastActivityDate", "last_activity"),
            ("Status", "status"),
        ],
    ),
    **_names(
        None,
        LEADS,
        [
            ("Lead Status", "status"),
            ("Rejection Reason", "reason"),
            ("Disqualification Reason", "reason"),
            ("Disqualified Reason", "reason"),
            ("Unqualified Reason", "reason"),
            ("Reason Unqualified", "reason"),
            # Spanish names of the same columns.
            ("Fecha de creación", "created"),
            ("Etapa del ciclo de vida", "stage"),
            ("Estado del lead", "status"),
            ("Estado del prospecto", "status"),
            ("Motivo de rechazo", "reason"),
            ("Motivo de descalificación", "reason"),
        ],
    ),
    **_names(
        HUBSPOT,
        DEALS,
        [
            ("Create Date", "created"),
            ("Deal Stage", "deal_stage"),
            ("Original Source", "source"),
            ("Original Traffic Source", "source"),
            ("Original Source Type", "source"),
        ],
    ),
    **_names(
        SALESFORCE,
        DEALS,
        [
            ("Created Date", "created"),
            ("CreatedDate", "created"),
            ("CloseDate", "closed"),
            ("Stage", "deal_stage"),
            ("StageName", "deal_stage"),
            ("Lead Source", "source"),
            ("LeadSource", "source"),
            ("Opportunity Source", "source"),
        ],
    ),
    **_names(
        None,
        DEALS,
        [
            ("Close Date", "closed"),
            ("Amount", "amount"),
            ("Deal Source", "source"),
            ("Source", "source"),
            ("Fecha de creación", "created"),
            ("Fecha de cierre", "closed"),
            ("Etapa del negocio", "deal_stage"),
            ("Etapa", "deal_stage"),
            ("Importe", "amount"),
            ("Origen", "source"),
            ("Fuente original", "source"),
        ],
    ),
}
SPANISH_NAMES = {
    norm(n)
    for n in (
        "Fecha de creación",
        "Etapa del ciclo de vida",
        "Estado del lead",
        "Estado del prospecto",
        "Fecha de cierre",
        "Etapa del negocio",
        "Importe",
    )
}


def recognised_names(kind: str) -> list[tuple[Field, list[str]]]:
    """Each field of KIND with the column names recognised for it, as the tools write them."""
    names: dict[str, list[str]] = {}
    for (name_kind, _form), (key, _source, name) in COLUMN_NAMES.items():
        if name_kind == kind:
            names.setdefault(key, []).append(name)
    return [(spec, names.get(spec.key, [])) for spec in fields(kind)]


@dataclass(frozen=True)
class Recognition:
    """Which columns of a header feed which field, and what that says about the export."""

    source: str  # HUBSPOT, SALESFORCE or OTHER
    columns: dict[str, list[int]]
    missing: list[str]  # required fields not found

    @property
    def complete(self) -> bool:
        return not self.missing


def _column_key(name: str) -> list[str]:
    """The normalised forms a column name may be matched by: whole, and after a "Lead:" prefix."""
    whole = norm(name)
    forms = [whole]
    if ":" in str(name):
        forms.append(norm(str(name).rsplit(":", 1)[1]))
    return forms


def recognise(header: Sequence[str], kind: str) -> Recognition:
    """Match the HEADER's column names with the fields of KIND (LEADS or DEALS)."""
    columns: dict[str, list[int]] = {}
    votes = {HUBSPOT: 0, SALESFORCE: 0}
    for index, name in enumerate(header):
        for form in _column_key(name):
            found = COLUMN_NAMES.get((kind, form))
            if found is None:
                continue
            key, source, _name = found
            spec = field_of(kind, key)
            if key not in columns or spec.several:
                columns.setdefault(key, []).append(index)
                if source:
                    votes[source] += 1
            break
    source = OTHER
    if votes[HUBSPOT] != votes[SALESFORCE]:
        source = HUBSPOT if votes[HUBSPOT] > votes[SALESFORCE] else SALESFORCE
    if kind == LEADS and "stage" not in columns and "status" in columns and source == SALESFORCE:
        # A Salesforce lead's status is its place in the funnel.
        columns["stage"] = list(columns["status"])
    missing = [f.key for f in fields(kind) if f.required and f.key not in columns]
    return Recognition(source, columns, missing)


def apply_mapping(header: Sequence[str], mapping: Mapping[str, str], kind: str) -> Recognition:
    """Columns chosen by name (a remembered mapping) found again in HEADER."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(norm(name), index)
    columns = {}
    for key, name in mapping.items():
        if key in {f.key for f in fields(kind)} and norm(name) in positions:
            columns[key] = [positions[norm(name)]]
    missing = [f.key for f in fields(kind) if f.required and f.key not in columns]
    return Recognition(OTHER, columns, missing)


# ---------------------------------------------------------------------------
# Errors: a code and its figures are stored; the words come from message().


class ReadError(Exception):
    """The export cannot be read; CODE and PARAMS say why (see message())."""

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return error_message(self.code, self.params)


def error_message(code: str, params: Mapping) -> str:
    """What a person is told when an export cannot be read, in the active language."""
    formats = _("Dates are read as 2025-03-14, 14/03/2025, 03/14/2025, 14 Mar 2025 or 14 mar 2025.")
    if code == "too-large":
        return _(
            "The file is larger than %(limit)s MB, so it was not read. Export fewer months "
            "or fewer columns and upload it again."
        ) % {"limit": params.get("limit")}
    if code == "empty":
        return _("The file is empty: it has no header row or no rows below it.")
    if code == "not-a-table":
        return _(
            "This is not a CSV or XLSX export. Export the report from your CRM as CSV or "
            "Excel (.xlsx) and upload that file."
        )
    if code == "old-excel":
        return _("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")
    if code == "encoding":
        return _(
            "The file's characters are not in one known encoding (parts read as UTF-8, others "
            "not). Export it again as CSV UTF-8, or as .xlsx."
        )
    if code == "bad-xlsx":
        return _("The Excel file is damaged or is not a workbook. Export it again.")
    if code == "zip-bomb":
        return _(
            "The Excel file would expand to more than %(limit)s MB when opened, so it was not "
            "opened. Export fewer rows or columns, or export a CSV file."
        ) % {"limit": params.get("limit")}
    if code == "missing-columns":
        kind = params.get("kind", LEADS)
        labels = [str(f.label) for f in fields(kind) if f.key in params.get("fields", [])]
        return _("The file has no column for: %(fields)s.") % {"fields": ", ".join(labels)}
    if code == "unreadable-dates":
        return (
            ngettext(
                "In the column “%(column)s”, %(count)s value is not a date that can be read "
                "(row %(row)s).",
                "In the column “%(column)s”, %(count)s values are not dates that can be read "
                "(the first in row %(row)s).",
                params.get("count", 0),
            )
            % params
            + " "
            + formats
        )
    if code == "mixed-date-order":
        return (
            _(
                "In the column “%(column)s”, some dates put the day first and others the "
                "month first, so none can be trusted."
            )
            % params
            + " "
            + formats
        )
    if code == "too-many-columns":
        return _("The file has more than %(limit)s columns. Export only the columns you need.") % {
            "limit": params.get("limit")
        }
    if code == "no-records":
        return _("The file has a header row but no records below it.")
    if code == "gone":
        return _("The file was deleted before it could be read. Upload it again.")
    if code == "expired":
        return ngettext(
            "The columns were not chosen within %(minutes)s minute, so the file was deleted. "
            "Upload it again.",
            "The columns were not chosen within %(minutes)s minutes, so the file was deleted. "
            "Upload it again.",
            params.get("minutes", 0),
        ) % {"minutes": params.get("minutes", 0)}
    if code == "stalled":
        return _("The file waited too long to be read and was deleted. Upload it again.")
    return _("The file could not be read. Upload it again, or export it as CSV UTF-8.")


def note_message(code: str, params: Mapping) -> str:
    """A remark on an export that was read, in the active language."""
    if code == "formulas":
        return ngettext(
            "%(count)s cell held a formula; it was read as text and never calculated.",
            "%(count)s cells held formulas; they were read as text and never calculated.",
            params.get("count", 0),
        ) % {"count": params.get("count", 0)}
    if code == "qualified-from-created":
        return _(
            "The file has no marketing-qualified date, so every lead counts as qualified "
            "when it was created."
        )
    if code == "skipped":
        return ngettext(
            "%(count)s row had fewer than two values and was left out.",
            "%(count)s rows had fewer than two values and were left out.",
            params.get("count", 0),
        ) % {"count": params.get("count", 0)}
    if code == "date-order":
        order = _("day/month/year") if params.get("order") == DAY_FIRST else _("month/day/year")
        if params.get("guessed"):
            return _(
                "Every date could be read either way; they were read as %(order)s. "
                "If that is wrong, export the dates as 2025-03-14."
            ) % {"order": order}
        return _("Dates were read as %(order)s.") % {"order": order}
    return ""


# ---------------------------------------------------------------------------
# Opening a file: its format, encoding, size once opened, and header row.


def sniff(data: bytes) -> str:
    """Return CSV or XLSX for the bytes of an upload; ReadError for anything else."""
    if not data.strip(b" \t\r\n\x00"):
        raise ReadError("empty")
    if data[:4] == b"PK\x03\x04":
        return XLSX
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError("old-excel")
    return CSV


def check_workbook(data: bytes, max_bytes: int) -> None:
    """Refuse a workbook whose parts would expand beyond MAX_BYTES, before anything is expanded.

    The sizes come from the zip's central directory; Python's zipfile stops
    any part at its declared size, so a lie there cannot expand further.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ReadError("bad-xlsx") from error
    if len(parts) > 10_000 or sum(part.file_size for part in parts) > max_bytes:
        raise ReadError("zip-bomb", limit=max_bytes // 2**20)
    if "xl/workbook.xml" not in {part.filename for part in parts}:
        raise ReadError("bad-xlsx")


_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def decode(data: bytes) -> tuple[str, str]:
    """Return the text of a CSV file and the encoding it was in.

    UTF-8 (with or without its byte-order mark), UTF-16 (with a mark, or
    recognised by its zero bytes), then Windows-1252 (Latin-1 for the bytes it
    leaves undefined). A file that is UTF-8 in parts and not in others is
    refused: read either way, some of its names and values would be garbled.
    """
    for mark, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(mark):
            try:
                return _text(data.decode(encoding)), encoding
            except UnicodeDecodeError as error:
                raise ReadError("encoding") from error
    head = data[:4096]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        if max(even, odd) < len(head) // 4:
            raise ReadError("not-a-table")
        try:
            return _text(data.decode(encoding)), encoding
        except UnicodeDecodeError as error:
            raise ReadError("encoding") from error
    try:
        return _text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        if _MULTIBYTE.search(data):
            raise ReadError("encoding") from None
    try:
        return _text(data.decode("cp1252")), "windows-1252"
    except UnicodeDecodeError:
        return _text(data.decode("latin-1")), "latin-1"


def _text(text: str) -> str:
    controls = sum(1 for c in text[:65536] if c < " " and c not in "\t\r\n")
    if "\x00" in text or controls > 10:
        raise ReadError("not-a-table")
    return text


class Table:
    """An export opened for reading: its header and its rows, one at a time."""

    format: str
    encoding: str = ""
    header: list[str]

    def rows(self, wanted=None) -> Iterator[tuple[int, Sequence, int]]:
        """(row number, cells, how many cells hold a value) for each row not read yet."""
        raise NotImplementedError

    def fraction(self) -> float | None:
        return None

    def close(self) -> None:
        pass


class CsvTable(Table):
    format = CSV

    def __init__(self, data: bytes):
        text, self.encoding = decode(data)
        self.text = text.lstrip("\r\n")
        first = self._line(0)
        start = 0
        if first.lower().startswith("sep=") and len(first.strip()) >= 5:
            # Excel's hint line ("sep=;") names the delimiter.
            self.delimiter = first.strip()[4]
            start = len(first)
        else:
            counts = {d: first.count(d) for d in ",;\t|"}
            self.delimiter = max(counts, key=lambda d: (counts[d], d == ","))
        self._consumed = start
        self._reader = csv.reader(self._lines(start), delimiter=self.delimiter)
        self._number = 0
        self.header = []
        for _number, row, _filled in self.rows():
            if any(cell.strip() for cell in row):
                self.header = [cell.strip() for cell in row]
                break
        if not self.header:
            raise ReadError("empty")

    def _line(self, start):
        end = self.text.find("\n", start)
        return self.text[start:] if end == -1 else self.text[start : end + 1]

    def _lines(self, start):
        """The text's lines, split at newlines only (the csv reader joins quoted line breaks)."""
        text, length = self.text, len(self.text)
        while start < length:
            end = text.find("\n", start)
            end = length if end == -1 else end + 1
            self._consumed = end
            yield text[start:end]
            start = end

    def rows(self, wanted=None):
        try:
            for row in self._reader:
                self._number += 1
                filled = 0
                for cell in row:
                    if cell:
                        filled += 1
                        if filled > 1:
                            break
                yield self._number, row, filled
        except csv.Error as error:
            raise ReadError("not-a-table") from error

    def fraction(self):
        return self._consumed / len(self.text) if self.text else None


class XlsxTable(Table):
    """The first worksheet of a workbook, read as a stream of its XML.

    Not openpyxl: its read-only mode spends minutes on a 100,000-row sheet;
    blocks of rows parsed by ElementTree's C parser take seconds. A formula
    cell gives its formula as text ("=SUM(A1:A3)"), never its value; a part
    that declares a DTD or an entity is refused (no entity expansion bomb);
    dates are told from numbers by the cell's number format, as Excel does.
    """

    format = XLSX

    def __init__(self, data: bytes, max_bytes: int):
        check_workbook(data, max_bytes)
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        try:
            sheet, self.epoch = self._first_sheet()
            self.strings = self._shared_strings()
            self.dates = self._date_styles()
            self.size = self.archive.getinfo(sheet).file_size or 1
            self.stream = self.archive.open(sheet)
        except ReadError:
            self.archive.close()
            raise
        except DAMAGED as error:
            self.archive.close()
            raise ReadError("bad-xlsx") from error
        self._consumed = 0
        self._number = 0
        self._wanted = None
        self._columns: dict[str, int] = {}
        self._source = self._parse()
        self.header = []
        for _number, row, _filled in self.rows():
            if any(_cell_text(cell) for cell in row):
                self.header = [_cell_text(cell) for cell in row]
                break
        if not self.header:
            self.close()
            raise ReadError("empty")

    # The workbook's small parts, read whole (their sizes were checked).

    def _xml(self, name):
        text = self.archive.read(name)
        if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
            raise ReadError("bad-xlsx")
        return ElementTree.fromstring(text)

    def _first_sheet(self):
        workbook = self._xml("xl/workbook.xml")
        ns = _namespace(workbook)
        properties = workbook.find(f"{ns}workbookPr")
        date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
        first = workbook.find(f"{ns}sheets/{ns}sheet")
        relation = next(v for k, v in first.attrib.items() if k.endswith("}id"))
        links = self._xml("xl/_rels/workbook.xml.rels")
        target = next(r.get("Target") for r in links if r.get("Id") == relation)
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        return path, epoch

    def _shared_strings(self):
        if "xl/sharedStrings.xml" not in self.archive.namelist():
            return []
        strings: list[str] = []
        parts: list[str] = []
        depth = {"si": False, "t": False, "rPh": False}

        def start(name, _attrs):
            local = name.rpartition(":")[2]
            if local in depth:
                depth[local] = True
            if local == "si":
                parts.clear()

        def end(name):
            local = name.rpartition(":")[2]
            if local in depth:
                depth[local] = False
            if local == "si":
                strings.append("".join(parts))

        def text(data):
            # Phonetic runs (rPh) are a reading aid, not part of the value.
            if depth["t"] and not depth["rPh"]:
                parts.append(data)

        self._expat(self.archive.open("xl/sharedStrings.xml"), start, end, text)
        return strings

    def _date_styles(self):
        """The indexes of the cell styles whose number format shows a date or a time."""
        if "xl/styles.xml" not in self.archive.namelist():
            return frozenset()
        styles = self._xml("xl/styles.xml")
        ns = _namespace(styles)
        custom = {
            int(f.get("numFmtId")): f.get("formatCode", "")
            for f in styles.iterfind(f"{ns}numFmts/{ns}numFmt")
        }
        dates = set()
        for index, xf in enumerate(styles.iterfind(f"{ns}cellXfs/{ns}xf")):
            number = int(xf.get("numFmtId", 0))
            if number in BUILTIN_DATE_FORMATS or _is_date_format(custom.get(number, "")):
                dates.add(index)
        return frozenset(dates)

    @staticmethod
    def _expat(stream, start, end, text):
        """Parse a part with expat's callbacks; a DTD or an entity declaration is refused."""
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text

        def refuse(*_args):
            raise ReadError("bad-xlsx")

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        try:
            while block := stream.read(1 << 20):
                parser.Parse(block, False)
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise ReadError("bad-xlsx") from error
        finally:
            stream.close()

    # The sheet, streamed: blocks of whole rows parsed by ElementTree's C parser
    # (a Python call per element would cost ten times as much), then only the
    # cells of the columns read are looked at.

    def _parse(self):
        buffer = b""
        opening = closing = row_end = data_end = None
        while True:
            block = self.stream.read(1 << 20)
            self._consumed += len(block)
            buffer += block
            if opening is None:
                found = _SHEET_DATA.search(buffer)
                if found is None:
                    if block:
                        continue
                    return
                head = buffer[: found.start()]
                root = _WORKSHEET.search(head)
                if root is None or b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ReadError("bad-xlsx")
                prefix = self._prefix = found.group(1) or b""
                opening, closing = root.group(0), b"</" + prefix + b"worksheet>"
                row_end, data_end = b"</" + prefix + b"row>", b"</" + prefix + b"sheetData>"
                if found.group(2):  # <sheetData/>: no rows
                    return
                buffer = buffer[found.end() :]
            stop = buffer.find(data_end)
            if stop != -1:
                batch, buffer = buffer[:stop], b""
            else:
                cut = buffer.rfind(row_end)
                cut = -1 if cut == -1 else cut + len(row_end)
                batch, buffer = (buffer[:cut], buffer[cut:]) if cut != -1 else (b"", buffer)
            if batch.strip():
                yield from self._batch(opening, batch, closing)
            if stop != -1 or not block:
                return

    def _batch(self, opening, batch, closing):
        """The rows of a batch of whole rows: the cells not wanted cut out before parsing.

        Most of a sheet's XML is cells no metric reads (names, addresses); cutting
        them out by their reference halves the parser's work. How many cells of
        each row hold a value is counted before, so a row with only such cells
        still counts as a record. Cells the cut cannot place stay and are sorted
        out by reference (_row).
        """
        wanted = self._wanted
        cut = self._cutter(wanted)
        filled = None
        if cut is not None:
            prefix = self._prefix
            value, inline = b"<" + prefix + b"v>", b"<" + prefix + b"is>"
            # "<row" starts every row, empty ones too, and no text holds a bare "<".
            rows = batch.split(b"<" + prefix + b"row")[1:]
            filled = [row.count(value) + row.count(inline) for row in rows]
            batch = cut.sub(b"", batch)
        try:
            element = ElementTree.fromstring(opening + batch + closing)
        except ElementTree.ParseError as error:
            raise ReadError("bad-xlsx") from error
        if filled is not None and len(filled) != len(element):
            raise ReadError("bad-xlsx")
        for position, row in enumerate(element):
            cells, count = self._row(row, wanted)
            yield cells, count if filled is None else filled[position]

    def _cutter(self, wanted):
        """A pattern matching the cells of the columns not WANTED (None: keep every cell)."""
        if wanted is None:
            return None
        if wanted != getattr(self, "_cut_for", None):
            letters = b"|".join(sorted(_column_letters(i).encode() for i in wanted))
            self._cut = re.compile(
                rb"<(?:\w+:)?c r=\"(?!(?:" + letters + rb")\d)[A-Z]+\d+\"[^>]*?"
                rb"(?:/>|>.*?</(?:\w+:)?c>)",
                re.S,
            )
            self._cut_for = wanted
        return self._cut

    def _row(self, element, wanted):
        """A row's cells (None where empty or not wanted) and how many cells hold a value."""
        ns = element.tag[: element.tag.index("}") + 1] if element.tag[0] == "{" else ""
        if wanted is not None:
            cells = self._dense_row(element, wanted, ns)
            if cells is not None:
                # Cells with a value have a child (v, is or f); counted without a Python loop.
                return cells, sum(map(bool, map(len, element)))
        cells: list = []
        filled = 0
        columns = self._columns
        for position, cell in enumerate(element):
            if not len(cell):
                continue
            filled += 1
            ref = cell.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                index = columns.get(letters)
                if index is None:
                    index = columns[letters] = _column_index(letters)
            else:
                index = position
            if index > MAX_COLUMN:
                raise ReadError("bad-xlsx")
            if wanted is not None and index not in wanted:
                continue
            value = self._value(cell, ns)
            if value is None:
                continue
            if index >= len(cells):
                cells.extend([None] * (index - len(cells) + 1))
            cells[index] = value
        return cells, filled

    def _dense_row(self, element, wanted, ns):
        """The wanted cells of a row that has a cell for every column, found by position.

        Exports usually write every column of every row; a row that does not
        (its cells' references are not where their positions say) returns None
        and is read cell by cell.
        """
        size = len(element)
        cells = [None] * (max(wanted) + 1)
        for index in wanted:
            if index >= size:
                return None
            cell = element[index]
            ref = cell.get("r")
            if ref is not None and ref.rstrip("0123456789") != _column_letters(index):
                return None
            if len(cell):
                cells[index] = self._value(cell, ns)
        return cells

    def _value(self, cell, ns):
        """A cell's value: text, number, date or bool; a formula as its text, never its value."""
        formula = cell.find(ns + "f")
        if formula is not None:
            return "=" + (formula.text or "")
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(ns + "is")
            text = (
                "".join(t.text or "" for t in inline.iter(ns + "t")) if inline is not None else ""
            )
            return text or None
        found = cell.find(ns + "v")
        raw = found.text if found is not None else None
        if not raw:
            return None
        if kind == "s":
            return self.strings[int(raw)]
        if kind in ("str", "e", "d"):
            return raw
        if kind == "b":
            return raw == "1"
        number = float(raw)
        style = cell.get("s")
        if style and int(style) in self.dates:
            try:
                return self.epoch + timedelta(days=number)
            except OverflowError:
                return raw
        return int(number) if number.is_integer() else number

    def rows(self, wanted=None):
        """(row number, cells, how many cells hold a value) for each row not read yet.

        Only the cells of the WANTED columns are read (all when None).
        """
        self._wanted = None if wanted is None else frozenset(wanted)
        try:
            for cells, filled in self._source:
                self._number += 1
                yield self._number, cells, filled
        except DAMAGED as error:
            raise ReadError("bad-xlsx") from error

    def fraction(self):
        return min(1.0, self._consumed / self.size)

    def close(self):
        self.archive.close()


# What a damaged or forged workbook raises, from the zip, the inflater or the parsers.
DAMAGED = (
    KeyError,
    ValueError,
    IndexError,
    StopIteration,
    AttributeError,
    EOFError,
    OSError,
    zipfile.BadZipFile,
    zlib.error,
    ElementTree.ParseError,
    expat.ExpatError,
)
# Excel's last column (XFD); a cell beyond it is a damaged or forged sheet.
MAX_COLUMN = 16383
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_WORKSHEET = re.compile(rb"<(\w+:)?worksheet\b[^>]*>")


# Excel's built-in number formats that show a date or a time.
BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def _is_date_format(code: str) -> bool:
    """Whether a custom number format shows a date (d, m, y, h or s outside quotes and brackets)."""
    return bool(code) and bool(re.search(r"[dmyhs]", _FORMAT_NOISE.sub("", code.lower())))


def _namespace(element) -> str:
    return element.tag[: element.tag.index("}") + 1] if element.tag.startswith("{") else ""


@functools.cache
def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    return str(cell).strip()


def open_table(data: bytes, max_bytes: int) -> Table:
    """Open an upload's bytes as a Table (CSV or XLSX), or raise ReadError."""
    if sniff(data) == XLSX:
        return XlsxTable(data, max_bytes)
    return CsvTable(data)


# ---------------------------------------------------------------------------
# Dates, in the formats HubSpot and Salesforce write, English and Spanish.

MONTHS = {
    **{
        name: n
        for n, names in enumerate(
            [
                ("jan", "january", "ene", "enero"),
                ("feb", "february", "febrero"),
                ("mar", "march", "marzo"),
                ("apr", "april", "abr", "abril"),
                ("may", "mayo"),
                ("jun", "june", "junio"),
                ("jul", "july", "julio"),
                ("aug", "august", "ago", "agosto"),
                ("sep", "sept", "september", "set", "septiembre", "setiembre"),
                ("oct", "october", "octubre"),
                ("nov", "november", "noviembre"),
                ("dec", "december", "dic", "diciembre"),
            ],
            start=1,
        )
        for name in names
    },
}
WEEKDAYS = {
    "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs",
    "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday", "lun", "lunes", "mar",
    "martes", "mie", "miercoles", "jue", "jueves", "vie", "viernes", "sab", "sabado", "dom",
    "domingo",
}  # fmt: skip
EMPTY = {"", "-", "--", "—", "n/a", "na", "null", "none", "(blank)", "(vacio)", "(vacío)", "#n/a"}

_TIME = (
    r"(?:[t\s,]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<ampm>[ap])?(?:\.?\s?m\.?)?)?\s*(?P<tz>z|utc|gmt|[+-]\d{2}:?\d{2})?"
)
_ISO = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + r"$")
_NUMERIC = re.compile(r"(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})" + _TIME + r"$")
_DAY_NAMED = re.compile(
    r"(?P<d>\d{1,2})(?:\s+de)?[\s./-]*(?P<mon>[a-z]+)\.?(?:\s+de)?[\s./,-]*(?P<y>\d{4})"
    + _TIME
    + r"$"
)
_NAMED_DAY = re.compile(
    r"(?P<mon>[a-z]+)\.?[\s-]+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})" + _TIME + r"$"
)
_WEEKDAY = re.compile(r"([a-z]+)\.?(,?)\s+")

# What parse_date returns for a cell that is not a date.
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Ambiguous:
    """A numeric date both of whose first two numbers could be the month (03/04/2025)."""

    first: int
    second: int
    year: int
    seconds: int
    offset: int

    def hours(self, order: str) -> float | str:
        day, month = (self.first, self.second) if order == DAY_FIRST else (self.second, self.first)
        return _hours(self.year, month, day, self.seconds, self.offset)


def _hours(year, month, day, seconds=0, offset=0):
    """Hours since the start of year 1 (UTC when OFFSET, in minutes, is known); or UNREADABLE."""
    if not 1970 <= year <= 2100:
        return UNREADABLE
    try:
        ordinal = date(year, month, day).toordinal()
    except ValueError:
        return UNREADABLE
    return ordinal * 24 + (seconds - offset * 60) / 3600


def _clock(match) -> tuple[int, int] | None:
    """Seconds into the day and the offset from UTC in minutes, or None when impossible."""
    hour = match["h"]
    seconds = 0
    if hour is not None:
        h, minute, second = int(hour), int(match["mi"]), int(match["s"] or 0)
        if match["ampm"]:
            if not 1 <= h <= 12:
                return None
            h = h % 12 + (12 if match["ampm"] == "p" else 0)
        if h > 23 or minute > 59 or second > 59:
            return None
        seconds = h * 3600 + minute * 60 + second
    offset = 0
    zone = match["tz"]
    if zone and zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        offset = int(digits[:2]) * 60 + int(digits[2:])
        offset = -offset if zone[0] == "-" else offset
    return seconds, offset


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def parse_date(value) -> float | Ambiguous | str | None:
    """Read one cell as a point in time, in hours since the start of year 1.

    Returns None for an empty cell, UNREADABLE for one that is not a date, and
    an Ambiguous value for 03/04/2025 and the like, which the column's other
    values decide (DateColumn).
    """
    return _parse(value)[0]


def _parse(value) -> tuple[float | Ambiguous | str | None, str | None]:
    """parse_date's answer, and the order (DAY_FIRST, MONTH_FIRST) a numeric date proves."""
    if value.__class__ is str:
        return _parse_text(value)
    if value is None:
        return None, None
    if isinstance(value, datetime):
        offset = value.utcoffset()
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        minutes = int(offset.total_seconds() // 60) if offset else 0
        return _hours(value.year, value.month, value.day, seconds, minutes), None
    if isinstance(value, date):
        return _hours(value.year, value.month, value.day), None
    if isinstance(value, bool):
        return UNREADABLE, None
    if isinstance(value, int | float):
        # A spreadsheet date kept as a bare serial number (days since 30 December 1899).
        if 1 <= value < 2958466:
            return _parse(datetime(1899, 12, 30) + timedelta(days=float(value)))
        return UNREADABLE, None
    return _parse_text(str(value))


def _parse_text(value: str) -> tuple[float | Ambiguous | str | None, str | None]:
    text = value.strip().casefold()
    if text in EMPTY:
        return None, None
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    if text[0].isalpha():
        weekday = _WEEKDAY.match(text)
        # "mar" is Tuesday in Spanish and March in both: a weekday only before a comma.
        if weekday and weekday[1] in WEEKDAYS and (weekday[2] or weekday[1] not in MONTHS):
            text = text[weekday.end() :]
    match = _ISO.match(text) if text[4:5] in ("-", "/", ".") else None
    if match:
        clock = _clock(match)
        if clock is None:
            return UNREADABLE, None
        return _hours(int(match["y"]), int(match["m"]), int(match["d"]), *clock), None
    match = _NUMERIC.match(text)
    if match:
        clock = _clock(match)
        if clock is None:
            return UNREADABLE, None
        first, second, year = int(match["a"]), int(match["b"]), _year(match["y"])
        if (first > 12 and second > 12) or not 1970 <= year <= 2100:
            return UNREADABLE, None
        if first <= 12 and second <= 12:
            if first == second:
                return _hours(year, first, first, *clock), None
            return Ambiguous(first, second, year, *clock), None
        # One reading only: the number above 12 is the day, which proves the column's order.
        if first > 12:
            return _hours(year, second, first, *clock), DAY_FIRST
        return _hours(year, first, second, *clock), MONTH_FIRST
    for pattern in (_DAY_NAMED, _NAMED_DAY):
        match = pattern.match(text)
        if match and match["mon"] in MONTHS:
            clock = _clock(match)
            if clock is None:
                return UNREADABLE, None
            return _hours(int(match["y"]), MONTHS[match["mon"]], int(match["d"]), *clock), None
    return UNREADABLE, None


class DateColumn:
    """One date column: its values read as they come, its day/month order learnt from them."""

    def __init__(self, name: str):
        self.name = name
        self.order: str | None = None
        self.proofs = {DAY_FIRST: 0, MONTH_FIRST: 0}
        self.ambiguous = 0
        self.values = 0
        self.unreadable = 0
        self.first_unreadable: int | None = None

    def read(self, value, row: int):
        """The value in hours; None when empty or unreadable; an Ambiguous value to settle later."""
        parsed, proof = _parse(value)
        if parsed is None:
            return None
        self.values += 1
        if proof:
            self.proofs[proof] += 1
            if self.order is None:
                self.order = proof
            elif self.order != proof:
                # Day first and month first in one column: this value cannot be trusted.
                parsed = UNREADABLE
        if isinstance(parsed, Ambiguous):
            self.ambiguous += 1
            if self.order is None:
                return parsed
            parsed = parsed.hours(self.order)
        if parsed == UNREADABLE:
            self._unreadable(row)
            return None
        return parsed

    def settle(self, parsed: Ambiguous, row: int):
        """An Ambiguous value read once the column's order is known."""
        hours = parsed.hours(self.order)
        if hours == UNREADABLE:
            self._unreadable(row)
            return None
        return hours

    def _unreadable(self, row):
        self.unreadable += 1
        if self.first_unreadable is None:
            self.first_unreadable = row

    def check(self):
        """Raise ReadError when the column cannot be trusted; the caller stores nothing then."""
        if self.proofs[DAY_FIRST] and self.proofs[MONTH_FIRST]:
            raise ReadError("mixed-date-order", column=self.name)
        if self.unreadable and self.unreadable > MAX_UNREADABLE_SHARE * self.values:
            raise ReadError(
                "unreadable-dates",
                column=self.name,
                count=self.unreadable,
                row=self.first_unreadable,
            )


# ---------------------------------------------------------------------------
# Other cells: flags, counts, amounts and labels.

TRUE = {"1", "true", "yes", "y", "si", "x", "verdadero", "checked", "converted"}


def parse_flag(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return norm(value) in TRUE


def parse_number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return parse_amount(value)


_AMOUNT_JUNK = re.compile(r"[^\d.,\-]")


def parse_amount(value) -> float | None:
    """Read 1,234.56 / 1.234,56 / €1 234 / $1,234 as a number; None when it is not one.

    With both separators the last is the decimal mark; one separator followed
    by exactly three digits groups thousands (an amount with three decimals is
    rarer than one over a thousand).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if not text or text.startswith(("=", "@", "+")):
        return None
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = _AMOUNT_JUNK.sub("", text).lstrip("-")
    if not text or "-" in text:
        return None
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_mark == "," else ",", "").replace(decimal_mark, ".")
    elif "," in text or "." in text:
        mark = "," if "," in text else "."
        whole, _sep, tail = text.rpartition(mark)
        if text.count(mark) > 1 or len(tail) == 3:
            text = text.replace(mark, "")
        else:
            text = f"{whole}.{tail}"
    try:
        number = float(text)
    except ValueError:
        return None
    return -number if negative else number


# Labels compared after norm(). Stages and statuses as HubSpot and Salesforce
# name them by default (internal values and labels), and in Spanish.
ACCEPTED_STAGES = {
    norm(n)
    for n in (
        "salesqualifiedlead",
        "Sales Qualified Lead",
        "SQL",
        "opportunity",
        "customer",
        "evangelist",
        "Lead calificado para ventas",
        "Lead cualificado para ventas",
        "Oportunidad",
        "Cliente",
        "Promotor",
        "Evangelizador",
    )
}
CUSTOMER_STAGES = {norm(n) for n in ("customer", "evangelist", "Cliente", "Promotor")}
ACCEPTED_STATUSES = {
    norm(n)
    for n in (
        "OPEN_DEAL",
        "Open Deal",
        "Qualified",
        "Converted",
        "Closed - Converted",
        "Sales Accepted",
        "Accepted",
        "Negocio abierto",
        "Calificado",
        "Cualificado",
        "Aceptado",
        "Convertido",
        "Cerrado - Convertido",
    )
}
REJECTED_STATUSES = {
    norm(n)
    for n in (
        "UNQUALIFIED",
        "Unqualified",
        "Disqualified",
        "Rejected",
        "Not Qualified",
        "Closed - Not Converted",
        "No calificado",
        "No cualificado",
        "Descalificado",
        "Rechazado",
        "Cerrado - No convertido",
    )
}
# Sources that count as marketing's: HubSpot's original traffic sources (all
# but offline ones) and Salesforce's lead sources that marketing runs.
MARKETING_SOURCES = {
    norm(n)
    for n in (
        "ORGANIC_SEARCH",
        "PAID_SEARCH",
        "EMAIL_MARKETING",
        "SOCIAL_MEDIA",
        "Organic Social",
        "PAID_SOCIAL",
        "REFERRALS",
        "AI_REFERRALS",
        "AI Referrals",
        "OTHER_CAMPAIGNS",
        "DIRECT_TRAFFIC",
        "Web",
        "Website",
        "Advertisement",
        "Purchased List",
        "Webinar",
        "Seminar - Internal",
        "Seminar - Partner",
        "Trade Show",
        "Event",
        "Content",
        "Marketing",
        "Búsqueda orgánica",
        "Búsqueda de pago",
        "Marketing por correo electrónico",
        "Redes sociales",
        "Redes sociales orgánicas",
        "Redes sociales de pago",
        "Referencias",
        "Otras campañas",
        "Tráfico directo",
        "Sitio web",
        "Publicidad",
        "Lista comprada",
        "Seminario",
        "Feria",
        "Evento",
    )
}


# ---------------------------------------------------------------------------
# Metrics: what each one measures, which indicator it speaks to, and its rule.

HOURS, SHARE = "hours", "share"


@dataclass(frozen=True)
class Metric:
    key: str
    kind: str
    unit: str
    lower_is_better: bool
    indicators: tuple[str, ...]  # none: context only, no verdict
    label: str
    explanation: str


LEAD_DEFINITION = "strategic.lead-definition"
SINGLE_WORKFLOW = "operational.single-workflow"
SHARED_DASHBOARD = "operational.shared-dashboard"

METRICS = {
    m.key: m
    for m in (
        Metric(
            "follow-up-hours",
            LEADS,
            HOURS,
            True,
            (LEAD_DEFINITION, SINGLE_WORKFLOW),
            gettext_lazy("Follow-up time"),
            gettext_lazy(
                "Median hours from a lead becoming marketing-qualified to the first sales "
                "activity, over the qualified leads that were worked."
            ),
        ),
        Metric(
            "never-worked",
            LEADS,
            SHARE,
            True,
            (LEAD_DEFINITION, SINGLE_WORKFLOW),
            gettext_lazy("Qualified leads never worked"),
            gettext_lazy(
                "Share of marketing-qualified leads with no sales activity at all, leaving out "
                "those qualified in the file's last seven days."
            ),
        ),
        Metric(
            "decided",
            LEADS,
            SHARE,
            False,
            (LEAD_DEFINITION,),
            gettext_lazy("Qualified leads with a sales decision"),
            gettext_lazy(
                "Share of marketing-qualified leads that sales accepted, or rejected with a "
                "reason recorded."
            ),
        ),
        Metric(
            "stage-set",
            LEADS,
            SHARE,
            False,
            (SHARED_DASHBOARD,),
            gettext_lazy("Records with a lifecycle stage"),
            gettext_lazy("Share of lead records whose lifecycle stage (or status) is filled in."),
        ),
        Metric(
            "qualified-to-won",
            LEADS,
            SHARE,
            False,
            (),
            gettext_lazy("Qualified leads that became customers"),
            gettext_lazy("Share of marketing-qualified leads that became customers (context)."),
        ),
        Metric(
            "source-set",
            DEALS,
            SHARE,
            False,
            (SHARED_DASHBOARD,),
            gettext_lazy("Deals with a source"),
            gettext_lazy("Share of deals whose source is filled in."),
        ),
        Metric(
            "marketing-sourced",
            DEALS,
            SHARE,
            False,
            (),
            gettext_lazy("Marketing-sourced pipeline"),
            gettext_lazy(
                "Share of the amount of deals with a known source that came from marketing's "
                "sources (context)."
            ),
        ),
    )
}


@dataclass(frozen=True)
class Rule:
    """When a metric shows a practice in place or missing, and the records a verdict needs."""

    in_place: float | None  # at or better than this: in place (hours, or whole percent)
    missing: float | None  # at or worse than this: missing
    min_records: int


@dataclass(frozen=True)
class Measure:
    """A metric's value over the records it rests on (value None: nothing to measure)."""

    value: float | None
    records: int
    parts: dict = field(default_factory=dict)
    missing: tuple[str, ...] = ()  # the fields the file lacks for it

    def as_json(self) -> dict:
        return {
            "value": self.value,
            "records": self.records,
            "parts": self.parts,
            "missing": list(self.missing),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Measure:
        return cls(
            data.get("value"),
            int(data.get("records") or 0),
            dict(data.get("parts") or {}),
            tuple(data.get("missing") or ()),
        )


def shown(metric: Metric, value: float) -> Decimal | int:
    """The figure as pages show it: whole percent (cut), or hours cut to one decimal."""
    if metric.unit == SHARE:
        return scoring.percent(value)
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def display(metric: Metric, value: float | None) -> str:
    """The figure with its unit, in the active language: "52.3 h" or "74%"."""
    if value is None:
        return "–"
    figure = shown(metric, value)
    if metric.unit == SHARE:
        return f"{figure}%"
    return _("%(hours)s h") % {"hours": number_format(figure, 1)}


def data_status(metric: Metric, value: float, rule: Rule) -> str:
    """Read the metric's shown figure as results' statuses: in place, partly or missing."""
    figure = float(shown(metric, value))
    if metric.lower_is_better:
        if figure <= rule.in_place:
            return results.IN_PLACE
        return results.MISSING if figure >= rule.missing else results.PARTLY
    if figure >= rule.in_place:
        return results.IN_PLACE
    return results.MISSING if figure <= rule.missing else results.PARTLY


CORROBORATES, CONTRADICTS, NO_DATA = "corroborates", "contradicts", "no-data"
# Why a judgement has no verdict.
TOO_FEW, NO_COLUMN, NO_ANSWER, HIDDEN, NO_RULE = (
    "too-few",
    "no-column",
    "no-answer",
    "hidden",
    "no-rule",
)


@dataclass(frozen=True)
class Judgement:
    """One metric against the team's answer on one indicator."""

    metric: Metric
    indicator: str | None
    measure: Measure
    rule: Rule | None
    data: str | None  # the data's status (results.IN_PLACE, ...), None without a verdict
    team_score: float | None
    verdict: str
    reason: str | None = None  # why NO_DATA

    @property
    def figure(self) -> str:
        return display(self.metric, self.measure.value)

    @property
    def team(self) -> str | None:
        return None if self.team_score is None else results.status(self.team_score)

    @property
    def team_percent(self) -> int | None:
        return None if self.team_score is None else scoring.percent(self.team_score)

    @property
    def team_label(self) -> str | None:
        return None if self.team is None else results.status_labels()[self.team]

    @property
    def data_label(self) -> str | None:
        return None if self.data is None else results.status_labels()[self.data]

    @property
    def verdict_label(self) -> str:
        return verdict_labels()[self.verdict]

    @property
    def reason_label(self) -> str:
        return reason_text(self) if self.reason else ""


def judge(
    metric: Metric,
    indicator: str | None,
    measure: Measure | None,
    rule: Rule | None,
    team_score: float | None,
    visible: bool = True,
    answered: bool = True,
) -> Judgement:
    """The verdict of one metric on one indicator: corroborates, contradicts or no data.

    The data's status (its figure against the rule's thresholds) is compared
    with the team's (its mean answer read as results reads it): the same
    status corroborates, another contradicts. Fewer records than the rule asks
    give no verdict, and neither does an answer the viewer may not see
    (VISIBLE) or nobody gave (ANSWERED, TEAM_SCORE None).
    """
    measure = measure or Measure(None, 0, missing=("file",))

    def no_data(reason, data=None):
        return Judgement(metric, indicator, measure, rule, data, None, NO_DATA, reason)

    if measure.value is None and measure.missing:
        return no_data(NO_COLUMN)
    if rule is None:
        return no_data(NO_RULE)
    if not enough(measure, rule):
        return no_data(TOO_FEW)
    if rule.in_place is None or rule.missing is None:
        return no_data(NO_RULE)
    data = data_status(metric, measure.value, rule)
    if not visible:
        return no_data(HIDDEN, data)
    if not answered or team_score is None:
        return no_data(NO_ANSWER, data)
    verdict = CORROBORATES if results.status(team_score) == data else CONTRADICTS
    return Judgement(metric, indicator, measure, rule, data, team_score, verdict)


def judgements(
    measures: Mapping[str, Mapping[str, Measure]],
    indicator_scores: Mapping[str, float | None],
    visible: bool = True,
    *,
    rules: Mapping[str, Rule],
) -> list[Judgement]:
    """Every metric of the exports read judged (judge) on each indicator it speaks to.

    MEASURES holds, per kind of export read, its metrics' measures; the team's
    INDICATOR_SCORES are those the reader may see (VISIBLE). In METRICS' order.
    """
    found = []
    for metric in METRICS.values():
        if metric.kind not in measures:
            continue
        for key in metric.indicators:
            found.append(
                judge(
                    metric,
                    key,
                    measures[metric.kind].get(metric.key),
                    rules.get(metric.key),
                    indicator_scores.get(key),
                    visible=visible,
                    answered=key in indicator_scores,
                )
            )
    return found


def contradicted(
    measures: Mapping[str, Mapping[str, Measure]],
    indicator_scores: Mapping[str, float | None],
    visible: bool = True,
    *,
    rules: Mapping[str, Rule],
) -> dict[str, list[str]]:
    """The indicators the evidence contradicts: indicator key -> the metrics that contradict it.

    What the agenda ranks up, the portfolio flags and the exports list: the
    same verdicts (judgements) the Evidence section shows.
    """
    found: dict[str, list[str]] = {}
    for judgement in judgements(measures, indicator_scores, visible, rules=rules):
        if judgement.verdict == CONTRADICTS:
            found.setdefault(judgement.indicator, []).append(judgement.metric.key)
    return found


def enough(measure: Measure, rule: Rule) -> bool:
    """Whether MEASURE rests on enough records to be read at all."""
    return measure.value is not None and measure.records >= rule.min_records


def detail(metric: Metric, measure: Measure | None) -> str:
    """The counts behind a metric's figure, in the active language."""
    if measure is None or measure.value is None:
        return ""
    parts = measure.parts

    def n(value):
        return number_format(value, force_grouping=True)

    if metric.key == "follow-up-hours":
        return ngettext(
            "Over %(worked)s worked lead of %(qualified)s qualified.",
            "Over %(worked)s worked leads of %(qualified)s qualified.",
            measure.records,
        ) % {"worked": n(measure.records), "qualified": n(parts.get("qualified", 0))}
    if metric.key == "never-worked":
        return ngettext(
            "%(never)s of %(count)s qualified lead never worked.",
            "%(never)s of %(count)s qualified leads never worked.",
            measure.records,
        ) % {"never": n(parts.get("never", 0)), "count": n(measure.records)}
    if metric.key == "decided":
        return _(
            "%(accepted)s accepted, %(reasoned)s rejected with a reason, %(bare)s rejected "
            "without one."
        ) % {
            "accepted": n(parts.get("accepted", 0)),
            "reasoned": n(parts.get("rejected_with_reason", 0)),
            "bare": n(parts.get("rejected_without_reason", 0)),
        }
    if metric.key in ("stage-set", "source-set"):
        return ngettext(
            "%(set)s of %(count)s record.",
            "%(set)s of %(count)s records.",
            measure.records,
        ) % {"set": n(parts.get("set", 0)), "count": n(measure.records)}
    if metric.key == "qualified-to-won":
        return ngettext(
            "%(won)s of %(count)s qualified lead.",
            "%(won)s of %(count)s qualified leads.",
            measure.records,
        ) % {"won": n(parts.get("won", 0)), "count": n(measure.records)}
    return ""


def verdict_labels() -> dict[str, str]:
    return {
        CORROBORATES: _("Corroborates"),
        CONTRADICTS: _("Contradicts"),
        NO_DATA: _("No data"),
    }


def reason_text(judgement: Judgement) -> str:
    """Why a judgement has no verdict, in the active language."""
    if judgement.reason == TOO_FEW:
        return ngettext(
            "Too few records for a verdict: it needs at least %(count)s.",
            "Too few records for a verdict: it needs at least %(count)s.",
            judgement.rule.min_records,
        ) % {"count": judgement.rule.min_records}
    if judgement.reason == NO_COLUMN:
        labels = [
            str(field_of(judgement.metric.kind, key).label)
            for key in judgement.measure.missing
            if any(f.key == key for f in fields(judgement.metric.kind))
        ]
        if not labels:
            return _("No export of this kind has been read for this round.")
        return _("The file has no column for: %(fields)s.") % {"fields": ", ".join(labels)}
    if judgement.reason == HIDDEN:
        return _("The verdict shows once the round's figures are published.")
    if judgement.reason == NO_ANSWER:
        return _("Nobody in the team could answer this indicator.")
    return _("No rule is set for this metric.")


# ---------------------------------------------------------------------------
# Reading an export: one pass over its rows, keeping counts and times only.


@dataclass
class Result:
    """What an export says: the measures and how the file was read."""

    kind: str
    source: str
    rows: int = 0
    skipped: int = 0
    period: tuple[date, date] | None = None
    date_order: str | None = None
    date_order_guessed: bool = False
    formulas: int = 0
    measures: dict[str, Measure] = field(default_factory=dict)

    def notes(self) -> list[tuple[str, dict]]:
        notes = []
        if self.date_order:
            notes.append(
                ("date-order", {"order": self.date_order, "guessed": self.date_order_guessed})
            )
        if self.formulas:
            notes.append(("formulas", {"count": self.formulas}))
        if self.skipped:
            notes.append(("skipped", {"count": self.skipped}))
        return notes


class _Reader:
    """Turns rows into per-field values; rows with unsettled dates wait in a small buffer."""

    def __init__(self, table: Table, kind: str, columns: Mapping[str, Sequence[int]]):
        self.kind = kind
        self.header = table.header
        self.fields = [(field_of(kind, key), list(indexes)) for key, indexes in columns.items()]
        self.dates = {
            index: DateColumn(self.header[index] if index < len(self.header) else str(index))
            for spec, indexes in self.fields
            if spec.type == DATE
            for index in indexes
        }
        self.used = sorted({i for _spec, indexes in self.fields for i in indexes})
        self.waiting: list[tuple[int, dict]] = []
        self.formulas = 0
        self.labels: dict = {}

    def label(self, value) -> str:
        """A text cell compared by its normalised form (remembered: labels repeat)."""
        if value is None:
            return ""
        known = self.labels.get(value)
        if known is None:
            known = norm(value)
            if len(self.labels) < 10_000:
                self.labels[value] = known
        return known

    def record(self, number: int, row: Sequence) -> dict | None:
        """The row's fields; None when the row waits for a date column's order."""
        values: dict = {}
        pending = False
        width = len(row)
        for spec, indexes in self.fields:
            if spec.type == DATE:
                earliest = None
                for index in indexes:
                    cell = row[index] if index < width else None
                    hours = self.dates[index].read(cell, number)
                    if isinstance(hours, Ambiguous):
                        pending = True
                        values.setdefault("_pending", []).append((spec.key, index, hours))
                    elif hours is not None and (earliest is None or hours < earliest):
                        earliest = hours
                if earliest is not None:
                    values[spec.key] = earliest
                continue
            cell = row[indexes[0]] if indexes[0] < width else None
            if spec.type == TEXT:
                values[spec.key] = self.label(cell)
            elif spec.type == FLAG:
                values[spec.key] = parse_flag(cell)
            elif spec.type == NUMBER:
                values[spec.key] = parse_number(cell)
            else:
                values[spec.key] = parse_amount(cell)
        if pending:
            self.waiting.append((number, values))
            return None
        return values

    def settled(self, final: bool = False):
        """Waiting rows whose dates can now be read (at the end, every one of them)."""
        if not self.waiting:
            return []
        ready, still = [], []
        for number, values in self.waiting:
            pending = values["_pending"]
            if not final and any(self.dates[index].order is None for _k, index, _v in pending):
                still.append((number, values))
                continue
            for key, index, ambiguous in pending:
                hours = self.dates[index].settle(ambiguous, number)
                if hours is not None and (key not in values or hours < values[key]):
                    values[key] = hours
            del values["_pending"]
            ready.append(values)
        self.waiting = still
        return ready

    def settle_orders(self) -> tuple[str | None, bool]:
        """Give every undecided date column an order: another column's, else the language's.

        Return the order the dates were read in (None when no date needed one)
        and whether it was guessed, no value of the file having told.
        """
        decided = [c.order for c in self.dates.values() if c.order]
        if decided:
            fallback = max(set(decided), key=decided.count)
        else:
            spanish = any(norm(name) in SPANISH_NAMES for name in self.header)
            fallback = DAY_FIRST if spanish else MONTH_FIRST
        guessed = False
        for column in self.dates.values():
            if column.order is None:
                column.order = fallback
                guessed = guessed or (column.ambiguous > 0 and not decided)
        numeric = any(c.ambiguous or any(c.proofs.values()) for c in self.dates.values())
        return (fallback if numeric else None), guessed


class _Leads:
    def __init__(self, columns):
        self.has = set(columns)
        # Salesforce's lead status stands for the stage; no status says "customer".
        self.stage_is_status = "stage" in columns and columns.get("stage") == columns.get("status")
        self.qualified_from = "qualified" if "qualified" in self.has else "created"
        self.activity_known = bool({"first_activity", "activities", "last_activity"} & self.has)
        self.rows = 0
        self.stage_set = 0
        self.qualified = array("d")
        self.unworked = array("d")
        self.follow_ups = array("d")
        self.accepted = self.rejected_reason = self.rejected_bare = self.won = 0

    def add(self, v):
        self.rows += 1
        stage = v.get("stage", "")
        if stage:
            self.stage_set += 1
        qualified = v.get(self.qualified_from)
        if qualified is None:
            return
        self.qualified.append(qualified)
        first = v.get("first_activity")
        if first is not None:
            self.follow_ups.append(max(0.0, first - qualified))
        worked = (
            first is not None
            or (v.get("activities") or 0) > 0
            or v.get("last_activity") is not None
        )
        if not worked:
            self.unworked.append(qualified)
        status = v.get("status", "")
        if (
            v.get("accepted") is not None
            or v.get("converted")
            or stage in ACCEPTED_STAGES
            or status in ACCEPTED_STATUSES
        ):
            self.accepted += 1
        elif status in REJECTED_STATUSES:
            if v.get("reason"):
                self.rejected_reason += 1
            else:
                self.rejected_bare += 1
        if v.get("won") is not None or stage in CUSTOMER_STAGES:
            self.won += 1

    def measures(self, last: float | None) -> dict[str, Measure]:
        qualified = len(self.qualified)
        need_activity = () if self.activity_known else ("first_activity",)
        follow = Measure(
            statistics.median(self.follow_ups) if self.follow_ups else None,
            len(self.follow_ups),
            {"qualified": qualified},
            () if "first_activity" in self.has else ("first_activity",),
        )
        cutoff = (last - RECENT.total_seconds() / 3600) if last is not None else None
        eligible = sum(1 for t in self.qualified if cutoff is not None and t <= cutoff)
        never = sum(1 for t in self.unworked if cutoff is not None and t <= cutoff)
        never_worked = Measure(
            never / eligible if eligible and self.activity_known else None,
            eligible if self.activity_known else 0,
            {"never": never, "recent": qualified - eligible},
            need_activity,
        )
        decision_known = bool({"accepted", "converted", "status", "stage"} & self.has)
        decided = self.accepted + self.rejected_reason
        decision = Measure(
            decided / qualified if qualified and decision_known else None,
            qualified if decision_known else 0,
            {
                "accepted": self.accepted,
                "rejected_with_reason": self.rejected_reason,
                "rejected_without_reason": self.rejected_bare,
            },
            () if decision_known else ("status",),
        )
        stage_set = Measure(
            self.stage_set / self.rows if self.rows and "stage" in self.has else None,
            self.rows if "stage" in self.has else 0,
            {"set": self.stage_set},
            () if "stage" in self.has else ("stage",),
        )
        won_known = "won" in self.has or ("stage" in self.has and not self.stage_is_status)
        won = Measure(
            self.won / qualified if qualified and won_known else None,
            qualified if won_known else 0,
            {"won": self.won},
            () if won_known else ("won",),
        )
        return {
            "follow-up-hours": follow,
            "never-worked": never_worked,
            "decided": decision,
            "stage-set": stage_set,
            "qualified-to-won": won,
        }


class _Deals:
    def __init__(self, columns):
        self.has = set(columns)
        self.rows = self.source_set = self.priced = 0
        self.marketing_amount = self.sourced_amount = 0.0

    def add(self, v):
        self.rows += 1
        source = v.get("source", "")
        if source:
            self.source_set += 1
        amount = v.get("amount")
        if source and amount is not None and amount > 0:
            self.priced += 1
            self.sourced_amount += amount
            if source in MARKETING_SOURCES:
                self.marketing_amount += amount

    def measures(self, last: float | None) -> dict[str, Measure]:
        return {
            "source-set": Measure(
                self.source_set / self.rows if self.rows else None,
                self.rows,
                {"set": self.source_set},
            ),
            "marketing-sourced": Measure(
                self.marketing_amount / self.sourced_amount if self.sourced_amount else None,
                self.priced,
                {},
                () if "amount" in self.has else ("amount",),
            ),
        }


def read(
    table: Table,
    kind: str,
    columns: Mapping[str, Sequence[int]],
    source: str = OTHER,
    progress: Callable[[int, float | None], None] | None = None,
) -> Result:
    """Read every row of TABLE through COLUMNS (field -> column indexes) into a Result.

    One pass, keeping per row only the few numbers the metrics need; a row
    whose dates cannot be told apart yet (03/04/2025) waits until a later
    value in its column settles the order. Raises ReadError when a column the
    file needs is missing, a date column cannot be read, or no record is left.
    """
    known = {f.key for f in fields(kind)}
    columns = {key: list(indexes) for key, indexes in columns.items() if key in known and indexes}
    missing = [f for f in fields(kind) if f.required and f.key not in columns]
    width = len(table.header)
    absent = [
        field_of(kind, key)
        for key, indexes in columns.items()
        if any(index >= width for index in indexes)
    ]
    if missing or absent:
        raise ReadError("missing-columns", kind=kind, fields=[f.key for f in [*missing, *absent]])
    reader = _Reader(table, kind, columns)
    tally = _Leads(columns) if kind == LEADS else _Deals(columns)
    result = Result(kind, source)
    first = last = None
    period_field = "created" if "created" in columns else "closed"
    period_start = period_end = None
    used = reader.used

    def count(values):
        nonlocal first, last, period_start, period_end
        tally.add(values)
        for key in ARRIVALS:
            value = values.get(key)
            if value is not None and (last is None or value > last):
                last = value
        moment = values.get(period_field)
        if moment is not None:
            period_start = moment if period_start is None else min(period_start, moment)
            period_end = moment if period_end is None else max(period_end, moment)

    orders_known = 0
    for number, row, filled in table.rows(used):
        if filled < 2:
            if filled:
                result.skipped += 1
            continue
        if table.format == XLSX:
            result.formulas += sum(
                1 for i in used if i < len(row) and isinstance(row[i], str) and row[i][:1] == "="
            )
        result.rows += 1
        values = reader.record(number, row)
        if values is not None:
            count(values)
        known = sum(1 for c in reader.dates.values() if c.order)
        if known != orders_known:
            orders_known = known
            for values in reader.settled():
                count(values)
        if progress and result.rows % PROGRESS_EVERY == 0:
            progress(result.rows, table.fraction())
    order, guessed = reader.settle_orders()
    for values in reader.settled(final=True):
        count(values)
    for column in reader.dates.values():
        column.check()
    if not result.rows:
        raise ReadError("no-records")
    result.date_order, result.date_order_guessed = order, guessed
    if period_start is not None:
        result.period = (_day(period_start), _day(period_end))
    result.measures = tally.measures(last)
    if progress:
        progress(result.rows, 1.0)
    return result


# The dates leads arrive by: the latest of them stands for the day the file was exported.
ARRIVALS = ("created", "qualified")


def _day(hours: float) -> date:
    return date.fromordinal(int(hours // 24))
