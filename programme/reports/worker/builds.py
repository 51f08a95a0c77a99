"""Building one claimed report: render it, archive it as the next version, queue its e-mails, or record why it failed.

Runs in the scheduler's build processes (worker.pool), never in a web worker."""
import logging
import os
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from programme.core.audit import AuditEntry, record
from programme.core.db import utcnow
from programme.core.extensions import db
from programme.core.files import write_private
from programme.reports.archive import issue, reports_dir
from programme.reports.models import DONE, FAILED, RUNNING, IssuedReport, ReportBuild
from programme.reports.rendering.pdf import Rendered, render_build
from programme.reports.worker.deliveries import queue_deliveries
from programme.reports.worker.leases import BuildTakenOver, claim_next, heartbeat, lease_condition

log = logging.getLogger(__name__)


def set_progress(build: ReportBuild, percent: int, label: str) -> None:
    """Visible on the build's page while it runs (committed at once)."""
    build.progress, build.progress_label = percent, label
    db.session.commit()


def data_version() -> str:
    """The state of the data a report is built from: the newest audit entry (every change
    writes one in the same transaction)."""
    last = db.session.scalar(select(func.max(AuditEntry.id)))
    return f"audit:{last or 0}"


def _finish(build: ReportBuild, worker: str, rendered: Rendered, version_of_data: str,
            data_as_of: datetime) -> IssuedReport:
    """Archive the report, queue its deliveries and mark the build done, in one transaction that
    only commits while the build is still this worker's. Two builds of the same scope can race for
    the next version number: the loser's insert fails on the unique (scope, version) and retries.
    The file is written before the commit and removed again when the transaction does not commit."""
    for _attempt in range(5):
        path = None
        try:
            report = issue(build, rendered, version_of_data, data_as_of)
            path = reports_dir() / report.stored_name
            write_private(path, rendered.pdf)
            queue_deliveries(report)
            record("report.issue", report, actor=build.requested_by,
                   new={"sha256": report.sha256, "version": report.version,
                        "data_version": report.data_version_number,
                        "build_id": build.id})
            # Only while the lease is still ours: once it expired the build may be someone else's.
            now = utcnow()
            ours = db.session.execute(
                update(ReportBuild).where(*lease_condition(build.id, worker, now))
                .values(status=DONE, progress=100, progress_label="Klaar", report_id=report.id,
                        finished_dt=now, lease_until=None, error=None)
                .execution_options(synchronize_session=False)).rowcount
            if not ours:
                raise BuildTakenOver(f"build {build.id} was taken over by another worker")
            db.session.commit()
            return report
        except IntegrityError:
            db.session.rollback()
            if path is not None:
                path.unlink(missing_ok=True)
            log.info("report build %s lost the race for the next version; retrying", build.id)
        except BaseException:
            db.session.rollback()
            if path is not None:
                path.unlink(missing_ok=True)
            raise
    raise RuntimeError("kon geen versienummer voor de rapportage krijgen")


def run_build(build: ReportBuild) -> ReportBuild:
    """Build a claimed (running) build to the end: issued and deliveries queued, or failed with
    its reason. Never raises for a failure of the report itself."""
    version_of_data, data_as_of = data_version(), utcnow()
    worker = build.worker
    log.info("report build %s in process %s at niceness %s", build.id, os.getpid(),
             os.getpriority(os.PRIO_PROCESS, 0))
    try:
        with heartbeat(build.id, worker) as lost:
            def progress(percent: int, label: str) -> None:
                if lost.is_set():
                    raise BuildTakenOver(f"build {build.id}: lease lost")
                set_progress(build, percent, label)

            rendered = render_build(build, progress=progress, data_as_of=data_as_of)
            progress(90, "Opslaan in het archief")
            _finish(build, worker, rendered, version_of_data, data_as_of)
    except BuildTakenOver:
        log.warning("report build %s was requeued and taken by another worker; dropped this result", build.id)
    except Exception as exc:  # noqa: BLE001 - any failure is shown on the build, with its reason
        db.session.rollback()
        log.exception("report build %s failed", build.id)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        failed = db.session.execute(
            update(ReportBuild).where(ReportBuild.id == build.id, ReportBuild.status == RUNNING,
                                      ReportBuild.worker == worker)
            .values(status=FAILED, finished_dt=utcnow(), error=error, progress_label="Mislukt", lease_until=None)
            .execution_options(synchronize_session=False)).rowcount
        if failed:
            record("report.fail", db.session.get(ReportBuild, build.id), actor=build.requested_by,
                   result="error", message=error)
        db.session.commit()
    return db.session.get(ReportBuild, build.id, populate_existing=True)


def process_queue(limit: int | None = None, worker: str | None = None) -> int:
    """Build queued reports until the queue is empty (or limit builds); returns how many."""
    count = 0
    while limit is None or count < limit:
        build = claim_next(worker)
        if build is None:
            break
        run_build(build)
        count += 1
    return count
