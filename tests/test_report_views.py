"""The report pages over HTTP: who may see the archive and download, the manager asking for a report
and following its build, refusals (nothing changes, the refusal is audited), CSRF, forged ids,
schedules and recipients.

Tests that need an issued report create the archive row and a small PDF directly (make_report), so
they do not depend on the PDF renderer. The archive files a test makes are removed afterwards (clean_reports)."""
import hashlib
import io
import itertools
import re
import secrets
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from programme.accounts.operations import find_user
from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from programme.reports.models import (DONE, FAILED, PENDING, QUEUED, RUNNING, Delivery, IssuedReport, ReportBuild,
                                      ReportRecipient, ReportSchedule)
from programme.reports.kinds import FACTSHEET, GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports.spans import parse_span, recent_spans
from programme.reports.rendering.tables import Column, ReportTable
from programme.reports.archive import reports_dir
from programme.reports.operations import request_report
from tests.conftest import csrf_token, form_version, login

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_counter = itertools.count(1)
# The quarters the ask form offers today, newest first.
QUARTERS = [p.code for p in recent_spans(GS_QUARTERLY, datetime.now(UTC).date())]
TRACKED = (Delivery, ReportBuild, IssuedReport, ReportRecipient, ReportSchedule)


# ---------------------------------------------------------------- helpers and fixtures

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


def _max_ids() -> dict:
    return {model: _db.session.scalar(select(func.max(model.id))) or 0 for model in TRACKED}


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


pytestmark = pytest.mark.usefixtures("clean_reports")


def signed_in(app, role):
    client = app.test_client()
    assert login(client, role).status_code == 302
    return client


def _count(app, model, *where) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def _refusals(app) -> int:
    return _count(app, AuditEntry, AuditEntry.action == "request.refuse")


def _snapshot(app):
    with app.app_context():
        return {model.__tablename__: _db.session.execute(select(model.__table__).order_by(model.id)).all()
                for model in TRACKED}


def _last_audit(app, action):
    with app.app_context():
        return _db.session.scalar(select(AuditEntry).where(AuditEntry.action == action)
                                  .order_by(AuditEntry.id.desc()).limit(1))


