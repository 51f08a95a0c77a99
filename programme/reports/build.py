"""Asking for a report and building it: a queued ReportBuild is claimed by one worker (the
scheduler process, never a web worker), rendered to PDF and written to the archive as a new
IssuedReport version, after which its deliveries are queued."""
import hashlib
import logging
import os
import secrets
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from programme.core.files import write_private
from programme.core.audit import AuditEntry, record
from programme.core.db import utcnow
from programme.core.formatting import AMSTERDAM, dutch_date
from programme.core.extensions import db
from programme.reports.models import (DONE, FACTSHEET, FAILED, KIND_LABELS, MANUAL, QUEUED, RUNNING, SCHEDULED,
                                      IssuedReport, ReportBuild, ReportSchedule)
from programme.reports.periods import ReportPeriod, capfirst

log = logging.getLogger(__name__)

# A worker's lease on a running build: short, and renewed by a heartbeat while it builds, so a
# build whose worker died (killed, hung, host gone; reaped or not) is taken over soon after.
LEASE = timedelta(seconds=60)
HEARTBEAT_SECONDS = 15


class ReportRequestError(ValueError):
    """The request cannot be built as asked (message in Dutch, for the form)."""


def reports_dir() -> Path:
    path = Path(current_app.instance_path) / "reports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def today_in_amsterdam() -> date:
    return datetime.now(AMSTERDAM).date()


def unended_refusal(period: ReportPeriod, today: date) -> str | None:
    """Why a final report on the period cannot be built today (Dutch), or None when it has ended."""
    if period.has_ended(today):
        return None
    return (f"{capfirst(period.in_sentence)} is nog niet voorbij: het loopt tot en met "
            f"{dutch_date(period.ends_on)}. Een rapportage erover zou cijfers tonen alsof de periode al "
            "is afgesloten. Kies een afgelopen periode, of vraag uitdrukkelijk een voorlopige rapportage aan.")


def request_report(kind: str, period: ReportPeriod, *, initiative=None, user=None,
                   schedule: ReportSchedule | None = None, provisional: bool = False,
                   today: date | None = None) -> ReportBuild:
    """Queue a build (added to the session; the caller commits). A scheduled build is unique per
    schedule and period: the commit of a second one fails with an IntegrityError.

    A report on a period that has not ended (on `today`, Amsterdam) is refused, unless a person
    explicitly asks for a provisional one; a schedule never builds one. Asking for a provisional
    report on a period that has ended gives the ordinary, final report."""
    if kind not in KIND_LABELS:
        raise ReportRequestError("Kies een soort rapportage.")
    if (kind == FACTSHEET) != (initiative is not None):
        raise ReportRequestError("Een factsheet hoort bij één initiatief; kies het initiatief.")
    refusal = unended_refusal(period, today or today_in_amsterdam())
    if refusal is not None and (schedule is not None or not provisional):
        raise ReportRequestError(refusal)
    is_provisional = refusal is not None
    build = ReportBuild(kind=kind, period_code=period.code, period_starts_on=period.starts_on,
                        period_ends_on=period.ends_on, initiative_id=getattr(initiative, "id", None),
                        trigger=SCHEDULED if schedule else MANUAL, schedule_id=getattr(schedule, "id", None),
                        requested_by_id=getattr(user, "id", None), status=QUEUED, progress=0,
                        progress_label="In de wachtrij", is_provisional=is_provisional)
    db.session.add(build)
    db.session.flush()
    record("report_requested", build, actor=user,
           new={"kind": kind, "period": period.display, "initiative_id": build.initiative_id,
                "schedule_id": build.schedule_id, "is_provisional": is_provisional})
    return build


def retry(build: ReportBuild, user) -> ReportBuild:
    """Put a failed build back in the queue."""
    if build.status != FAILED:
        raise ReportRequestError("Alleen een mislukte rapportage kan opnieuw worden gemaakt.")
    build.status, build.progress, build.progress_label, build.error = QUEUED, 0, "In de wachtrij", None
    build.finished_dt = None
    record("report_retried", build, actor=user)
    return build


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


def _ours(build_id: int, worker: str, now: datetime):
    """The condition for a running build that is still this worker's, under a lease not expired."""
    return (ReportBuild.id == build_id, ReportBuild.status == RUNNING, ReportBuild.worker == worker,
            ReportBuild.lease_until >= now)


