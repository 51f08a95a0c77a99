"""The manager asking for a report over HTTP and following its build, retries included.

Refusals change nothing and are audited: a second request for a report already open, too many
builds waiting, a choice the form did not offer, a missing CSRF token, a retry of a build that did
not fail."""
import re

import pytest
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from programme.reports.kinds import FACTSHEET, GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports.models import DONE, FAILED, QUEUED, RUNNING, ReportBuild
from tests.conftest import csrf_token
from tests.editing_helpers import last_audit, signed_in
from tests.report_helpers import (QUARTERS, ask_report, clean_reports, make_report,  # noqa: F401  (fixture)
                                  queued_build, refusal_count, row_count, table_rows)

pytestmark = pytest.mark.usefixtures("clean_reports")


# ---------------------------------------------------------------- asking

def test_manager_asks_and_is_sent_to_the_build_page(app):
    client = signed_in(app, "manager")
    response = ask_report(client, period=QUARTERS[1])
    assert response.status_code == 302
    match = re.fullmatch(r"/rapportages/opdrachten/(\d+)", response.headers["Location"])
    assert match
    build_id = int(match.group(1))
    with app.app_context():
        build = _db.session.get(ReportBuild, build_id)
        assert (build.kind, build.period_code, build.status) == (GS_QUARTERLY, QUARTERS[1], QUEUED)
        assert build.requested_by.email == "manager@test.example"
    assert last_audit(app, "report.request").object_id == build_id

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


def test_a_second_request_for_the_same_report_is_refused_while_one_is_open(app):
    client = signed_in(app, "manager")
    first = ask_report(client, period=QUARTERS[4])
    assert first.status_code == 302
    builds, refusals = row_count(app, ReportBuild), refusal_count(app)
    second = ask_report(client, period=QUARTERS[4])
    assert second.status_code == 429
    html = second.get_data(as_text=True)
    assert "staat al in de wachtrij of wordt gemaakt" in html
    assert f'href="{first.headers["Location"]}">Bekijk de opdracht die al loopt</a>' in html
    assert row_count(app, ReportBuild) == builds and refusal_count(app) == refusals + 1
    # Another period is a different report.
    assert ask_report(client, period=QUARTERS[5]).status_code == 302


def test_a_person_has_only_a_few_builds_waiting(app):
    client = signed_in(app, "manager")
    for period in (QUARTERS[2], QUARTERS[3], QUARTERS[6]):
        assert ask_report(client, period=period).status_code == 302
    builds = row_count(app, ReportBuild)
    response = ask_report(client, period=QUARTERS[7])
    assert response.status_code == 429
    assert "U heeft al 3 rapportages in de wachtrij" in response.get_data(as_text=True)
    assert row_count(app, ReportBuild) == builds


def test_factsheet_needs_an_initiative_and_kinds_need_their_own_periods(app):
    client = signed_in(app, "manager")
    builds = row_count(app, ReportBuild)
    html = ask_report(client, kind=FACTSHEET).get_data(as_text=True)
    assert "Kies het initiatief waarvoor u een factsheet wilt." in html
    html = ask_report(client, kind=PS_HALF_YEARLY, period=QUARTERS[1]).get_data(as_text=True)
    assert "Kies een halfjaar voor de PS-rapportage." in html
    html = ask_report(client, kind="iets-anders").get_data(as_text=True)
    assert "Kies uit de getoonde mogelijkheden." in html
    html = ask_report(client, period="1999-K1").get_data(as_text=True)
    assert "Kies uit de getoonde mogelijkheden." in html
    assert row_count(app, ReportBuild) == builds

    with app.app_context():
        initiative = _db.session.scalar(select(Initiative).where(Initiative.number == "1.1.3"))
        initiative_id = initiative.id
    html = ask_report(client, kind=GS_QUARTERLY, initiative=str(initiative_id)).get_data(as_text=True)
    assert "Een initiatief hoort alleen bij een factsheet" in html
    response = ask_report(client, kind=FACTSHEET, initiative=str(initiative_id))
    assert response.status_code == 302
    with app.app_context():
        build = _db.session.scalar(select(ReportBuild).order_by(ReportBuild.id.desc()).limit(1))
        assert build.kind == FACTSHEET and build.initiative_id == initiative_id
    # A forged initiative id is not one of the choices.
    html = ask_report(client, kind=FACTSHEET, initiative="999999").get_data(as_text=True)
    assert "Kies uit de getoonde mogelijkheden." in html


def test_ask_and_retry_need_a_csrf_token(app):
    client = signed_in(app, "manager")
    build_id = queued_build(app, status=FAILED, error="RuntimeError: kapot")
    snapshot, refusals = table_rows(app), refusal_count(app)
    response = client.post("/rapportages/aanvragen", data={"kind": GS_QUARTERLY, "period": "2026-K1",
                                                          "initiative": ""})
    assert response.status_code == 400
    assert client.post(f"/rapportages/opdrachten/{build_id}/opnieuw", data={"csrf_token": "vals"}).status_code == 400
    assert table_rows(app) == snapshot
    assert refusal_count(app) == refusals + 2



# ---------------------------------------------------------------- following a build and retrying it

def test_status_of_a_running_and_a_finished_build(app):
    report_id = make_report(app, title="Klaar-rapport")
    running = queued_build(app, status=RUNNING, progress=40, progress_label="Opmaak en grafieken")
    done = queued_build(app, period="2025-K4", status=DONE, progress=100, progress_label="Klaar",
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


def test_failed_build_shows_the_reason_and_can_be_retried(app):
    build_id = queued_build(app, status=FAILED, error="RuntimeError: lettertype ontbreekt", progress=40)
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
    assert last_audit(app, "report.retry").object_id == build_id

    # A build that is not failed cannot be retried: a Dutch message and nothing changes.
    snapshot = table_rows(app)
    response = client.post(f"/rapportages/opdrachten/{build_id}/opnieuw", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert "Alleen een mislukte rapportage kan opnieuw worden gemaakt." in response.get_data(as_text=True)
    assert table_rows(app) == snapshot


def test_retry_is_refused_while_the_same_report_is_already_open(app):
    failed = queued_build(app, period="2025-K1", status=FAILED, error="RuntimeError: x")
    queued_build(app, period="2025-K1", status=QUEUED)
    client = signed_in(app, "manager")
    page = client.get(f"/rapportages/opdrachten/{failed}")
    response = client.post(f"/rapportages/opdrachten/{failed}/opnieuw", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert "staat al in de wachtrij of wordt gemaakt" in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.get(ReportBuild, failed).status == FAILED