def _download(client, path):
    """GET a file and close the response (send_file keeps the file open until then)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def _ask(client, **data):
    page = client.get("/rapportages/aanvragen")
    assert page.status_code == 200
    form = {"kind": GS_QUARTERLY, "period": QUARTERS[1], "initiative": "", "csrf_token": csrf_token(page)}
    form.update(data)
    return client.post("/rapportages/aanvragen", data=form)


def _queued_build(app, kind=GS_QUARTERLY, period="2026-K1", status=QUEUED, **values) -> int:
    with app.app_context():
        manager = find_user("manager@test.example")
        build = request_report(kind, parse_span(period), user=manager)
        build.status = status
        for key, value in values.items():
            setattr(build, key, value)
        _db.session.commit()
        return build.id


# ---------------------------------------------------------------- rights

def test_owner_is_refused_everywhere_and_each_refusal_is_audited(app):
    report_id = make_report(app)
    build_id = _queued_build(app)
    client = signed_in(app, "owner")
    before = _refusals(app)
    paths = ["/rapportages", f"/rapportages/{report_id}/pdf", f"/rapportages/{report_id}/excel",
             f"/rapportages/opdrachten/{build_id}", f"/rapportages/opdrachten/{build_id}/status",
             "/rapportages/aanvragen", "/rapportages/planning", "/rapportages/ontvangers",
             "/rapportages/999999/pdf"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"%PDF" not in response.data
    assert _refusals(app) == before + len(paths)
    entry = _last_audit(app, "request.refuse")
    assert entry.result == "refused" and entry.object_label == "/rapportages/999999/pdf"
    assert "Rapportages" not in client.get("/").get_data(as_text=True)


def test_reader_lists_and_downloads(app):
    report_id = make_report(app, title="Voortgang GS eerste kwartaal")
    client = signed_in(app, "reader")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/rapportages"' in home

    html = client.get("/rapportages").get_data(as_text=True)
    assert "Voortgang GS eerste kwartaal" in html
    assert hashlib.sha256(PDF).hexdigest() in html
    assert f"/rapportages/{report_id}/pdf" in html and f"/rapportages/{report_id}/excel" in html
    assert "Rapportage aanvragen" not in html  # the manager's sub-navigation

    response = _download(client, f"/rapportages/{report_id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and re.search(r"testrapportage-\d+-v1\.pdf", disposition)
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    excel = _download(client, f"/rapportages/{report_id}/excel")
    assert excel.status_code == 200
    assert excel.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert excel.headers["Content-Disposition"].startswith("attachment")
    assert re.search(r"testrapportage-\d+-v1\.xlsx", excel.headers["Content-Disposition"])
    assert "no-store" in excel.headers["Cache-Control"]
    workbook = load_workbook(io.BytesIO(excel.data))
    assert workbook["Begroting"]["B2"].value == 1234.5


def test_reader_may_not_ask_retry_or_manage(app):
    report_id = make_report(app, deliveries=[("mislukt@test.example", FAILED, 5, "Het adres is geweigerd")])
    build_id = _queued_build(app, status=FAILED, error="ValueError: test")
    with app.app_context():
        delivery_id = _db.session.scalar(select(Delivery.id).where(Delivery.report_id == report_id))
    client = signed_in(app, "reader")
    token = csrf_token(client.get("/rapportages"))
    before, snapshot = _refusals(app), _snapshot(app)
    for path in ["/rapportages/aanvragen", "/rapportages/planning", "/rapportages/planning/nieuw",
                 "/rapportages/ontvangers"]:
        assert client.get(path).status_code == 403, path
    posts = {
        "/rapportages/aanvragen": {"kind": GS_QUARTERLY, "period": "2026-K1", "initiative": ""},
        f"/rapportages/opdrachten/{build_id}/opnieuw": {},
        f"/rapportages/verzendingen/{delivery_id}/opnieuw": {},
        "/rapportages/planning/nieuw": {"name": "Stiekem", "kind": GS_QUARTERLY, "days_after_period": "1",
                                        "hour": "6", "starts_on": "2026-01-01"},
        "/rapportages/ontvangers": {"kind": GS_QUARTERLY, "email": "stiekem@test.example"},
    }
    for path, data in posts.items():
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    assert _refusals(app) == before + 4 + len(posts)
    assert _snapshot(app) == snapshot

    # The reader may follow a build, but sees neither the technical reason nor the retry button.
    page = client.get(f"/rapportages/opdrachten/{build_id}").get_data(as_text=True)
    assert "ValueError" not in page and "Opnieuw proberen" not in page
    assert client.get(f"/rapportages/opdrachten/{build_id}/status").get_json()["error"] is None
    # Nor the manager's button to send a delivery again.
    assert "Opnieuw versturen" not in client.get("/rapportages").get_data(as_text=True)


# ---------------------------------------------------------------- asking and following a build

def test_manager_asks_and_is_sent_to_the_build_page(app):
    client = signed_in(app, "manager")
    response = _ask(client, period=QUARTERS[1])
    assert response.status_code == 302
    match = re.fullmatch(r"/rapportages/opdrachten/(\d+)", response.headers["Location"])
    assert match
    build_id = int(match.group(1))
    with app.app_context():
        build = _db.session.get(ReportBuild, build_id)
        assert (build.kind, build.period_code, build.status) == (GS_QUARTERLY, QUARTERS[1], QUEUED)
        assert build.requested_by.email == "manager@test.example"
    assert _last_audit(app, "report.request").object_id == build_id

    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<progress id="build-bar" max="100" value="0">' in html
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert f'data-status-url="/rapportages/opdrachten/{build_id}/status"' in html
    assert ">Vernieuwen</a>" in html
    # Strict CSP: the only script is the static file.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/static/js/report-progress.js" defer>']
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]

    state = client.get(f"/rapportages/opdrachten/{build_id}/status")
    assert state.mimetype == "application/json" and "no-store" in state.headers["Cache-Control"]
    data = state.get_json()
    assert data["status"] == "queued" and data["progress"] == 0 and data["finished"] is False
    assert data["message"].startswith("In de wachtrij") and data["pdf_url"] is None


def test_status_of_a_running_and_a_finished_build(app):
    report_id = make_report(app, title="Klaar-rapport")
    running = _queued_build(app, status=RUNNING, progress=40, progress_label="Opmaak en grafieken")
    done = _queued_build(app, period="2025-K4", status=DONE, progress=100, progress_label="Klaar",
                         report_id=report_id)
    client = signed_in(app, "manager")
    data = client.get(f"/rapportages/opdrachten/{running}/status").get_json()
    assert data["progress"] == 40 and data["message"] == "Wordt gemaakt: Opmaak en grafieken (40%)."
    data = client.get(f"/rapportages/opdrachten/{done}/status").get_json()
    assert data["finished"] is True and data["pdf_url"] == f"/rapportages/{report_id}/pdf"
    assert data["excel_url"] == f"/rapportages/{report_id}/excel"
    assert data["report_title"] == "Klaar-rapport (versie 1)"
    html = client.get(f"/rapportages/opdrachten/{done}").get_data(as_text=True)
    assert f'href="/rapportages/{report_id}/pdf"' in html
    assert re.search(r'<div id="build-done">', html) and re.search(r'<div id="build-failed" hidden>', html)


def test_a_second_request_for_the_same_report_is_refused_while_one_is_open(app):
    client = signed_in(app, "manager")
    first = _ask(client, period=QUARTERS[4])
    assert first.status_code == 302
    builds, refusals = _count(app, ReportBuild), _refusals(app)
    second = _ask(client, period=QUARTERS[4])
    assert second.status_code == 429
    html = second.get_data(as_text=True)
    assert "staat al in de wachtrij of wordt gemaakt" in html
    assert f'href="{first.headers["Location"]}">Bekijk de opdracht die al loopt</a>' in html
    assert _count(app, ReportBuild) == builds and _refusals(app) == refusals + 1
    # Another period is a different report.
    assert _ask(client, period=QUARTERS[5]).status_code == 302


def test_a_person_has_only_a_few_builds_waiting(app):
    client = signed_in(app, "manager")
    for period in (QUARTERS[2], QUARTERS[3], QUARTERS[6]):
        assert _ask(client, period=period).status_code == 302
    builds = _count(app, ReportBuild)
    response = _ask(client, period=QUARTERS[7])
    assert response.status_code == 429
    assert "U heeft al 3 rapportages in de wachtrij" in response.get_data(as_text=True)
    assert _count(app, ReportBuild) == builds


def test_factsheet_needs_an_initiative_and_kinds_need_their_own_periods(app):
    client = signed_in(app, "manager")
    builds = _count(app, ReportBuild)
    html = _ask(client, kind=FACTSHEET).get_data(as_text=True)
    assert "Kies het initiatief waarvoor u een factsheet wilt." in html
    html = _ask(client, kind=PS_HALF_YEARLY, period=QUARTERS[1]).get_data(as_text=True)
    assert "Kies een halfjaar voor de PS-rapportage." in html
    html = _ask(client, kind="iets-anders").get_data(as_text=True)
    assert "Kies uit de getoonde mogelijkheden." in html
    html = _ask(client, period="1999-K1").get_data(as_text=True)
    assert "Kies uit de getoonde mogelijkheden." in html
    assert _count(app, ReportBuild) == builds

    with app.app_context():
        initiative = _db.session.scalar(select(Initiative).where(Initiative.number == "1.1.3"))
        initiative_id = initiative.id
    html = _ask(client, kind=GS_QUARTERLY, initiative=str(initiative_id)).get_data(as_text=True)
    assert "Een initiatief hoort alleen bij een factsheet" in html
    response = _ask(client, kind=FACTSHEET, initiative=str(initiative_id))
    assert response.status_code == 302
    with app.app_context():
        build = _db.session.scalar(select(ReportBuild).order_by(ReportBuild.id.desc()).limit(1))
        assert build.kind == FACTSHEET and build.initiative_id == initiative_id
    # A forged initiative id is not one of the choices.
    html = _ask(client, kind=FACTSHEET, initiative="999999").get_data(as_text=True)
    assert "Kies uit de getoonde mogelijkheden." in html


def test_ask_and_retry_need_a_csrf_token(app):
    client = signed_in(app, "manager")
    build_id = _queued_build(app, status=FAILED, error="RuntimeError: kapot")
    snapshot, refusals = _snapshot(app), _refusals(app)
    response = client.post("/rapportages/aanvragen", data={"kind": GS_QUARTERLY, "period": "2026-K1",
                                                          "initiative": ""})
    assert response.status_code == 400
    assert client.post(f"/rapportages/opdrachten/{build_id}/opnieuw", data={"csrf_token": "vals"}).status_code == 400
    assert _snapshot(app) == snapshot
    assert _refusals(app) == refusals + 2


def test_failed_build_shows_the_reason_and_can_be_retried(app):
    build_id = _queued_build(app, status=FAILED, error="RuntimeError: lettertype ontbreekt", progress=40)
    client = signed_in(app, "manager")
    page = client.get(f"/rapportages/opdrachten/{build_id}")
    html = page.get_data(as_text=True)
    assert "Het maken van de rapportage is mislukt." in html
    assert "RuntimeError: lettertype ontbreekt" in html and "Opnieuw proberen" in html
    assert f"/rapportages/opdrachten/{build_id}/status" in html
    response = client.post(f"/rapportages/opdrachten/{build_id}/opnieuw", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with app.app_context():
        build = _db.session.get(ReportBuild, build_id)
        assert build.status == QUEUED and build.error is None and build.progress == 0
    assert _last_audit(app, "report.retry").object_id == build_id

    # A build that is not failed cannot be retried: a Dutch message and nothing changes.
    snapshot = _snapshot(app)
    response = client.post(f"/rapportages/opdrachten/{build_id}/opnieuw", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert "Alleen een mislukte rapportage kan opnieuw worden gemaakt." in response.get_data(as_text=True)
    assert _snapshot(app) == snapshot


def test_retry_is_refused_while_the_same_report_is_already_open(app):
    failed = _queued_build(app, period="2025-K1", status=FAILED, error="RuntimeError: x")
    _queued_build(app, period="2025-K1", status=QUEUED)
    client = signed_in(app, "manager")
    page = client.get(f"/rapportages/opdrachten/{failed}")
    response = client.post(f"/rapportages/opdrachten/{failed}/opnieuw", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert "staat al in de wachtrij of wordt gemaakt" in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.get(ReportBuild, failed).status == FAILED


def test_forged_ids_are_404_for_the_manager(app):
    client = signed_in(app, "manager")
    token = csrf_token(client.get("/rapportages"))
    for path in ["/rapportages/999999/pdf", "/rapportages/999999/excel", "/rapportages/opdrachten/999999",
                 "/rapportages/opdrachten/999999/status", "/rapportages/planning/999999/bewerken"]:
        assert client.get(path).status_code == 404, path
    for path in ["/rapportages/opdrachten/999999/opnieuw", "/rapportages/verzendingen/999999/opnieuw",
                 "/rapportages/planning/999999/stoppen", "/rapportages/ontvangers/999999/verwijderen"]:
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    assert client.get("/rapportages/abc/pdf").status_code == 404


def test_the_file_path_comes_only_from_the_generated_stored_name(app):
    # A row whose stored name is not one of ours (as if tampered with) never reaches the file system.
    outside = reports_dir_parent_file(app)
    try:
        report_id = make_report(app, stored_name="../" + outside.name)
        client = signed_in(app, "manager")
        assert client.get(f"/rapportages/{report_id}/pdf").status_code == 404
    finally:
        outside.unlink()
    # A missing file is a 404 too, not an error page.
    report_id = make_report(app)
    with app.app_context():
        name = _db.session.get(IssuedReport, report_id).stored_name
        (reports_dir() / name).unlink()
    assert client.get(f"/rapportages/{report_id}/pdf").status_code == 404


def reports_dir_parent_file(app):
    with app.app_context():
        path = reports_dir().parent / "niet-van-het-archief.pdf"
    path.write_bytes(PDF)
    return path


# ---------------------------------------------------------------- the archive

def test_archive_shows_delivery_status_with_failures_and_filters_by_kind(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.brabant.test.example")
    gs = make_report(app, title="GS-rapport met verzending", deliveries=[
        ("gelukt@test.example", "sent", 1, None),
        ("mislukt@test.example", FAILED, 5, "Het adres is door de mailserver geweigerd (foutcode 550)."),
        ("wacht@test.example", PENDING, 2, "De mailserver is niet bereikbaar."),
        ("nieuw@test.example", PENDING, 0, None)])
    make_report(app, PS_HALF_YEARLY, title="PS-rapport zonder ontvangers", period_code="2025-H2")
    client = signed_in(app, "manager")
    html = client.get("/rapportages").get_data(as_text=True)
    assert "GS-rapport met verzending" in html and "PS-rapport zonder ontvangers" in html
    assert "Opgegeven na 5 pogingen. Reden: Het adres is door de mailserver geweigerd (foutcode 550)." in html
    assert "Poging 2 van 5 mislukt" in html and "Laatste fout: De mailserver is niet bereikbaar." in html
    assert "Verzonden" in html and "Wacht op verzending" in html
    assert "geen mailserver ingesteld" not in html
    assert "er waren geen ontvangers" in html
    assert "Opnieuw versturen" in html
    # The failed delivery is counted on the page, with a link to the reports it belongs to.
    assert re.search(r"<strong>\d+ verzending(en)? (is|zijn) mislukt</strong>", html)
    only_failed = client.get("/rapportages?verzending=mislukt").get_data(as_text=True)
    assert "GS-rapport met verzending" in only_failed and "PS-rapport zonder ontvangers" not in only_failed

    filtered = client.get(f"/rapportages?soort={PS_HALF_YEARLY}").get_data(as_text=True)
    assert "PS-rapport zonder ontvangers" in filtered and "GS-rapport met verzending" not in filtered
    everything = client.get("/rapportages?soort=<script>").get_data(as_text=True)
    assert "GS-rapport met verzending" in everything and "<script>" not in everything

    with app.app_context():
        delivery_id = _db.session.scalar(select(Delivery.id).where(Delivery.report_id == gs,
                                                                   Delivery.email == "mislukt@test.example"))
    response = client.post(f"/rapportages/verzendingen/{delivery_id}/opnieuw",
                           data={"csrf_token": csrf_token(client.get("/rapportages"))})
    assert response.status_code == 302
    with app.app_context():
        delivery = _db.session.get(Delivery, delivery_id)
        assert delivery.status == PENDING and delivery.attempts == 0
    assert _last_audit(app, "report_delivery.resend").object_id == gs


# ---------------------------------------------------------------- schedules

def test_manager_creates_edits_and_stops_a_schedule(app):
    client = signed_in(app, "manager")
    page = client.get("/rapportages/planning/nieuw")
    assert page.status_code == 200
    response = client.post("/rapportages/planning/nieuw", data={
        "name": "GS na elk kwartaal (test)", "kind": GS_QUARTERLY, "days_after_period": "15", "hour": "6",
        "starts_on": "2026-01-01", "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with app.app_context():
        schedule = _db.session.scalar(select(ReportSchedule).where(ReportSchedule.name == "GS na elk kwartaal (test)"))
        schedule_id = schedule.id
        assert (schedule.days_after_period, schedule.hour, schedule.starts_on) == (15, 6, date(2026, 1, 1))
    assert _last_audit(app, "report_schedule.create").object_id == schedule_id
    html = client.get("/rapportages/planning").get_data(as_text=True)
    assert "GS na elk kwartaal (test)" in html and "15 dagen na de periode, om 06:00 uur" in html
    assert re.search(r"kwartaal \d{4}: \d+ \w+ \d{4} om 06:00", html)  # the next fire time

    # Dutch errors, nothing saved.
    page = client.get(f"/rapportages/planning/{schedule_id}/bewerken")
    response = client.post(f"/rapportages/planning/{schedule_id}/bewerken", data={
        "name": "", "days_after_period": "veel", "hour": "25", "starts_on": "gisteren",
        "csrf_token": csrf_token(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Geef de planning een naam.", "Vul een heel getal in.", "Kies een uur van 0 tot en met 23.",
                    "Vul een geldige datum in"):
        assert message in html
    response = client.post(f"/rapportages/planning/{schedule_id}/bewerken", data={
        "name": "GS na elk kwartaal (test)", "days_after_period": "20", "hour": "7", "starts_on": "2026-01-01",
        "kind": PS_HALF_YEARLY, "csrf_token": csrf_token(page), "version": form_version(page)})
    assert response.status_code == 302
    with app.app_context():
        schedule = _db.session.get(ReportSchedule, schedule_id)
        assert (schedule.days_after_period, schedule.hour, schedule.kind) == (20, 7, GS_QUARTERLY)

    response = client.post(f"/rapportages/planning/{schedule_id}/stoppen", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with app.app_context():
        assert _db.session.get(ReportSchedule, schedule_id).is_active is False
    assert _last_audit(app, "report_schedule.deactivate").object_id == schedule_id
    assert "Gestopt" in client.get("/rapportages/planning").get_data(as_text=True)
    client.post(f"/rapportages/planning/{schedule_id}/aanzetten", data={"csrf_token": csrf_token(page)})
    with app.app_context():
        assert _db.session.get(ReportSchedule, schedule_id).is_active is True


# ---------------------------------------------------------------- recipients

def test_manager_adds_pauses_and_removes_recipients(app):
    client = signed_in(app, "manager")
    page = client.get("/rapportages/ontvangers")
    assert page.status_code == 200
    token = csrf_token(page)
    response = client.post("/rapportages/ontvangers", data={
        "kind": PS_HALF_YEARLY, "email": "  Griffie@Test.Example ", "name": "Griffie", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        recipient = _db.session.scalar(select(ReportRecipient).where(ReportRecipient.email == "griffie@test.example"))
        assert recipient.kind == PS_HALF_YEARLY and recipient.is_active and recipient.name == "Griffie"
        recipient_id = recipient.id
    assert _last_audit(app, "report_recipient.add").object_id == recipient_id
    assert "griffie@test.example" in client.get("/rapportages/ontvangers").get_data(as_text=True)

    count = _count(app, ReportRecipient)
    for email, message in [("geen-adres", "Vul een geldig e-mailadres in"),
                           ("", "Vul het e-mailadres in."),
                           ("griffie@test.example", "ontvangt de informatierapportage voor PS al")]:
        html = client.post("/rapportages/ontvangers", data={"kind": PS_HALF_YEARLY, "email": email,
                                                            "csrf_token": token}).get_data(as_text=True)
        assert message in html, email
        assert 'aria-invalid="true"' in html
    assert _count(app, ReportRecipient) == count

    client.post(f"/rapportages/ontvangers/{recipient_id}/pauzeren", data={"csrf_token": token})
    with app.app_context():
        assert _db.session.get(ReportRecipient, recipient_id).is_active is False
    assert _last_audit(app, "report_recipient.pause").object_id == recipient_id
    client.post(f"/rapportages/ontvangers/{recipient_id}/hervatten", data={"csrf_token": token})
    with app.app_context():
        assert _db.session.get(ReportRecipient, recipient_id).is_active is True
    client.post(f"/rapportages/ontvangers/{recipient_id}/verwijderen", data={"csrf_token": token})
    with app.app_context():
        assert _db.session.get(ReportRecipient, recipient_id) is None
    assert _last_audit(app, "report_recipient.remove").old_values["email"] == "griffie@test.example"


def test_pages_need_sign_in(client):
    for path in ["/rapportages", "/rapportages/1/pdf", "/rapportages/opdrachten/1/status"]:
        response = client.get(path)
        assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]