def renew_lease(build_id: int, worker: str) -> bool:
    """Extend the lease of a build this worker still holds (committed); False when it lost it."""
    now = utcnow()
    renewed = db.session.execute(
        update(ReportBuild).where(*_ours(build_id, worker, now))
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


def set_progress(build: ReportBuild, percent: int, label: str) -> None:
    """Visible on the build's page while it runs (committed at once)."""
    build.progress, build.progress_label = percent, label
    db.session.commit()


def data_version() -> str:
    """The state of the data a report is built from: the newest audit entry (every change
    writes one in the same transaction)."""
    last = db.session.scalar(select(func.max(AuditEntry.id)))
    return f"audit:{last or 0}"


@dataclass
class Rendered:
    title: str
    filename: str
    pdf: bytes
    tables: list


def render(build: ReportBuild, progress=None, data_as_of: datetime | None = None) -> Rendered:
    """Collect the report's content and render it to PDF."""
    from programme.reports.content import build_content
    from programme.reports.pdf import render_pdf

    progress = progress or (lambda percent, label: None)
    content = build_content(build.kind, build.period, initiative=build.initiative,
                            provisional=build.is_provisional, data_as_of=data_as_of)
    progress(40, "Opmaak en grafieken")
    pdf = render_pdf(content)
    return Rendered(content.title, content.filename, pdf, [t.as_json() for t in content.tables])


def _made_by(build: ReportBuild) -> str:
    if build.schedule is not None:
        return f"Planning: {build.schedule.name}"
    if build.requested_by is not None:
        return build.requested_by.name
    return "Onbekend"


def next_version(scope: str) -> int:
    return (db.session.scalar(select(func.max(IssuedReport.version)).where(IssuedReport.scope == scope)) or 0) + 1


def issue(build: ReportBuild, rendered: Rendered, version_of_data: str,
          data_as_of: datetime | None = None) -> IssuedReport:
    """Archive the report as the next version of its scope (flushed; the caller writes the file
    under the generated stored_name and commits)."""
    scope = f"{build.kind}:{build.period_code}:{build.initiative_id or '-'}"
    version = next_version(scope)
    stored_name = f"{secrets.token_hex(16)}.pdf"
    report = IssuedReport(
        kind=build.kind, scope=scope, version=version, period_code=build.period_code,
        period_label=build.period.label, initiative_id=build.initiative_id, title=rendered.title,
        filename=f"{rendered.filename}-v{version}.pdf", stored_name=stored_name, size=len(rendered.pdf),
        sha256=hashlib.sha256(rendered.pdf).hexdigest(), made_by_id=build.requested_by_id,
        schedule_id=build.schedule_id, made_by_label=_made_by(build),
        parameters={"kind": build.kind, "period": build.period_code, "initiative_id": build.initiative_id,
                    "trigger": build.trigger, "schedule_id": build.schedule_id, "build_id": build.id,
                    "is_provisional": build.is_provisional},
        data_version=version_of_data, data_as_of=data_as_of or utcnow(), is_provisional=build.is_provisional,
        tables=rendered.tables)
    db.session.add(report)
    db.session.flush()
    return report


class BuildTakenOver(RuntimeError):
    """The build is no longer this worker's (it was requeued and another worker took it)."""


def _finish(build: ReportBuild, worker: str, rendered: Rendered, version_of_data: str,
            data_as_of: datetime) -> IssuedReport:
    """Archive the report, queue its deliveries and mark the build done, in one transaction that
    only commits while the build is still this worker's. Two builds of the same scope can race for
    the next version number: the loser's insert fails on the unique (scope, version) and retries.
    The file is written before the commit and removed again when the transaction does not commit."""
    from programme.reports.delivery import queue_deliveries

    for _attempt in range(5):
        path = None
        try:
            report = issue(build, rendered, version_of_data, data_as_of)
            path = reports_dir() / report.stored_name
            write_private(path, rendered.pdf)
            queue_deliveries(report)
            record("report_issued", report, actor=build.requested_by,
                   new={"sha256": report.sha256, "version": report.version,
                        "data_version": report.data_version_number,
                        "build_id": build.id})
            # Only while the lease is still ours: once it expired the build may be someone else's.
            now = utcnow()
            ours = db.session.execute(
                update(ReportBuild).where(*_ours(build.id, worker, now))
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

            rendered = render(build, progress=progress, data_as_of=data_as_of)
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
            record("report_failed", db.session.get(ReportBuild, build.id), actor=build.requested_by,
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
