"""CSV and XLSX downloads with stable column names (documented in README.md)."""

import csv
import datetime
import io
import itertools
import zipfile
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import results, scoring
from .models import Evidence, MetricRule, PlanItem
from .models.evidence import contradictions
from .visibility import Viewer

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


# How the XLSX shows each column, as the pages show it. The values are the
# displayed figures themselves (position_cell, share_cell), so a sheet shows
# what the page shows and sums what the reader sees.
POSITION_FORMAT = "0.0"
CHANGE_FORMAT = "+0.0;-0.0;0.0"
PERCENT_FORMAT = "0%"
DATE_FORMAT = "d mmm yyyy"  # as the site writes a day: 30 Nov 2026
DATETIME_FORMAT = "d mmm yyyy hh:mm"
POSITION_COLUMNS = {
    "position",
    "lowest_position",
    "highest_position",
    "latest_position",
    "consensus_position",
}
PERCENT_COLUMNS = {
    "attainment_stage_2",
    "attainment_stage_3",
    "attainment_stage_4",
    "coverage",
    "consensus_coverage",
}
CHANGE_COLUMNS = {"change_since_previous"}
# Widths come from the header and the first rows, within these bounds (characters).
SAMPLE_ROWS = 200
WIDTHS = (8, 60)


def labellers():
    """For each column holding a code, a function giving its label in the active language.

    A function takes the code and the row (column name to value): a stage's
    label is the headline's (results.verdict), read with its row's position
    and flags, so the sheet names the climb as the pages do.
    """
    from stages.models import Indicator, Stage

    from .models import Organization, Role

    stages = {stage.number: stage for stage in Stage.objects.all()}
    flags = results.flag_labels()
    indicator_names = {indicator.key: indicator.name for indicator in Indicator.objects.all()}

    def choices(enum):
        labels = {value: str(label) for value, label in enum.choices}
        return lambda code, row: labels.get(code, "")

    def flag_list(codes, row):
        return ", ".join(str(flags.get(code, code)) for code in (codes or "").split())

    def stage_of(position_column, flags_column):
        def label(number, row):
            if number not in stages:
                return ""
            position = row.get(position_column)
            if position is None:
                return str(stages[number].name)
            codes = (row.get(flags_column) or "").split()
            return results.verdict(Decimal(str(position)), number, codes, stages)

        return label

    return {
        "role": choices(Role),
        "stage": stage_of("position", "flags"),
        # The portfolio's flags column holds the latest round's flags.
        "latest_stage": stage_of("latest_position", "flags"),
        "consensus_stage": stage_of("consensus_position", "consensus_flags"),
        "industry": choices(Organization.Industry),
        "size": choices(Organization.Size),
        "cadence": choices(Organization.Cadence),
        "owner": choices(PlanItem.Owner),
        "flags": flag_list,
        "consensus_flags": flag_list,
        "disputed": lambda cell, row: disputed_label(cell, indicator_names),
        "crm_contradicts": lambda cell, row: ", ".join(
            str(indicator_names.get(key) or key) for key in (cell or "").split()
        ),
    }


def number_format(column, value):
    if isinstance(value, datetime.datetime):
        return DATETIME_FORMAT
    if isinstance(value, datetime.date):
        return DATE_FORMAT
    if column in POSITION_COLUMNS:
        return POSITION_FORMAT
    if column in CHANGE_COLUMNS:
        return CHANGE_FORMAT
    # Indicator columns are named by their keys ("stage.indicator") and hold 0–1 scores.
    if column in PERCENT_COLUMNS or "." in column:
        return PERCENT_FORMAT
    return None


def _shown(value):
    """Roughly what a spreadsheet cell shows, to size its column."""
    if isinstance(value, datetime.datetime):
        return "30 Nov 2026 10:00"
    if isinstance(value, datetime.date):
        return "30 Nov 2026"
    if isinstance(value, float):
        return f"{value:.1f}"
    return "" if value is None else str(value)


