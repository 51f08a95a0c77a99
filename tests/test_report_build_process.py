"""Where and how a report is built: in a child process of the scheduler at the lowest CPU
priority, two at most at a time; and under a lease, so that a build whose worker was killed is
taken over once the lease expired (whether or not the dead process was reaped) and is issued
exactly once."""
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from programme.accounts.operations import find_user
from programme.core.audit import AuditEntry
from programme.core.db import utcnow
from programme.core.extensions import db as _db
from programme.reports.models import DONE, QUEUED, RUNNING, IssuedReport, ReportBuild
from programme.reports.kinds import GS_QUARTERLY
from programme.reports.spans import parse_span
from programme import create_app
from programme.reports import operations
from programme.reports.worker import builds, leases, pool
from tests.conftest import USERS

PERIOD = parse_span("2093-K1")
AFTER = PERIOD.ends_on + timedelta(days=1)


@pytest.fixture()
def manager(db):
    return find_user(USERS["manager"][0])


def _queue(manager, period=PERIOD) -> ReportBuild:
    build = operations.request_report(GS_QUARTERLY, period, user=manager, today=AFTER)
    _db.session.commit()
    return build


def _fresh(build_id: int) -> ReportBuild:
    _db.session.rollback()
    return _db.session.get(ReportBuild, build_id, populate_existing=True)


def _issued_for(build_id: int) -> list[IssuedReport]:
    _db.session.rollback()
    reports = _db.session.scalars(select(IssuedReport).where(IssuedReport.period_code == PERIOD.code)).all()
    return [r for r in reports if r.parameters.get("build_id") == build_id]


@pytest.fixture()
def zombie():
    """A real child process killed with SIGKILL and not reaped: its pid still answers kill(pid, 0),
    so only the lease can tell that it is gone."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])  # noqa: S603
    child.send_signal(signal.SIGKILL)
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # dead, but left unreaped
    os.kill(child.pid, 0)  # no ProcessLookupError: the zombie is still there
    yield child.pid
    child.wait()


def test_a_killed_workers_build_is_taken_over_after_its_lease_and_issued_once(app, db, manager, zombie):
    worker = f"{socket.gethostname()}:{zombie}"
    build = leases.claim(_queue(manager).id, worker=worker)
    assert build.status == RUNNING and build.lease_until > utcnow()
    lease = build.lease_until

    # While the lease runs, nobody takes the build, although its worker is dead.
    assert build.id not in leases.recover_stale_builds(utcnow())
    assert _fresh(build.id).status == RUNNING

    # Once it expired, a scheduler puts it back in the queue (once: a second one finds nothing).
    later = lease + timedelta(seconds=1)
    assert build.id in leases.recover_stale_builds(later)
    assert build.id not in leases.recover_stale_builds(later)
    requeued = _fresh(build.id)
    assert (requeued.status, requeued.worker, requeued.lease_until) == (QUEUED, None, None)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.requeue",
                                                      AuditEntry.object_id == build.id)) is not None

    # The dead worker's lease cannot be renewed; another worker builds it, to the end.
    assert not leases.renew_lease(build.id, worker)
    builds.run_build(leases.claim(build.id, worker="other:1"))
    done = _fresh(build.id)
    assert (done.status, done.worker, done.attempts) == (DONE, "other:1", 2)
    assert [r.id for r in _issued_for(build.id)] == [done.report_id]


def test_a_build_only_completes_while_its_lease_is_its_own(app, db, manager):
    build = leases.claim(_queue(manager).id, worker="slow:1")
    # The worker stalled past its lease (nobody has taken the build over yet).
    db.session.execute(ReportBuild.__table__.update().where(ReportBuild.id == build.id)
                       .values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    result = builds.run_build(_fresh(build.id))
    assert result.status == RUNNING and result.report_id is None
    assert _issued_for(build.id) == []
    # Taken over and built by another worker: issued exactly once.
    assert build.id in leases.recover_stale_builds(utcnow())
    builds.run_build(leases.claim(build.id, worker="other:2"))
    assert _fresh(build.id).status == DONE
    assert len(_issued_for(build.id)) == 1


@pytest.mark.committed  # the heartbeat thread has a connection of its own
def test_the_heartbeat_renews_the_lease_while_the_build_runs(app, db, manager):
    build = leases.claim(_queue(manager).id, worker="beat:1")
    first = build.lease_until

    with leases.heartbeat(build.id, "beat:1", every=0.2) as lost:
        time.sleep(1.0)
    assert not lost.is_set()
    renewed = _fresh(build.id)
    assert renewed.lease_until > first and renewed.heartbeat_dt > build.started_dt


@pytest.mark.slow
@pytest.mark.committed  # the builds run in child processes
def test_builds_run_in_child_processes_at_the_lowest_priority(app, db, manager):
    # Three different reports: one requested report has at most one open build (a unique index).
    ids = [_queue(manager, parse_span(code)).id for code in ("2093-K1", "2092-K4", "2092-K3")]
    build_pool = pool.BuildPool(app, create_app, processes=2)
    try:
        assert pool.work(build_pool) >= 3
        done = [_fresh(build_id) for build_id in ids]
        assert {b.status for b in done} == {DONE}, [(b.status, b.error) for b in done]
        pids = {int(b.worker.rpartition(":")[2]) for b in done}
        assert os.getpid() not in pids and 1 <= len(pids) <= 2  # never more processes than the bound
        for pid in pids:  # the pool's processes are still alive: ask the kernel
            assert os.getpriority(os.PRIO_PROCESS, pid) == pool.BUILD_NICENESS
            if hasattr(os, "SCHED_IDLE"):
                assert os.sched_getscheduler(pid) == os.SCHED_IDLE
    finally:
        build_pool.shutdown()
    assert os.getpriority(os.PRIO_PROCESS, 0) < pool.BUILD_NICENESS  # the scheduler itself is not niced
