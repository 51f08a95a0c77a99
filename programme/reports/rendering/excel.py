"""The Excel download of an issued report: its archived tables as a workbook, one sheet per table.

The Excel download of an issued report: its archived tables (the same figures as the PDF) as a
workbook, one sheet per table, numbers as numbers and text escaped against formula injection."""
import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from programme.core.export import escape_cell
from programme.core.formatting import dutch_datetime
from programme.reports.models import IssuedReport
from programme.reports.rendering.tables import DATE, MONEY, NUMBER, PERCENT

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Number formats are stored in Excel's neutral notation; Dutch Excel shows "€ 1.234,50".
MONEY_FORMAT = '"€" #,##0.00;"€" -#,##0.00'
DATE_FORMAT = "d-m-yyyy"
MAX_WIDTH = 60
BOLD = Font(bold=True)
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, taken: set[str], fallback: str) -> str:
    """At most 31 characters, none of []:*?/\\, no apostrophe at either end, unique in the workbook
    (Excel compares sheet names case-insensitively)."""
    text = SHEET_TITLE_FORBIDDEN.sub(" ", str(title or ""))
    text = " ".join(text.split()).strip("'").strip() or fallback
    candidate, number = text[:31].strip(), 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate = text[:31 - len(suffix)].strip() + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _number_format(decimals: int, suffix: str = "") -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "") + suffix


def _shown(value, kind: str) -> str:
    """Roughly what the cell shows, to size its column."""
    if kind == MONEY:
        return f"€ {value:,.2f}"
    if kind in (NUMBER, PERCENT):
        return f"{value:,}"
    if kind == DATE:
        return "00-00-0000"
    return str(value)


def write_cell(cell, value, kind: str) -> str:
    """Put one archived value into a cell as its kind; returns the text used for the column width."""
    if value is None or value == "":
        return ""
    if kind in (MONEY, NUMBER, PERCENT):
        number = _decimal(value)
        if number is not None:
            if kind == MONEY:
                cell.value, cell.number_format = number, MONEY_FORMAT
            elif kind == PERCENT:
                # Stored 0-100; Excel's percent format wants the fraction.
                cell.value = number / 100
                cell.number_format = "0" + ("." + "0" * _decimals(number) if _decimals(number) else "") + "%"
            else:
                cell.value = int(number) if _decimals(number) == 0 else number
                cell.number_format = _number_format(_decimals(number))
            return _shown(number, kind)
    if kind == DATE:
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            pass
        else:
            cell.value, cell.number_format = day, DATE_FORMAT
            return _shown(day, kind)
    # Line ends become line feeds here: openpyxl keeps a carriage return when lxml is installed and
    # writes a line feed without it, so the workbook would depend on what else is installed.
    text = escape_cell(value).replace("\r\n", "\n").replace("\r", "\n")
    cell.value = text
    cell.data_type = "s"  # never a formula, whatever the text looks like
    return text


def _size_columns(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(MAX_WIDTH, width + 2))


def add_table_sheet(workbook: Workbook, table: dict, taken: set[str], number: int) -> None:
    sheet = workbook.create_sheet(sheet_title(table.get("title") or table.get("key"), taken, f"Tabel {number}"))
    columns = table.get("columns") or []
    kinds = [column.get("kind", "text") for column in columns]
    widths = [0] * len(columns)
    for index, column in enumerate(columns, start=1):
        shown = write_cell(sheet.cell(row=1, column=index), column.get("title", ""), "text")
        sheet.cell(row=1, column=index).font = BOLD
        sheet.cell(row=1, column=index).alignment = Alignment(wrap_text=True, vertical="top")
        widths[index - 1] = len(shown)
    rows = list(table.get("rows") or [])
    footer = table.get("footer")
    for row_number, row in enumerate(rows + ([footer] if footer else []), start=2):
        for index, value in enumerate(row[:len(columns)], start=1):
            cell = sheet.cell(row=row_number, column=index)
            shown = write_cell(cell, value, kinds[index - 1])
            widths[index - 1] = max(widths[index - 1], len(shown))
            if footer and row_number == len(rows) + 2:
                cell.font = BOLD
    sheet.freeze_panes = "A2"
    _size_columns(sheet, widths)


def build_workbook(report: IssuedReport) -> Workbook:
    workbook = Workbook()
    about = workbook.active
    taken: set[str] = set()
    about.title = sheet_title("Over deze rapportage", taken, "Over")
    facts = [
        ("Rapportage", report.title),
        ("Soort", report.kind_label),
        ("Periode", report.period_label),
        ("Versie", report.version),
        ("Gemaakt door", report.made_by_label),
        ("Gemaakt op", dutch_datetime(report.created_dt)),
        ("Bestand (PDF)", report.filename),
        ("SHA-256 van de PDF", report.sha256),
        ("Gegevensversie", report.data_version),
        ("Toelichting", "De tabellen zijn dezelfde als in de PDF, zoals ze bij het maken van de "
                        "rapportage zijn vastgelegd; bedragen hier met centen."),
    ]
    for row, (label, value) in enumerate(facts, start=1):
        write_cell(about.cell(row=row, column=1), label, "text")
        about.cell(row=row, column=1).font = BOLD
        write_cell(about.cell(row=row, column=2), value, "number" if label == "Versie" else "text")
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 90
    workbook.properties.title = str(report.title)[:250]
    workbook.properties.creator = "Programmatracker Sociale Veerkracht"
    for number, table in enumerate(report.tables or [], start=1):
        add_table_sheet(workbook, table, taken, number)
    return workbook


def workbook_bytes(report: IssuedReport) -> bytes:
    buffer = io.BytesIO()
    build_workbook(report).save(buffer)
    return buffer.getvalue()


def excel_filename(report: IssuedReport) -> str:
    name = report.filename
    return (name[:-4] if name.lower().endswith(".pdf") else name) + ".xlsx"
