"""The generated PDF, read back: period, budget totals, every initiative's status, an approved
lesson, no draft text; title, language, tags and embedded fonts. Built inside the test's own
transaction (never committed)."""
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from programme.initiatives.models import Initiative
from programme.progress import operations as ops
from programme.reports.content import build_content
from programme.reports.models import FACTSHEET, GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports.pdf import StaticOnlyFetcher, render_pdf
from programme.reports.periods import parse_period
from tests.progress_helpers import approved, content, make_world

DRAFT_TEXT = "Conceptzin-die-nooit-in-een-rapport-mag-staan"
LESSON_TEXT = "Bewoners komen pas als hun buren het vragen"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


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
    period = parse_period("2090-K1")
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
    assert "+ € 33.979" not in text or "- € 33.979" in text
    assert "Zorgbelang" in text


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
    ps = build_content(PS_HALF_YEARLY, parse_period("2090-H1"))
    assert ps.period.starts_on.month == 1 and ps.period.ends_on.month == 6
    section = next(s for s in ps.sections if s.initiative.id == world.initiative.id)
    assert section.update is not None  # the quarter's approved update lies inside the half year
    pdf_text = _text(render_pdf(ps))
    assert "eerste halfjaar 2090" in pdf_text and "Provinciale Staten" in pdf_text

    sheet = build_content(FACTSHEET, parse_period("2090-K1"), initiative=world.initiative)
    assert [s.initiative.id for s in sheet.sections] == [world.initiative.id]
    pdf = render_pdf(sheet)
    text = _text(pdf)
    assert LESSON_TEXT in text and "Testinitiatief B" not in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_tables_for_excel_have_numbers_and_match_the_pdf(world, gs_pdf):
    report, _pdf = gs_pdf
    tables = {t.key: t for t in report.tables}
    sources = tables["bronnen"]
    assert sources.footer[1] == Decimal("16800000.00")
    zet = next(row for row in sources.rows if row[0] == "ZET")
    assert zet[1] == Decimal("2133000.00")
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
