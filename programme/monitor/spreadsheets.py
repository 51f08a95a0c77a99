"""Reading uploaded spreadsheets into a grid of cells, and writing the templates to download.

A CSV in UTF-8 with `;` or `,`, or an XLSX, becomes a plain grid of cells, each with its row number
and column letter.

An XLSX is read for its values, never its formulas (openpyxl `data_only=True`: the result the
spreadsheet program stored); a formula without a stored result is reported, not guessed."""
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

NOT_UTF8 = ("Het bestand is niet in UTF-8 opgeslagen: {where} staat een teken dat in UTF-8 niet bestaat "
            "(waarschijnlijk is het bestand opgeslagen als ‘CSV (gescheiden door lijstscheidingsteken)’ in "
            "Windows-codering). Er is niets ingelezen. Sla het bestand in Excel op als ‘CSV UTF-8 (door "
            "komma's gescheiden)’, of upload het als Excel-bestand (.xlsx), en probeer het opnieuw.")
UTF16 = ("Het bestand is opgeslagen als ‘Unicode-tekst’ (UTF-16), niet als UTF-8. Er is niets ingelezen. "
         "Sla het in Excel op als ‘CSV UTF-8 (door komma's gescheiden)’ of als Excel-bestand (.xlsx).")
NOT_XLSX = ("Dit bestand is geen leesbaar Excel-bestand (.xlsx). Er is niets ingelezen. Een ouder .xls-bestand "
            "kunt u in Excel opslaan als .xlsx.")
EMPTY = "Het bestand is leeg: er staat geen kopregel en geen waarde in."
WRONG_TYPE = "Upload een CSV-bestand (.csv) of een Excel-bestand (.xlsx)."
FORMATS = {"csv": "CSV", "xlsx": "Excel (.xlsx)"}


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message is Dutch, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Cell:
    row: int  # 1-based, as the spreadsheet program numbers it
    column: str  # "A", "B", ...
    value: object  # str, int, float, datetime or None
    formula_without_result: bool = False
    percent_format: bool = False  # an XLSX cell formatted as percentage: 0,12 shows as 12%


@dataclass
class Grid:
    file_name: str
    file_format: str  # csv | xlsx
    sheet: str | None  # the sheet read (XLSX), None for CSV
    rows: list[list[Cell]] = field(default_factory=list)
    delimiter: str | None = None


def file_format(file_name: str) -> str:
    name = file_name.lower()
    if name.endswith(".csv") or name.endswith(".txt"):
        return "csv"
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        return "xlsx"
    raise UnreadableFile(WRONG_TYPE)


def read_grid(data: bytes, file_name: str) -> Grid:
    fmt = file_format(file_name)
    grid = _read_csv(data, file_name) if fmt == "csv" else _read_xlsx(data, file_name)
    # A row whose first cell starts with '#' is a remark for people (the example file's mark, say).
    grid.rows = [row for row in grid.rows if not (row and isinstance(row[0].value, str)
                                                  and row[0].value.startswith("#"))]
    if not any(cell.value not in (None, "") for row in grid.rows for cell in row):
        raise UnreadableFile(EMPTY)
    return grid


# ---------------------------------------------------------------- CSV

def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(UTF16)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise UnreadableFile(NOT_UTF8.format(where=f"in regel {line}")) from None


def _delimiter(text: str) -> str:
    """`;` (what Dutch Excel writes) or `,`, whichever the header line has more of."""
    header = next((line for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    return ";" if header.count(";") >= header.count(",") and ";" in header else ","


def _read_csv(data: bytes, file_name: str) -> Grid:
    text = _decode(data)
    delimiter = _delimiter(text)
    grid = Grid(file_name, "csv", None, delimiter=delimiter)
    for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        grid.rows.append([Cell(number, get_column_letter(index), value.strip() or None)
                          for index, value in enumerate(values, start=1)])
    return grid


# ---------------------------------------------------------------- XLSX

def _open(data: bytes, *, values: bool):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=values)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile(NOT_XLSX) from None


def _read_xlsx(data: bytes, file_name: str) -> Grid:
    """The first sheet's stored values; which cells hold a formula comes from a second read of the
    formulas themselves (only to say which empty-looking cells are formulas without a result)."""
    book = _open(data, values=True)
    sheet = book.worksheets[0]
    grid = Grid(file_name, "xlsx", sheet.title)
    for number, row in enumerate(sheet.iter_rows(), start=1):
        cells = []
        for index, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            if isinstance(value, str):
                value = value.strip() or None
            percent = "%" in (getattr(cell, "number_format", "") or "") and isinstance(value, (int, float))
            cells.append(Cell(number, get_column_letter(index), value, percent_format=percent))
        grid.rows.append(cells)
    book.close()
    formulas = _open(data, values=False)
    for number, row in enumerate(formulas.worksheets[0].iter_rows(), start=1):
        for index, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            if isinstance(value, str) and value.startswith("="):
                target = _cell(grid, number, index)
                if target is not None and target.value is None:
                    target.formula_without_result = True
    formulas.close()
    return grid


def _cell(grid: Grid, row: int, column: int) -> Cell | None:
    if row - 1 < len(grid.rows) and column - 1 < len(grid.rows[row - 1]):
        return grid.rows[row - 1][column - 1]
    return None


def is_date(value) -> bool:
    return isinstance(value, (date, datetime, time))


# ---------------------------------------------------------------- templates

def template_csv(rows: list[list[str]]) -> bytes:
    """A CSV as Dutch Excel opens it: UTF-8 with a byte order mark, `;` between the columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(rows: list[list[str]], *, sheet: str, notes: list[str]) -> bytes:
    book = Workbook()
    values = book.active
    values.title = sheet
    for row in rows:
        values.append(row)
    values.freeze_panes = "B2"
    explanation = book.create_sheet("Toelichting")
    for line in notes:
        explanation.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
