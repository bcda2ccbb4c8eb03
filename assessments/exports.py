"""CSV and XLSX downloads with stable column names (documented in README.md)."""

import csv
import io
import zipfile

from django.http import Http404, HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from . import results, scoring
from .models import PlanItem

FORMATS = {"csv", "xlsx"}
# A cell starting with one of these is a formula to spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """Neutralise user text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(fmt, filename, header, rows):
    """Return the table as a CSV or XLSX attachment; any other format is a 404."""
    if fmt not in FORMATS:
        raise Http404
    return attachment(render(fmt, filename, header, rows), fmt, f"{filename}.{fmt}")


def render(fmt, title, header, rows):
    """The table as the bytes of a CSV or XLSX file."""
    if fmt == "csv":
        return csv_text(header, rows).encode("utf-8")
    return xlsx_bytes(title, header, rows)


def attachment(content, fmt, filename):
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_text(header, rows):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so spreadsheet programs read UTF-8
    # Every field quoted: a separator inside a cell (";" where spreadsheets split
    # on it, as in Spanish locales) can never start a new cell with a formula.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows([safe(value) for value in row] for row in rows)
    return buffer.getvalue()


def _cell(sheet, value):
    """Store text as text: openpyxl would otherwise write "=..." as a live formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def xlsx_bytes(title, header, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def number(value):
    return None if value is None else float(value)


def local(moment):
    """A datetime as the spreadsheet shows it: local time, no time zone."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


ROUND_FIGURE_COLUMNS = [
    "position",
    "stage",
    "attainment_stage_2",
    "attainment_stage_3",
    "attainment_stage_4",
    "coverage",
    "lowest_position",
    "highest_position",
    "flags",
]
ROUND_COLUMNS = [
    "organization",
    "round_id",
    "opened_on",
    "closes_on",
    "closed_at",
    "questionnaire_version",
    "respondents",
    *ROUND_FIGURE_COLUMNS,
]
RESPONSE_COLUMNS = [
    "organization",
    "round_id",
    "response_id",
    "role",
    "name",
    "email",
    "submitted_at",
    "position",
    "stage",
    "coverage",
]
PLAN_COLUMNS = [
    "organization",
    "round_id",
    "plan_item_id",
    "step_or_indicator",
    "text",
    "owner",
    "person_responsible",
    "due_on",
    "done_at",
    "note",
]


def round_row(r, with_figures, visible_groups=()):
    """One round; a round whose figures the reader may not see has empty figure columns.

    VISIBLE_GROUPS are the role groups this reader may see (Round.visible_groups):
    the perception-gap flag shows only when both sides are among them.
    """
    figures = [
        number(r.position),
        r.stage,
        *(r.attainment.get(str(n)) for n in scoring.SCORED_STAGES),
        r.coverage,
        number(r.lowest),
        number(r.highest),
        " ".join(results.round_flags(r.flags, r.groups, visible_groups)),
    ]
    return [
        r.organization.name,
        r.pk,
        r.opened_on,
        r.closes_on,
        local(r.closed_at),
        r.questionnaire.version,
        r.respondents,
        *(figures if with_figures else [None] * len(ROUND_FIGURE_COLUMNS)),
    ]


def response_row(round, r, keys):
    return [
        round.organization.name,
        round.pk,
        r.pk,
        r.role,
        r.name,
        r.email,
        local(r.submitted_at),
        number(r.position),
        r.stage,
        r.coverage,
        *(r.indicator_scores.get(key) for key in keys),
    ]


def plan_row(item):
    return [
        item.round.organization.name,
        item.round_id,
        item.pk,
        item.step.stage.slug if item.step_id else item.indicator.key,
        item.text,
        item.owner,
        item.owner_person.email if item.owner_person_id else "",
        item.due_on,
        local(item.done_at),
        item.note,
    ]


def organization_zip(organization):
    """Everything the organization's members may see, as one ZIP of CSV and XLSX tables.

    The privacy model holds here as on the pages: a round's figures only once
    published, and each person's answers only of open rounds, where respondents
    were told that the team sees them.
    """
    rounds = list(
        organization.rounds.select_related("organization", "questionnaire").order_by(
            "opened_on", "pk"
        )
    )
    tables = {
        "rounds": (
            ROUND_COLUMNS,
            [round_row(r, r.is_published, r.visible_groups()) for r in rounds],
        )
    }
    keys, responses = [], []
    for r in rounds:
        if r.is_confidential:
            continue
        round_keys = r.questionnaire.indicator_keys()
        keys += [key for key in round_keys if key not in keys]
        responses += [(r, response) for response in r.responses.filter(submitted_at__isnull=False)]
    tables["responses"] = (
        RESPONSE_COLUMNS + keys,
        [response_row(r, response, keys) for r, response in responses],
    )
    plan = (
        PlanItem.objects.filter(round__organization=organization)
        .select_related("round__organization", "step__stage", "indicator", "owner_person")
        .order_by("round__opened_on", "pk")
    )
    tables["plans"] = (PLAN_COLUMNS, [plan_row(item) for item in plan])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in tables.items():
            archive.writestr(f"{name}.csv", csv_text(header, rows))
            archive.writestr(f"{name}.xlsx", xlsx_bytes(name, header, rows))
    return buffer.getvalue()
