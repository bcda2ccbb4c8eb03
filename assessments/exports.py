"""CSV and XLSX downloads with stable column names (documented in README.md)."""

import csv
import io

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMATS = {"csv", "xlsx"}
# A cell starting with one of these is a formula to spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """Neutralise user text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def download(fmt, filename, header, rows):
    """Return the table as a CSV or XLSX attachment; any other format is a 404."""
    if fmt not in FORMATS:
        raise Http404
    if fmt == "csv":
        return _csv(filename, header, ([safe(value) for value in row] for row in rows))
    return _xlsx(filename, header, rows)


def _csv(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    # Every field quoted: a separator inside a cell (";" where spreadsheets split
    # on it, as in Spanish locales) can never start a new cell with a formula.
    writer = csv.writer(response, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _cell(sheet, value):
    """Store text as text: openpyxl would otherwise write "=..." as a live formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _xlsx(filename, header, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
