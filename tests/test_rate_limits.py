"""Issue 11, finding 8: rate limits that hold under parallel requests. Exports, downloads and the preview
share one budget per person, counted atomically in the database (core/rate_limits.py), refused with a
Dutch 429 page and Retry-After; one person has at most three builds open, and two identical builds are
never open at once (a partial unique index). The parallel tests run against four web workers on
PostgreSQL; the others on any database."""
import http.client
import os
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from programme.accounts.operations import create_user, find_user
from programme.core.audit import AuditEntry
from programme.core.rate_limits import RateLimitCounter
from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from programme.progress.update_items import Evidence
from programme.reports.models import DONE, QUEUED, RUNNING, SCHEDULED, IssuedReport, ReportBuild
from programme.reports.kinds import FACTSHEET, GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports.spans import parse_span, recent_spans
from programme.reports.archive import reports_dir
from programme.reports.operations import request_report
from tests.conftest import PASSWORD, csrf_token, login
from tests.http_workers import Browser, on_postgres, parallel
from tests.progress_helpers import client_for, new_draft, upload

pytest_plugins = ["tests.http_workers", "tests.progress_helpers"]

TODAY = datetime.now(UTC).date()
QUARTERS = [p.code for p in recent_spans(GS_QUARTERLY, TODAY)]
HALF_YEARS = [p.code for p in recent_spans(PS_HALF_YEARLY, TODAY)]
TOO_MANY = "U heeft in korte tijd te veel downloads en overzichten opgevraagd"
OVER_CAP = "U heeft al 3 rapportages in de wachtrij"
ALREADY_OPEN = "staat al in de wachtrij of wordt gemaakt"
# The export limit of the four web workers in the parallel tests (set before they start).
WORKER_EXPORTS = 7


def _refusals(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "request.refuse"))


def _open_builds(app, *where) -> list[ReportBuild]:
    with app.app_context():
        return list(_db.session.scalars(select(ReportBuild).where(
            ReportBuild.status.in_((QUEUED, RUNNING)), *where).order_by(ReportBuild.id)))


# ---------------------------------------------------------------- on any database

