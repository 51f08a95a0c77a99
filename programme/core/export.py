"""CSV exports that are safe to open in Excel: cells that would start a formula are escaped."""
import csv
import io
from collections.abc import Iterable

from flask import Response

# A cell starting with one of these is taken as a formula by Excel and LibreOffice (SECURITY.md 9).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value) -> str:
    """The cell as text; a leading single quote when it would otherwise start a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "ja" if value else "nee"
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """Semicolon-separated (what Dutch Excel expects), every cell escaped, with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
