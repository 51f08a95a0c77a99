"""The generated PDF, read back: period, budget totals, every initiative's status, an approved
lesson, no draft text; title, language, tags and embedded fonts. Built inside the test's own
transaction (never committed)."""
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from programme.initiatives.models import Initiative
from programme.progress import operations as ops
from programme.reports.rendering.content import build_content
from programme.reports.kinds import FACTSHEET, GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports.rendering.pdf import StaticOnlyFetcher, render_pdf
from programme.reports.spans import parse_span
from tests.progress_helpers import approved, content, make_world

DRAFT_TEXT = "Conceptzin-die-nooit-in-een-rapport-mag-staan"
LESSON_TEXT = "Bewoners komen pas als hun buren het vragen"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def marked_text(pdf: bytes) -> list[list[tuple[str, tuple[str, ...]]]]:
    """Per page, each piece of text with the marked-content tags around it ('/Artifact', '/Span', ...):
    what assistive technology reads and what it skips."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        stack, pieces = [], []

        def before(operator, operands, _cm, _tm, stack=stack):
            if operator in (b"BMC", b"BDC"):
                stack.append(str(operands[0]))
            elif operator == b"EMC" and stack:
                stack.pop()

        def text(piece, _cm, _tm, _font, _size, stack=stack, pieces=pieces):
            if piece.strip():
                pieces.append((piece.strip(), tuple(stack)))

        page.extract_text(visitor_operand_before=before, visitor_text=text)
        pages.append(pieces)
    return pages


def watermark_pages(pdf: bytes) -> tuple[int, int, int]:
    """(pages, pages with the VOORLOPIG watermark as an artifact, times VOORLOPIG is read as content)."""
    pages = marked_text(pdf)
    marked = sum(any(t == "VOORLOPIG" and "/Artifact" in tags for t, tags in page) for page in pages)
    as_content = sum(1 for page in pages for t, tags in page if "VOORLOPIG" in t and "/Artifact" not in tags)
    return len(pages), marked, as_content


@pytest.fixture()
def world(db):
    world = make_world(db)
    approved(world, traffic_light="risico", explanation="Vrijwilligers zijn afgehaakt.",
             lessons=[{"learning_question": world.question, "text": LESSON_TEXT}])
    # A draft of the other initiative in the same period: it must not appear anywhere.
    other = ops.create_draft(world.other, world.period, world.other_owner)
    ops.update_draft(other, content(world, done=DRAFT_TEXT, lessons=[], risks=[], indicator_values=[],
                                    spending=[]), world.other_owner)
    return world


@pytest.fixture()
def gs_pdf(app, world):
    period = parse_span("2090-K1")
    report = build_content(GS_QUARTERLY, period)
    return report, render_pdf(report)


def test_gs_report_text_holds_period_budget_statuses_and_lesson(db, world, gs_pdf):
    report, pdf = gs_pdf
    text = _text(pdf)
    assert "eerste kwartaal 2090" in text
    assert "Voortgangsrapportage GS, eerste kwartaal 2090" in text
    # Budget totals computed from Figuur 3: 5.6 + 11.2 million.
    assert "€ 16.800.000" in text
    assert "€ 1.500" in text  # spent on the test initiative's line, from the approved update
    # Every initiative is listed with its status.
    for initiative in db.session.scalars(select(Initiative).where(Initiative.is_archived.is_(False))):
        assert initiative.name[:25] in text, initiative.name
    section = next(s for s in report.sections if s.initiative.id == world.initiative.id)
    assert section.light_label == "Risico"
    assert re.search(r"Testinitiatief A\s*Risico", text)
    assert re.search(r"Testinitiatief B\s*Geen goedgekeurd bericht", text)
    assert LESSON_TEXT in text
    assert "Vrijwilligers zijn afgehaakt." in text
    assert DRAFT_TEXT not in text
    # The reconciliation differences of the sources are shown, not hidden.
    assert "+ € 33.979" in text and "- € 33.979" not in text
    assert "Zorgbelang" in text


def test_a_final_report_has_no_watermark_and_no_provisional_warning(gs_pdf):
    report, pdf = gs_pdf
    assert not report.is_provisional and report.reference_date == report.span.ends_on
    pages, marked, as_content = watermark_pages(pdf)
    assert pages > 5 and marked == 0 and as_content == 0
    assert "Voorlopige rapportage" not in _text(pdf)


def test_provisional_factsheet_carries_watermark_and_warning(app, db, world):
    period = parse_span("2090-K1")
    read_at = datetime(2090, 2, 14, 9, 30, tzinfo=UTC)
    sheet = build_content(FACTSHEET, period, initiative=world.initiative, provisional=True, data_as_of=read_at)
    initiative = world.initiative
    assert sheet.title == f"Voorlopige factsheet {initiative.number} {initiative.name}, eerste kwartaal 2090"
    pdf = render_pdf(sheet)
    pages, marked, as_content = watermark_pages(pdf)
    assert pages == marked == 1 and as_content == 0
    text = _text(pdf)
    assert "Voorlopige rapportage." in text
    assert "het eerste kwartaal 2090, dat nog loopt tot en met 31 maart 2090" in text
    assert "gegevens tot en met 14 februari 2090 om 10:30" in text  # Amsterdam time
    # The peildatum is the day the data were read, not the end of the period.
    assert "peildatum 14 februari 2090" in text and "peildatum 31 maart 2090" not in text


def test_pdf_declares_title_language_tags_and_embeds_fonts(gs_pdf):
    report, pdf = gs_pdf
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert reader.metadata.title == report.title
    assert root["/Lang"] == "nl"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle"))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            assert descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.add(str(font["/BaseFont"]))
    assert any("Report-Sans" in name for name in fonts)  # the bundled static/fonts
    assert len(reader.pages) > 5
    assert reader.outline, "headings become bookmarks"


def test_table_of_contents_has_page_references(gs_pdf):
    _report, pdf = gs_pdf
    toc_page = PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
    assert "Inhoud" in toc_page
    assert re.search(r"Wat kost het\s*\.*\s*\d+", toc_page)


def test_ps_report_spans_the_half_year_and_factsheet_is_one_initiative(app, db, world):
    ps = build_content(PS_HALF_YEARLY, parse_span("2090-H1"))
    assert ps.span.starts_on.month == 1 and ps.span.ends_on.month == 6
    section = next(s for s in ps.sections if s.initiative.id == world.initiative.id)
    assert section.update is not None  # the quarter's approved update lies inside the half year
    pdf_text = _text(render_pdf(ps))
    assert "eerste halfjaar 2090" in pdf_text and "Provinciale Staten" in pdf_text

    sheet = build_content(FACTSHEET, parse_span("2090-K1"), initiative=world.initiative)
    assert [s.initiative.id for s in sheet.sections] == [world.initiative.id]
    pdf = render_pdf(sheet)
    text = _text(pdf)
    assert LESSON_TEXT in text and "Testinitiatief B" not in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_tables_for_excel_have_numbers_and_match_the_pdf(world, gs_pdf):
    report, _pdf = gs_pdf
    tables = {t.key: t for t in report.tables}
    sources = tables["bronnen"]
    # Like with like: the initiatives' spending against the initiatives' own budget lines, never
    # against the programme budget of Figuur 3 (€ 16.800.000) or ZET's allocation to the prestaties.
    lines = (world.line_province, world.line_zet, world.other_line)
    assert sources.footer[1] == sum(line.amount for line in lines)
    zet = next(row for row in sources.rows if row[0] == "ZET")
    assert zet[1] == world.line_zet.amount
    lessons = tables["lessen"]
    assert any(LESSON_TEXT in row[3] for row in lessons.rows)
    assert all(DRAFT_TEXT not in str(cell) for table in report.tables for row in table.rows for cell in row)


def test_indicator_traffic_light_follows_target_and_direction(world, gs_pdf):
    report, _pdf = gs_pdf
    section = next(s for s in report.sections if s.initiative.id == world.initiative.id)
    line = next(line for line in section.indicators if line.indicator.id == world.indicator.id)
    assert line.actual == Decimal("40")
    assert line.light is None or line.light_label  # no baseline/target in the test world: no judgement
    line.indicator.baseline_value, line.target = Decimal("30"), Decimal("50")
    assert line.light == "aandacht"
    line.target = Decimal("40")
    assert line.light == "op_koers"
    line.indicator.higher_is_better = False
    line.target = Decimal("20")
    assert line.light == "risico"


def test_fetcher_refuses_everything_outside_static(app, tmp_path):
    fetcher = StaticOnlyFetcher(app.static_folder)
    for url in ("https://example.org/x.css", "file:///etc/passwd",
                f"file://{app.static_folder}/../programme/__init__.py"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    response = fetcher.fetch(f"file://{app.static_folder}/css/report.css")
    assert b"@page" in response.read()
    response.close()