def test_exports_share_one_budget_per_person_and_a_refusal_is_a_dutch_429(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_EXPORTS", "3 per 10 minutes")
    manager = app.test_client()
    assert login(manager, "manager").status_code == 302
    refusals = _refusals(app)
    for path in ("/audit/export.csv", "/accounts/export.csv", "/rapportages/voorbeeld"):
        response = manager.get(path)
        assert response.status_code == 200, path
        assert response.headers["X-RateLimit-Limit"] == "3"

    refused = manager.get("/audit/export.csv")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert TOO_MANY in html and "Probeer het over 10 minuten opnieuw." in html
    assert "Too Many Requests" not in html and "per 10 minute" not in html
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert _refusals(app) == refusals + 1
    # Another export is the same budget; another person has one of their own.
    assert manager.get("/rapportages/voorbeeld").status_code == 429
    reader = app.test_client()
    assert login(reader, "reader").status_code == 302
    assert reader.get("/rapportages/voorbeeld").status_code == 200
    with app.app_context():
        counted = dict(_db.session.execute(select(RateLimitCounter.key, RateLimitCounter.hits)).all())
        manager_id, reader_id = find_user("manager@test.example").id, find_user("reader@test.example").id
    assert sorted(counted.values()) == [1, 5]
    assert any(f"user:{manager_id}/" in key for key in counted)
    assert any(f"user:{reader_id}/" in key for key in counted)


def test_a_new_window_starts_when_the_old_one_has_ended(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_EXPORTS", "1 per 10 minutes")
    client = app.test_client()
    assert login(client, "manager").status_code == 302
    assert client.get("/accounts/export.csv").status_code == 200
    assert client.get("/accounts/export.csv").status_code == 429
    with app.app_context():
        _db.session.execute(update(RateLimitCounter).values(expires_at=RateLimitCounter.expires_at - 601))
        _db.session.commit()
    assert client.get("/accounts/export.csv").status_code == 200


def test_uploads_have_their_own_limit_and_evidence_downloads_count_as_exports(app, monkeypatch, ids, ctx):
    monkeypatch.setitem(app.config, "RATE_LIMIT_UPLOADS", "2 per 10 minutes")
    monkeypatch.setitem(app.config, "RATE_LIMIT_EXPORTS", "1 per 10 minutes")
    update_id = new_draft(ctx, ids)
    owner = client_for(app, "owner")
    token = csrf_token(owner.get(f"/voortgang/{update_id}/bewerken"))

    assert [upload(owner, update_id, f"Verslag {n}.pdf", token=token).status_code for n in range(3)] == [302, 302, 429]
    with app.app_context():
        stored = _db.session.scalars(select(Evidence.id).where(Evidence.update_id == update_id)).all()
    assert len(stored) == 2
    third = upload(owner, update_id, "Verslag 4.pdf", token=token).get_data(as_text=True)
    assert "U heeft in korte tijd te veel bestanden toegevoegd. Probeer het over 10 minuten opnieuw." in third
    download = owner.get(f"/voortgang/bewijs/{stored[0]}")
    download.close()  # send_file keeps the file open until then
    assert download.status_code == 200
    assert TOO_MANY in owner.get(f"/voortgang/bewijs/{stored[1]}").get_data(as_text=True)


def test_the_refusal_of_a_report_request_tells_when_to_try_again(app):
    client = app.test_client()
    assert login(client, "manager").status_code == 302
    statuses = []
    for period in QUARTERS[1:5]:
        page = client.get("/rapportages/aanvragen")
        statuses.append(client.post("/rapportages/aanvragen", data={
            "kind": GS_QUARTERLY, "period": period, "initiative": "", "csrf_token": csrf_token(page)}))
    assert [r.status_code for r in statuses] == [302, 302, 302, 429]
    assert OVER_CAP in statuses[-1].get_data(as_text=True)
    assert statuses[-1].headers["Retry-After"] == "60"


def test_the_database_keeps_one_open_build_per_identical_report(app):
    with app.app_context():
        manager = find_user("manager@test.example")
        initiatives = _db.session.scalars(select(Initiative).order_by(Initiative.id).limit(2)).all()
        quarter = parse_span(QUARTERS[1])

        def ask(kind=GS_QUARTERLY, period=quarter, initiative=None):
            request_report(kind, period, initiative=initiative, user=manager)
            _db.session.commit()

        ask()
        with pytest.raises(IntegrityError):
            ask()
        _db.session.rollback()
        ask(FACTSHEET, initiative=initiatives[0])
        ask(FACTSHEET, initiative=initiatives[1])  # another initiative is another report
        with pytest.raises(IntegrityError):
            ask(FACTSHEET, initiative=initiatives[0])
        _db.session.rollback()
        # A finished build is out of the way; a schedule's build is kept apart by its own constraint.
        _db.session.execute(update(ReportBuild).where(ReportBuild.kind == GS_QUARTERLY,
                                                      ReportBuild.status == QUEUED).values(status=DONE))
        _db.session.commit()
        ask()
        _db.session.add(ReportBuild(kind=GS_QUARTERLY, period_code=quarter.code, period_starts_on=quarter.starts_on,
                                    period_ends_on=quarter.ends_on, trigger=SCHEDULED, status=QUEUED, progress=0))
        _db.session.commit()
        assert len(_open_builds(app, ReportBuild.kind == GS_QUARTERLY, ReportBuild.period_code == quarter.code)) == 2


# ---------------------------------------------------------------- parallel, on PostgreSQL

@pytest.fixture(scope="module")
def limited_workers(request):
    """The four web workers (for every parallel test of this module), started with an export limit of
    WORKER_EXPORTS."""
    before = os.environ.get("RATE_LIMIT_EXPORTS")
    os.environ["RATE_LIMIT_EXPORTS"] = f"{WORKER_EXPORTS} per 10 minutes"
    try:
        return request.getfixturevalue("workers")
    finally:
        if before is None:
            os.environ.pop("RATE_LIMIT_EXPORTS")
        else:
            os.environ["RATE_LIMIT_EXPORTS"] = before


def fetch(browser: Browser, path: str) -> tuple[int, dict, bytes]:
    """A GET that keeps the body as bytes (an Excel file) and the headers."""
    conn = http.client.HTTPConnection(browser.host, browser.port, timeout=300)
    try:
        conn.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items())})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@on_postgres
