"""The reports a newcomer sees after `make run`, built from the example data (`flask example-data`),
pass both PDF/UA-1 checkers (outloud and page-validation) with 0 errors, carry "Voorbeeldgegevens",
and every factsheet of an example initiative fits one A4 page. The example history is loaded for
this module and removed after it (removal restores the seeded database exactly: test_example_data).

The reports are the ones the example loader issued through the real build (the archive's PDFs,
read from disk), plus a provisional one for the running quarter, which a manager can ask for too."""
import io
from datetime import date

import outloud
import page
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.reports.rendering.content import build_content
from programme.reports.kinds import FACTSHEET, GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports.models import IssuedReport
from programme.reports.rendering.pdf import render_pdf
from programme.reports.spans import parse_span
from programme.seed.example import load_example_data, remove_example_data
from programme.seed.models import ExampleRecord
from programme.reports import archive
from tests.test_report_accessibility import _findings

pytestmark = pytest.mark.slow  # the reports are rendered and checked once per module

TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def example(app):
    with app.app_context():
        assert load_example_data(today=TODAY), "example data was already present"
    yield
    with app.app_context():
        _db.session.rollback()
        remove_example_data()


@pytest.fixture(scope="module")
def pdfs(app, example, tmp_path_factory) -> dict:
    """The issued example reports by kind (the archive's files), and a provisional GS report of the
    running quarter rendered from the same data."""
    folder = tmp_path_factory.mktemp("example-reports")
    out = {}
    with app.app_context():
        example_ids = select(ExampleRecord.record_id).where(ExampleRecord.table_name == IssuedReport.__tablename__)
        for report in _db.session.scalars(select(IssuedReport).where(IssuedReport.id.in_(example_ids))
                                          .order_by(IssuedReport.id)):
            data = (archive.reports_dir() / report.stored_name).read_bytes()
            key = f"{report.kind}-{report.period_code}"
            (folder / f"{key}.pdf").write_bytes(data)
            out[key] = (data, folder / f"{key}.pdf")
        content = build_content(GS_QUARTERLY, parse_span("2026-K4"), provisional=True)
        data = render_pdf(content)
        (folder / "voorlopig.pdf").write_bytes(data)
        out["voorlopig"] = (data, folder / "voorlopig.pdf")
    return out


def test_the_example_issued_every_report_kind(pdfs):
    kinds = {key.split("-")[0] for key in pdfs if key != "voorlopig"}
    assert kinds == {GS_QUARTERLY, PS_HALF_YEARLY, FACTSHEET}


def test_every_example_report_passes_outloud_without_errors(pdfs):
    for key, (_pdf, path) in pdfs.items():
        result = outloud.check(str(path))
        assert result.error is None, (key, result.error)
        assert result.stats["tagged"], key
        assert result.errors == 0, (key, _findings(result, "error"))
        assert _findings(result, "warning") == [], key


def test_every_example_report_is_pdf_ua_1_compliant_for_page(pdfs):
    for key, (pdf, _path) in pdfs.items():
        report = page.validate_pdf_bytes(pdf, profile="ua1")
        assert report.rules.total > 0, key
        assert [(f.rule_id, f.message) for f in report.failures] == [], key
        assert report.is_compliant, key


def test_every_example_report_says_it_holds_example_data(pdfs):
    for key, (pdf, _path) in pdfs.items():
        pages = PdfReader(io.BytesIO(pdf)).pages
        assert all("Voorbeeldgegevens" in p.extract_text() for p in pages), key
    # The provisional one says so on its cover (the watermark itself is an artifact: see outloud above).
    cover = PdfReader(io.BytesIO(pdfs["voorlopig"][0])).pages[0].extract_text().lower()
    assert "voorlopige" in cover


def test_every_example_initiatives_factsheet_is_one_page(app, example):
    with app.app_context():
        from programme.initiatives.models import Initiative
        from programme.progress.models import ProgressUpdate, ProgressRound

        quarter = parse_span("2026-K3")
        numbers = _db.session.scalars(
            select(Initiative).join(ProgressUpdate).join(ProgressRound)
            .where(ProgressRound.code == quarter.code, ProgressUpdate.status == "approved")).unique().all()
        assert len(numbers) >= 5
        for initiative in numbers:
            pdf = render_pdf(build_content(FACTSHEET, quarter, initiative=initiative))
            assert len(PdfReader(io.BytesIO(pdf)).pages) == 1, initiative.number
