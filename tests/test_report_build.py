"""Asking for a report, building it in the worker and archiving it: SHA-256, parameters, data
version, never changed afterwards, a rebuild is a new version; a failure is kept with its reason."""
import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from programme.accounts.operations import find_user
from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.reports.models import DONE, FAILED, QUEUED, SCHEDULED, IssuedReport, ReportBuild
from programme.reports.kinds import FACTSHEET, GS_QUARTERLY
from programme.reports.spans import parse_span
from programme.reports import archive, operations
from programme.reports.worker import builds, leases
from programme.core.operations import RuleError
from tests.conftest import USERS

PERIOD = parse_span("2091-K2")
# A day after the period: a report on it is final (a test of its own covers unended periods).
AFTER = PERIOD.ends_on + timedelta(days=1)


@pytest.fixture()
def manager(db):
    return find_user(USERS["manager"][0])


def _scheduled_twin(build: ReportBuild) -> ReportBuild:
    """A second open build of the same report, as a schedule queues it beside a request (the one open
    build per report holds for requests only)."""
    twin = ReportBuild(kind=build.kind, period_code=build.period_code, period_starts_on=build.period_starts_on,
                       period_ends_on=build.period_ends_on, trigger=SCHEDULED, status=QUEUED, progress=0)
    _db.session.add(twin)
    _db.session.commit()
    return twin


def _request(manager, kind=GS_QUARTERLY, **kwargs) -> ReportBuild:
    kwargs.setdefault("today", AFTER)
    build = operations.request_report(kind, PERIOD, user=manager, **kwargs)
    _db.session.commit()
    return build


def test_build_is_archived_with_hash_parameters_and_data_version(app, db, manager):
    build = _request(manager)
    assert build.status == QUEUED and build.progress == 0
    claimed = leases.claim(build.id, worker="test:1")
    assert claimed.status == "running" and claimed.worker == "test:1" and claimed.attempts == 1
    assert leases.claim(build.id, worker="test:2") is None  # nobody takes it twice

    done = builds.run_build(claimed)
    assert done.status == DONE and done.progress == 100, done.error
    report = done.report
    stored = Path(app.instance_path) / "reports" / report.stored_name
    data = stored.read_bytes()
    assert data.startswith(b"%PDF-")
    assert stored.stat().st_mode & 0o777 == 0o600  # private to the app's account
    assert report.sha256 == hashlib.sha256(data).hexdigest() and report.size == len(data)
    assert report.version == 1 and report.period_code == "2091-K2"
    assert report.made_by_id == manager.id and report.made_by_label == manager.name
    assert report.parameters["build_id"] == build.id and report.parameters["trigger"] == "manual"
    assert report.data_version.startswith("audit:")
    assert {t["key"] for t in report.tables} >= {"status", "bronnen", "lessen"}
    assert report.filename.endswith("-v1.pdf")
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type.in_(
        ("ReportBuild", "IssuedReport")), AuditEntry.object_id.in_((build.id, report.id)))).all()
    assert "report.request" in actions and "report.issue" in actions

    # Never changed afterwards.
    report.title = "Anders"
    with pytest.raises(RuntimeError, match="archived"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(IssuedReport, report.id).title != "Anders"

    # Building again makes a new version; the first stays as it was.
    again = builds.run_build(leases.claim(_request(manager).id))
    assert again.report.version == 2 and again.report.stored_name != report.stored_name
    assert stored.read_bytes() == data


def test_failed_build_keeps_its_reason_and_can_be_retried(app, db, manager, monkeypatch):
    build = _request(manager)

    def broken(*_args, **_kwargs):
        raise RuntimeError("schijf vol")

    monkeypatch.setattr("programme.reports.rendering.pdf.render_pdf", broken)
    failed = builds.run_build(leases.claim(build.id))
    assert failed.status == FAILED and "schijf vol" in failed.error and failed.report_id is None
    monkeypatch.undo()

    operations.retry(failed, manager)
    _db.session.commit()
    assert failed.status == QUEUED and failed.error is None
    done = builds.run_build(leases.claim(build.id))
    assert done.status == DONE and done.attempts == 2


def test_request_validation(app, db, manager):
    with pytest.raises(RuleError):
        operations.request_report("jaarverslag", PERIOD, user=manager)
    with pytest.raises(RuleError, match="initiatief"):
        operations.request_report(FACTSHEET, PERIOD, user=manager, today=AFTER)
    build = _request(manager)
    with pytest.raises(RuleError, match="mislukte"):
        operations.retry(build, manager)
    db.session.rollback()


def test_process_queue_builds_everything_queued_once(app, db, manager):
    first = _request(manager)
    second = _scheduled_twin(first)
    count = builds.process_queue()
    assert count >= 2
    for build in (first, second):
        db.session.refresh(build)
        assert build.status == DONE
    assert builds.process_queue() == 0


def test_two_builds_of_one_scope_get_consecutive_versions(app, db, manager, monkeypatch):
    """The second build computes the same 'next version' as the first (simulated race): its insert
    loses on the unique (scope, version), it retries and gets the next number; no orphan file."""
    first = _request(manager)
    second = _scheduled_twin(first)
    original = archive.next_version
    stale = {"left": 1}

    def racing_next_version(scope):
        # The second build's first try does not see the first build's version yet.
        if stale["left"] and db.session.get(ReportBuild, second.id).status == "running":
            stale["left"] -= 1
            return original(scope) - 1
        return original(scope)

    monkeypatch.setattr(archive, "next_version", racing_next_version)
    files_before = set((Path(app.instance_path) / "reports").glob("*.pdf"))
    done_first = builds.run_build(leases.claim(first.id))
    done_second = builds.run_build(leases.claim(second.id))
    assert done_first.status == DONE and done_second.status == DONE, done_second.error
    assert done_second.report.version == done_first.report.version + 1
    new_files = set((Path(app.instance_path) / "reports").glob("*.pdf")) - files_before
    assert {f.name for f in new_files} == {done_first.report.stored_name, done_second.report.stored_name}


@pytest.mark.committed  # another connection saves in between
def test_a_build_taken_over_by_another_worker_is_not_issued_twice(app, db, manager):
    build = leases.claim(_request(manager).id, worker="old:1")
    # Meanwhile the scheduler requeued it (worker presumed dead) and another worker took it.
    with db.engine.begin() as conn:
        conn.execute(update(ReportBuild).where(ReportBuild.id == build.id).values(worker="new:2"))
    before = db.session.scalar(select(IssuedReport.id).order_by(IssuedReport.id.desc()).limit(1))
    result = builds.run_build(build)
    assert result.status == "running" and result.worker == "new:2"
    assert db.session.scalar(select(IssuedReport.id).order_by(IssuedReport.id.desc()).limit(1)) == before
