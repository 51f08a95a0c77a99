"""Shared by the report tests over HTTP: an archived report made without the renderer, its files removed afterwards.

Tests that need an issued report create the archive row and a small PDF directly (make_report), so
they do not depend on the PDF renderer. The archive files a test makes are removed afterwards
(clean_reports: a test module loads it with `pytestmark = pytest.mark.usefixtures("clean_reports")`
after importing it from here). Also: asking for a report through its form, a queued build, the
refusals counted in the audit trail, and the rows of the report tables to show that nothing changed."""
import hashlib
import itertools
import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from programme.accounts.operations import find_user
from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.reports.archive import reports_dir
from programme.reports.kinds import GS_QUARTERLY
from programme.reports.models import (PENDING, QUEUED, Delivery, IssuedReport, ReportBuild, ReportRecipient,
                                      ReportSchedule)
from programme.reports.operations import request_report
from programme.reports.rendering.tables import Column, ReportTable
from programme.reports.spans import parse_span, recent_spans
from tests.conftest import csrf_token

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_counter = itertools.count(1)
# The quarters the ask form offers today, newest first.
QUARTERS = [p.code for p in recent_spans(GS_QUARTERLY, datetime.now(UTC).date())]
TRACKED = (Delivery, ReportBuild, IssuedReport, ReportRecipient, ReportSchedule)


def make_report(app, kind=GS_QUARTERLY, *, title=None, pdf=PDF, tables=None, stored_name=None,
                period_code="2026-K1", deliveries=()) -> int:
    """An archived report as the builder would leave it, without the renderer. Returns its id."""
    n = next(_counter)
    with app.app_context():
        stored = stored_name or f"{secrets.token_hex(16)}.pdf"
        if stored_name is None:
            (reports_dir() / stored).write_bytes(pdf)
        period = parse_span(period_code)
        if tables is None:
            tables = [ReportTable("budget", "Begroting", [Column("Post"), Column("Bedrag", "money")],
                                  rows=[["Sociale Stad", "1234.50"]]).as_json()]
        report = IssuedReport(
            kind=kind, scope=f"test:{kind}:{n}:{secrets.token_hex(4)}", version=1, period_code=period.code,
            period_label=period.label, title=title or f"Testrapportage {n}", filename=f"testrapportage-{n}-v1.pdf",
            stored_name=stored, size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), made_by_label="Test Manager",
            parameters={"kind": kind, "period": period.code}, data_version="audit:0", tables=tables)
        _db.session.add(report)
        _db.session.flush()
        for email, status, attempts, error in deliveries:
            _db.session.add(Delivery(report_id=report.id, email=email, status=status, attempts=attempts,
                                     last_error=error, next_attempt_dt=datetime.now(UTC) if status == PENDING else None,
                                     sent_dt=datetime.now(UTC) if status == "sent" else None))
        _db.session.commit()
        return report.id


@pytest.fixture()
def clean_reports(app):
    """The files this test adds to the archive folder are removed afterwards (its rows are rolled back
    with the test's transaction)."""
    with app.app_context():
        before = _db.session.scalar(select(func.max(IssuedReport.id))) or 0
    yield
    with app.app_context():
        _db.session.rollback()
        stored = _db.session.scalars(select(IssuedReport.stored_name).where(IssuedReport.id > before)).all()
        for name in stored:
            (reports_dir() / name).unlink(missing_ok=True)


def row_count(app, model, *where) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def refusal_count(app) -> int:
    return row_count(app, AuditEntry, AuditEntry.action == "request.refuse")


def table_rows(app):
    """Every row of the report tables, by table name."""
    with app.app_context():
        return {model.__tablename__: _db.session.execute(select(model.__table__).order_by(model.id)).all()
                for model in TRACKED}


def download(client, path):
    """GET a file and close the response (send_file keeps the file open until then)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def ask_report(client, **data):
    """Post the ask form (a GS quarterly report for the last full quarter unless `data` says otherwise)."""
    page = client.get("/rapportages/aanvragen")
    assert page.status_code == 200
    form = {"kind": GS_QUARTERLY, "period": QUARTERS[1], "initiative": "", "csrf_token": csrf_token(page)}
    form.update(data)
    return client.post("/rapportages/aanvragen", data=form)


def queued_build(app, kind=GS_QUARTERLY, period="2026-K1", status=QUEUED, **values) -> int:
    """A build the manager asked for, set to `status` and `values`. Returns its id."""
    with app.app_context():
        manager = find_user("manager@test.example")
        build = request_report(kind, parse_span(period), user=manager)
        build.status = status
        for key, value in values.items():
            setattr(build, key, value)
        _db.session.commit()
        return build.id
