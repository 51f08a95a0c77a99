"""The Excel download: the archived tables as a workbook, read back with openpyxl. Numbers are
numbers with Dutch-looking formats, dates are dates, and text that looks like a formula is escaped."""
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from openpyxl import load_workbook

from programme.reports.rendering.excel import MONEY_FORMAT, build_workbook, excel_filename, sheet_title, workbook_bytes
from programme.reports.rendering.tables import DATE, MONEY, NUMBER, PERCENT, TEXT, Column, ReportTable

HOSTILE = ['=HYPERLINK("http://kwaad.example","klik")', "+31 6 12345678", "-2+3", "@SUM(A1:A2)", "\tTab",
           "\rCR"]


def _report(tables, title="Voortgangsrapportage GS – 1e kwartaal 2026"):
    """What build_workbook reads of an IssuedReport (no database needed)."""
    return SimpleNamespace(
        title=title, kind_label="Voortgangsrapportage GS (kwartaal)", period_label="1e kwartaal 2026", version=2,
        made_by_label="Test Manager", created_dt=datetime(2026, 4, 15, 4, 0, tzinfo=UTC),
        filename="voortgang-gs-2026-k1-v2.pdf", sha256="ab" * 32, data_version="audit:42", tables=tables)


def _tables():
    budget = ReportTable(
        "budget", "Begroting per initiatief",
        [Column("Initiatief"), Column("Begroot", MONEY), Column("Deelnemers", NUMBER), Column("Realisatie", PERCENT),
         Column("Gewijzigd", DATE)],
        rows=[["Sociale Stad", Decimal("1234.50"), 12, Decimal("57"), date(2026, 3, 31)],
              [HOSTILE[0], Decimal("-54372"), Decimal("2.5"), Decimal("12.5"), None],
              ["n.v.t.", None, "onbekend", None, "geen datum"]],
        footer=["Totaal", Decimal("-53137.50"), Decimal("14.5"), None, None])
    hostile = ReportTable("kwaad", "Tekst: met [vreemde] tekens / en * ? \\ een heel lange titel",
                          [Column("Tekst", TEXT)], rows=[[text] for text in HOSTILE])
    same_title = ReportTable("kwaad2", "Tekst: met [vreemde] tekens / en * ? \\ een heel lange titel",
                             [Column("Tekst")], rows=[["ok"]])
    return [t.as_json() for t in (budget, hostile, same_title)]


def _workbook(tables=None):
    return load_workbook(io.BytesIO(workbook_bytes(_report(tables if tables is not None else _tables()))))


def test_one_sheet_per_table_after_an_about_sheet():
    workbook = _workbook()
    assert workbook.sheetnames[0] == "Over deze rapportage"
    assert workbook.sheetnames[1] == "Begroting per initiatief"
    assert len(workbook.sheetnames) == 4
    about = workbook["Over deze rapportage"]
    facts = {about.cell(row, 1).value: about.cell(row, 2).value for row in range(1, about.max_row + 1)}
    assert facts["Rapportage"] == "Voortgangsrapportage GS – 1e kwartaal 2026"
    assert facts["Versie"] == 2 and facts["SHA-256 van de PDF"] == "ab" * 32
    assert facts["Gemaakt op"] == "15 april 2026 om 06:00"  # Amsterdam time


def test_numbers_are_numeric_with_dutch_looking_formats():
    sheet = _workbook()["Begroting per initiatief"]
    assert [c.value for c in sheet[1]] == ["Initiatief", "Begroot", "Deelnemers", "Realisatie", "Gewijzigd"]
    money, count, share, day = sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"]
    assert money.data_type == "n" and money.value == 1234.5 and money.number_format == MONEY_FORMAT
    assert "€" in money.number_format and "#,##0.00" in money.number_format
    assert sheet["B3"].value == -54372
    assert count.data_type == "n" and count.value == 12 and count.number_format == "#,##0"
    assert sheet["C3"].value == 2.5 and sheet["C3"].number_format == "#,##0.0"
    assert share.value == 0.57 and share.number_format == "0%"
    assert sheet["D3"].value == 0.125 and sheet["D3"].number_format == "0.0%"
    assert day.is_date and day.value == datetime(2026, 3, 31) and day.number_format == "d-m-yyyy"
    # Empty stays empty; a value that is not a number of its kind stays (escaped) text.
    assert sheet["B4"].value is None and sheet["E3"].value is None
    assert sheet["C4"].value == "onbekend" and sheet["E4"].value == "geen datum"
    # The totals row is bold.
    assert sheet["A5"].value == "Totaal" and sheet["A5"].font.b and sheet["B5"].value == -53137.5


def test_header_is_bold_and_frozen_and_columns_have_a_width():
    sheet = _workbook()["Begroting per initiatief"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDE"]
    assert all(8 <= width <= 62 for width in widths)
    assert widths[0] > 30  # the long (escaped) hyperlink text


def test_text_that_looks_like_a_formula_is_escaped():
    workbook = _workbook()
    sheet = workbook.worksheets[2]
    values = [sheet.cell(row, 1).value for row in range(2, 2 + len(HOSTILE))]
    # (XML stores a carriage return as a line feed.)
    assert values == ["'" + text.replace("\r", "\n") for text in HOSTILE]
    assert all(sheet.cell(row, 1).data_type == "s" for row in range(2, 2 + len(HOSTILE)))
    assert workbook["Begroting per initiatief"]["A3"].value == "'" + HOSTILE[0]
    # Nothing in the workbook is a formula.
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_sheet_titles_are_short_clean_and_unique():
    titles = _workbook().sheetnames[2:]
    assert titles[0] == "Tekst met vreemde tekens en een"
    assert titles[1] == "Tekst met vreemde tekens en (2)"
    for title in titles:
        assert len(title) <= 31 and not set(title) & set("[]:*?/\\")
    taken = set()
    assert sheet_title("'Historie'", taken, "Tabel 1") == "Historie"
    assert sheet_title("HISTORIE", taken, "Tabel 2") == "HISTORIE (2)"
    assert sheet_title("[]:*?/\\", taken, "Tabel 3") == "Tabel 3"
    assert sheet_title("x" * 40, taken, "Tabel 4") == "x" * 31
    assert sheet_title("x" * 40, taken, "Tabel 5") == "x" * 27 + " (2)"


def test_a_report_without_tables_still_gives_a_workbook():
    assert _workbook([]).sheetnames == ["Over deze rapportage"]
    assert build_workbook(_report([])).properties.title.startswith("Voortgangsrapportage GS")


def test_the_excel_file_is_named_after_the_pdf():
    assert excel_filename(_report([])) == "voortgang-gs-2026-k1-v2.xlsx"
