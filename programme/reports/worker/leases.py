"""Which worker holds a running build: claiming it, the lease its heartbeat renews, taking back lost builds.

A running build holds a short lease that its worker's heartbeat renews; once the lease expired
another scheduler puts the build back in the queue (or gives up after MAX_ATTEMPTS), and the old
worker can no longer complete it. A queued build is claimed by one worker with a conditional
update, atomic on SQLite and PostgreSQL."""
import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from programme.core.audit import record
from programme.core.db import utcnow
from programme.core.extensions import db
from programme.reports.models import FAILED, QUEUED, RUNNING, ReportBuild

log = logging.getLogger(__name__)

# A worker's lease on a running build: short, and renewed by a heartbeat while it builds, so a
# build whose worker died (killed, hung, host gone; reaped or not) is taken over soon after.
LEASE = timedelta(seconds=60)
HEARTBEAT_SECONDS = 15

# A build that has been running this long is taken to be lost (its worker on another host died).
# A build that has been running this long is taken to be lost (its worker on another host died).
STALE_AFTER = timedelta(minutes=30)
# A build whose worker died this many times is not tried again automatically.
MAX_ATTEMPTS = 3


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def lease_seconds() -> float:
    """The lease's length (config REPORT_BUILD_LEASE_SECONDS, for tests; else LEASE)."""
    return float(current_app.config.get("REPORT_BUILD_LEASE_SECONDS") or LEASE.total_seconds())


def claim(build_id: int, worker: str | None = None) -> ReportBuild | None:
    """Take one queued build for this worker, with a lease on it. The conditional UPDATE is
    atomic on SQLite and PostgreSQL, so two workers never take the same build; None when another
    one was faster."""
    now = utcnow()
    taken = db.session.execute(
        update(ReportBuild).where(ReportBuild.id == build_id, ReportBuild.status == QUEUED)
        .values(status=RUNNING, worker=worker or worker_name(), started_dt=now,
                lease_until=now + timedelta(seconds=lease_seconds()), heartbeat_dt=now,
                attempts=ReportBuild.attempts + 1, progress=5, progress_label="Gegevens verzamelen")
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return db.session.get(ReportBuild, build_id, populate_existing=True) if taken else None


def claim_next(worker: str | None = None) -> ReportBuild | None:
    """Take the oldest queued build."""
    candidates = db.session.scalars(select(ReportBuild.id).where(ReportBuild.status == QUEUED)
                                    .order_by(ReportBuild.created_dt, ReportBuild.id).limit(5)).all()
    for build_id in candidates:
        build = claim(build_id, worker)
        if build is not None:
            return build
    return None


def lease_condition(build_id: int, worker: str, now: datetime):
    """The condition for a running build that is still this worker's, under a lease not expired."""
    return (ReportBuild.id == build_id, ReportBuild.status == RUNNING, ReportBuild.worker == worker,
            ReportBuild.lease_until >= now)


def renew_lease(build_id: int, worker: str) -> bool:
    """Extend the lease of a build this worker still holds (committed); False when it lost it."""
    now = utcnow()
    renewed = db.session.execute(
        update(ReportBuild).where(*lease_condition(build_id, worker, now))
        .values(lease_until=now + timedelta(seconds=lease_seconds()), heartbeat_dt=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return bool(renewed)


@contextmanager
def heartbeat(build_id: int, worker: str, every: float | None = None):
    """Renew the lease every few seconds in a thread of its own (own app context and database
    session) while the body runs. Yields an Event that is set when the lease was lost."""
    app = current_app._get_current_object()
    every = every or min(HEARTBEAT_SECONDS, lease_seconds() / 4)
    done, lost = threading.Event(), threading.Event()

    def beat():
        with app.app_context():
            while not done.wait(every):
                try:
                    if not renew_lease(build_id, worker):
                        lost.set()
                        log.warning("report build %s: lease lost, another worker may have it", build_id)
                        return
                except Exception:  # noqa: BLE001 - a missed beat is retried; the lease is long enough
                    db.session.rollback()
                    log.exception("report build %s: heartbeat failed", build_id)
            db.session.remove()

    thread = threading.Thread(target=beat, name=f"heartbeat-{build_id}", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        done.set()
        thread.join(10)


class BuildTakenOver(RuntimeError):
    """The build is no longer this worker's (it was requeued and another worker took it)."""


# ---------------------------------------------------------------- builds left behind


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _worker_is_dead(worker: str | None) -> bool:
    """True when the worker ran on this host and its process is gone."""
    host, _, pid = (worker or "").rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid))


def _is_lost(worker: str | None, started_dt: datetime | None, lease_until: datetime | None,
             real_now: datetime) -> bool:
    """A running build is lost when its lease expired (its worker stopped renewing it: dead, hung
    or cut off, whether or not its process was reaped), or its process on this host is gone.
    A build from before leases existed is lost after STALE_AFTER."""
    if lease_until is not None:
        return lease_until < real_now or _worker_is_dead(worker)
    return started_dt is None or started_dt < real_now - STALE_AFTER or _worker_is_dead(worker)


def recover_stale_builds(real_now: datetime | None = None) -> list[int]:
    """Put builds back in the queue whose worker died mid-build (see _is_lost). After
    MAX_ATTEMPTS they fail. Uses the real time, also under a fake clock: leases are real time."""
    real_now = real_now or utcnow()
    running = db.session.execute(select(ReportBuild.id, ReportBuild.worker, ReportBuild.started_dt,
                                        ReportBuild.lease_until, ReportBuild.attempts)
                                 .where(ReportBuild.status == RUNNING)).all()
    recovered = []
    for build_id, worker, started_dt, lease_until, attempts in running:
        if not _is_lost(worker, started_dt, lease_until, real_now):
            continue
        give_up = attempts >= MAX_ATTEMPTS
        values = ({"status": FAILED, "finished_dt": real_now, "progress_label": "Mislukt",
                   "error": f"Het maken is {attempts} keer afgebroken (het proces stopte); niet opnieuw geprobeerd."}
                  if give_up else
                  {"status": QUEUED, "progress": 0, "progress_label": "In de wachtrij", "worker": None,
                   "started_dt": None})
        # Conditional on the same worker, the same lease and still running: a second scheduler
        # doing the same thing, the worker finishing or renewing its lease just now, makes this a no-op.
        changed = db.session.execute(
            update(ReportBuild).where(
                ReportBuild.id == build_id, ReportBuild.status == RUNNING,
                ReportBuild.worker.is_(None) if worker is None else ReportBuild.worker == worker,
                ReportBuild.lease_until.is_(None) if lease_until is None else ReportBuild.lease_until == lease_until)
            .values(**values, lease_until=None).execution_options(synchronize_session=False)).rowcount
        if changed:
            build = db.session.get(ReportBuild, build_id, populate_existing=True)
            record("report.fail" if give_up else "report.requeue", build, result="error" if give_up else "ok",
                   message=f"worker {worker} gestopt, gestart {started_dt}, lease tot {lease_until}")
            db.session.commit()
            log.warning("build %s left running by %s: %s", build_id, worker, "failed" if give_up else "queued again")
            recovered.append(build_id)
        else:
            db.session.rollback()
    return recovered