def test_thirty_parallel_excel_exports_give_exactly_the_limit(app, limited_workers):
    from tests.report_helpers import make_report

    report_id = make_report(app, title="Grenstest")
    browser = Browser(limited_workers[0]).sign_in("manager")
    copies = [browser.copy(limited_workers[n % 4]) for n in range(30)]
    results = parallel([lambda c=c: fetch(c, f"/rapportages/{report_id}/excel") for c in copies])

    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200] * WORKER_EXPORTS + [429] * (30 - WORKER_EXPORTS)
    for status, headers, body in results:
        if status == 200:
            assert body.startswith(b"PK") and headers["content-type"].startswith("application/vnd.openxmlformats")
        else:
            assert TOO_MANY in body.decode() and int(headers["retry-after"]) > 0
    with app.app_context():
        assert _db.session.scalar(select(func.sum(RateLimitCounter.hits))) == 30
    # The budget is shared by every export, in every worker.
    assert fetch(browser.copy(limited_workers[3]), "/accounts/export.csv")[0] == 429
    with app.app_context():
        report = _db.session.get(IssuedReport, report_id)
        (reports_dir() / report.stored_name).unlink(missing_ok=True)


@on_postgres
def test_ten_parallel_report_requests_of_one_person_queue_exactly_three(app, limited_workers):
    workers = limited_workers
    browser = Browser(workers[0]).sign_in("manager")
    token = browser.get("/rapportages/aanvragen").field("csrf_token")
    scopes = [(GS_QUARTERLY, q) for q in QUARTERS[1:8]] + [(PS_HALF_YEARLY, h) for h in HALF_YEARS[1:4]]
    assert len(set(scopes)) == 10
    copies = [browser.copy(workers[n % 4]) for n in range(10)]
    responses = parallel([lambda c=c, s=s: c.post("/rapportages/aanvragen", {
        "kind": s[0], "period": s[1], "initiative": "", "csrf_token": token})
        for c, s in zip(copies, scopes, strict=True)])

    assert sorted(r.status for r in responses) == [302] * 3 + [429] * 7
    assert all(OVER_CAP in r.body for r in responses if r.status == 429)
    with app.app_context():
        manager_id = find_user("manager@test.example").id
    opened = _open_builds(app)
    assert len(opened) == 3 and {b.requested_by_id for b in opened} == {manager_id}
    assert sorted(f"/rapportages/opdrachten/{b.id}" for b in opened) == sorted(
        r.location for r in responses if r.status == 302)


@on_postgres
def test_ten_parallel_identical_requests_of_two_managers_queue_one_build(app, limited_workers):
    workers = limited_workers
    email = f"manager-{uuid.uuid4().hex[:8]}@test.example"
    with app.app_context():
        create_user(email, "Tweede Manager", "manager", PASSWORD)
        _db.session.commit()
    first = Browser(workers[0]).sign_in("manager")
    second = Browser(workers[1])
    page = second.get("/aanmelden")
    assert second.post("/aanmelden", {"email": email, "password": PASSWORD,
                                      "csrf_token": page.field("csrf_token")}).status == 302
    requests = []
    for n in range(10):
        person = first if n % 2 else second
        token = person.get("/rapportages/aanvragen").field("csrf_token")
        copy = person.copy(workers[n % 4])
        requests.append(lambda c=copy, t=token: c.post("/rapportages/aanvragen", {
            "kind": GS_QUARTERLY, "period": QUARTERS[2], "initiative": "", "csrf_token": t}))
    responses = parallel(requests)

    assert sorted(r.status for r in responses) == [302] + [429] * 9
    assert all(ALREADY_OPEN in r.body for r in responses if r.status == 429)
    opened = _open_builds(app)
    assert [(b.kind, b.period_code) for b in opened] == [(GS_QUARTERLY, QUARTERS[2])]
