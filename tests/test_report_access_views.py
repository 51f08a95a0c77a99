"""Who may see the report pages over HTTP: the owner refused everywhere, the reader listing and downloading.

The reader may not ask, retry or manage; every refusal is audited and changes nothing. Forged ids
are 404 for the manager, and a file is only ever read from the archive's own generated name."""
import hashlib
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.reports.archive import reports_dir
from programme.reports.kinds import GS_QUARTERLY
from programme.reports.models import FAILED, Delivery, IssuedReport
from tests.conftest import csrf_token
from tests.editing_helpers import last_audit, signed_in
from tests.report_helpers import (PDF, clean_reports, download, make_report,  # noqa: F401  (fixture)
                                  queued_build, refusal_count, table_rows)

pytestmark = pytest.mark.usefixtures("clean_reports")


# ---------------------------------------------------------------- rights

def test_owner_is_refused_everywhere_and_each_refusal_is_audited(app):
    report_id = make_report(app)
    build_id = queued_build(app)
    client = signed_in(app, "owner")
    before = refusal_count(app)
    paths = ["/rapportages", f"/rapportages/{report_id}/pdf", f"/rapportages/{report_id}/excel",
             f"/rapportages/opdrachten/{build_id}", f"/rapportages/opdrachten/{build_id}/status",
             "/rapportages/aanvragen", "/rapportages/planning", "/rapportages/ontvangers",
             "/rapportages/999999/pdf"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"%PDF" not in response.data
    assert refusal_count(app) == before + len(paths)
    entry = last_audit(app, "request.refuse")
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

    response = download(client, f"/rapportages/{report_id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and re.search(r"testrapportage-\d+-v1\.pdf", disposition)
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    excel = download(client, f"/rapportages/{report_id}/excel")
    assert excel.status_code == 200
    assert excel.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert excel.headers["Content-Disposition"].startswith("attachment")
    assert re.search(r"testrapportage-\d+-v1\.xlsx", excel.headers["Content-Disposition"])
    assert "no-store" in excel.headers["Cache-Control"]
    workbook = load_workbook(io.BytesIO(excel.data))
    assert workbook["Begroting"]["B2"].value == 1234.5


def test_reader_may_not_ask_retry_or_manage(app):
    report_id = make_report(app, deliveries=[("mislukt@test.example", FAILED, 5, "Het adres is geweigerd")])
    build_id = queued_build(app, status=FAILED, error="ValueError: test")
    with app.app_context():
        delivery_id = _db.session.scalar(select(Delivery.id).where(Delivery.report_id == report_id))
    client = signed_in(app, "reader")
    token = csrf_token(client.get("/rapportages"))
    before, snapshot = refusal_count(app), table_rows(app)
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
    assert refusal_count(app) == before + 4 + len(posts)
    assert table_rows(app) == snapshot

    # The reader may follow a build, but sees neither the technical reason nor the retry button.
    page = client.get(f"/rapportages/opdrachten/{build_id}").get_data(as_text=True)
    assert "ValueError" not in page and "Opnieuw proberen" not in page
    assert client.get(f"/rapportages/opdrachten/{build_id}/status").get_json()["error"] is None
    # Nor the manager's button to send a delivery again.
    assert "Opnieuw versturen" not in client.get("/rapportages").get_data(as_text=True)


def test_pages_need_sign_in(client):
    for path in ["/rapportages", "/rapportages/1/pdf", "/rapportages/opdrachten/1/status"]:
        response = client.get(path)
        assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]



# ---------------------------------------------------------------- forged ids and file paths

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