def xlsx_bytes(title, header, rows):
    """A worksheet people can use: bold frozen header with filters, widths, formats, labels.

    Each column holding a code (role, stage, industry, flags…) is followed by a
    "<column>_label" column in the requester's language; the codes stay as they
    are in the CSV, so scripts can rely on them.
    """
    labels = labellers()
    columns = []
    for name in header:
        columns.append((name, None))
        if name in labels:
            columns.append((f"{name}_label", labels[name]))
    rows = iter(rows)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))

    def expand(row):
        named = dict(zip(header, row, strict=True))
        cells = []
        for name, value in named.items():
            cells.append((name, value))
            if name in labels:
                cells.append(
                    (f"{name}_label", labels[name](value, named) if value not in (None, "") else "")
                )
        return cells

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    widths = [len(name) for name, _labeller in columns]
    for row in sample:
        for index, (_name, value) in enumerate(expand(row)):
            widths[index] = max(widths[index], len(_shown(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, WIDTHS[0]), WIDTHS[1]
        )
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    count = 0
    bold = Font(bold=True)
    sheet.append([_cell(sheet, name, font=bold) for name, _labeller in columns])
    for row in itertools.chain(sample, rows):
        sheet.append(
            [_cell(sheet, value, number_format(name, value)) for name, value in expand(row)]
        )
        count += 1
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value, number_format=None, font=None):
    """A cell with its format; text stays text, as openpyxl would write "=..." as a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    return cell


def position_cell(value):
    """A position as the pages show it (scoring.one_decimal): a stored 2.97 is 2.9, not 3.0."""
    return None if value is None else float(scoring.one_decimal(value))


def share_cell(value):
    """A 0..1 share as the pages show it (scoring.percent): 0.749 is 0.74, 74% in a sheet."""
    return None if value is None else scoring.percent(value) / 100


def change_cell(before, after):
    """The change between two positions as the pages show it (results.position_change)."""
    change = results.position_change(before, after)
    return None if change is None else float(change)


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
    # The indicators the role groups shown dispute, each with its sides' figures.
    "disputed",
    # The indicators the round's CRM evidence contradicts (evidence.contradicted), by key.
    "crm_contradicts",
    # The alignment workshop's agreed answers, scored like a response.
    "consensus_position",
    "consensus_stage",
    "consensus_coverage",
    "consensus_flags",
    # A partial consensus: undecided indicators count as unknown.
    "consensus_decided",
    "consensus_indicators",
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
    "flags",
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


def round_rows(rounds, viewer):
    """ROUNDS as VIEWER (a visibility.Viewer) may see each of them, one row each."""
    order = indicator_order()
    rounds = list(rounds)
    ready = Evidence.objects.ready_by_round(rounds)
    rules = MetricRule.objects.as_rules() if ready else {}
    for r in rounds:
        seen = r.seen_by(viewer)
        yield round_row(seen, order, contradictions(seen, ready.get(r.pk, {}), rules))


def indicator_order():
    """Each indicator key's place in the continuum, so a cell lists indicators as pages do."""
    from stages.models import Indicator

    keys = Indicator.objects.order_by("stage__number", "order", "pk").values_list("key", flat=True)
    return {key: index for index, key in enumerate(keys)}


def round_row(r, order=None, contradicted=None):
    """One round as its reader sees it (Round.seen_by: the publication, where that is theirs).

    A round whose figures the reader may not see has empty figure columns; a
    gap between role groups (a flag, a disputed indicator) shows only when
    every group in it is among the view's groups, the lowest and highest
    individual positions only when it shows the spread. ORDER: see
    indicator_order. CONTRADICTED: what its CRM evidence contradicts, as the
    reader sees the round (models.evidence.contradictions).
    """
    view = r.shown_view
    figures = [
        position_cell(r.position),
        r.stage,
        *(share_cell(r.attainment.get(str(n))) for n in scoring.SCORED_STAGES),
        share_cell(r.coverage),
        position_cell(r.lowest) if view.spread else None,
        position_cell(r.highest) if view.spread else None,
        " ".join(results.round_flags(r.flags, r.groups, view.groups)),
        disputed_cell(results.disputed(r.groups, view.groups), order or {}),
        keys_cell(contradicted or {}, order or {}),
        *consensus_cells(r.consensus),
    ]
    return [
        r.organization.name,
        r.pk,
        r.opened_on,
        r.closes_on,
        local(r.closed_at),
        r.questionnaire.version,
        r.respondents,
        *(figures if view.figures else [None] * len(ROUND_FIGURE_COLUMNS)),
    ]


# A disputed cell reads "strategic.lead-definition: marketing 100%, sales 20%",
# one indicator after another, separated by "; ": keys and role-group codes,
# figures as the pages show them.
DISPUTE_SEPARATOR = "; "


def disputed_cell(disputes, order):
    """DISPUTES (results.disputed) as one cell, in the continuum's ORDER of their indicators."""
    keys = sorted(disputes, key=lambda key: (order.get(key, len(order)), key))
    return DISPUTE_SEPARATOR.join(
        f"{key}: "
        + ", ".join(f"{group} {results.percent(value)}%" for group, value in disputes[key])
        for key in keys
    )


def keys_cell(keys, order):
    """Indicator KEYS as one cell, separated by spaces, in the continuum's ORDER."""
    return " ".join(sorted(keys, key=lambda key: (order.get(key, len(order)), key)))


def disputed_label(cell, names):
    """A disputed cell in the reader's language: "Lead definition — disputed: marketing 100%…".

    NAMES maps indicator keys to their short names.
    """
    labels = []
    for entry in cell.split(DISPUTE_SEPARATOR):
        key, sides = entry.split(": ", 1)
        points = []
        for side in sides.split(", "):
            group, figure = side.rsplit(" ", 1)
            points.append((group, int(figure.rstrip("%"))))
        labels.append(f"{names.get(key, key)} — {results.dispute_text(points)}")
    return DISPUTE_SEPARATOR.join(labels)


def consensus_cells(workshop):
    if workshop is None:
        return [None] * 6
    return [
        position_cell(workshop.position),
        workshop.stage,
        share_cell(workshop.coverage),
        " ".join(workshop.flags),
        workshop.items_decided,
        workshop.items_to_decide,
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
        position_cell(r.position),
        r.stage,
        share_cell(r.coverage),
        " ".join(r.flags),
        *(share_cell(r.indicator_scores.get(key)) for key in keys),
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
        organization.rounds.select_related("organization", "questionnaire", "workshop").order_by(
            "opened_on", "pk"
        )
    )
    tables = {"rounds": (ROUND_COLUMNS, list(round_rows(rounds, Viewer.MEMBER)))}
    keys, responses = [], []
    for r in rounds:
        # Each person's answers only where members see them: open rounds.
        if not r.view(Viewer.MEMBER).individuals:
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
