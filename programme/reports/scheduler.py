"""The scheduler process: builds scheduled reports exactly once per schedule and period, and
builds every queued report (web workers only queue them).

It is its own process (`flask scheduler`), an APScheduler BlockingScheduler with three jobs:
`tick` each minute (queue the builds that schedules are due for, put back builds a dead worker
left running), `work` each few seconds (build queued reports, in niced child processes, at most
BUILD_PROCESSES at a time) and `deliver` each minute (send and retry report e-mails).
A running build holds a short lease that its worker's heartbeat renews; once the lease expired
another scheduler takes the build over, and the old worker can no longer complete it.
Exactly once does not depend on there being one scheduler: the database refuses a second build
for the same schedule and period (unique constraint), and a queued build is claimed by one
worker with a conditional update. Two scheduler processes, or one that was down and catches up,
therefore never build a report twice.
"""
import logging
import os
import signal
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from programme.core.audit import record
from programme.core.db import utcnow
from programme.core.extensions import db
from programme.reports.build import ReportRequestError, process_queue, request_report
from programme.reports.models import FAILED, QUEUED, RUNNING, ReportBuild, ReportSchedule
from programme.reports.periods import ReportPeriod
from programme.reports.schedules import AMSTERDAM, fire_time, latest_due_period

log = logging.getLogger(__name__)

# A build that has been running this long is taken to be lost (its worker on another host died).
STALE_AFTER = timedelta(minutes=30)
# A build whose worker died this many times is not tried again automatically.
MAX_ATTEMPTS = 3
TICK_SECONDS = 60
WORK_SECONDS = 5
DELIVER_SECONDS = 60
# Under a fake clock one real second is days of programme time: look more often.
FAKE_TICK_SECONDS = 0.5
FAKE_WORK_SECONDS = 0.5


# ---------------------------------------------------------------- what is due

def due_builds(now: datetime) -> list[tuple[ReportSchedule, ReportPeriod]]:
    """For each active schedule the latest period whose fire time has passed (see
    schedules.latest_due_period); whether it was built already is for tick to find out."""
    schedules = db.session.scalars(select(ReportSchedule).where(ReportSchedule.is_active.is_(True))
                                   .order_by(ReportSchedule.id)).all()
    due = []
    for schedule in schedules:
        period = latest_due_period(schedule, now)
        if period is not None:
            due.append((schedule, period))
    return due


def _has_build(schedule_id: int, period_code: str) -> bool:
    return db.session.scalar(select(ReportBuild.id).where(
        ReportBuild.schedule_id == schedule_id, ReportBuild.period_code == period_code).limit(1)) is not None


def queue_due_builds(now: datetime) -> list[ReportBuild]:
    """Queue a build for each due schedule and period that has none. The check before the insert
    only saves work: the unique constraint decides, and the loser of a race rolls back."""
    queued = []
    for schedule_id, kind, period in [(s.id, s.kind, p) for s, p in due_builds(now)]:
        if _has_build(schedule_id, period.code):
            continue
        try:
            schedule = db.session.get(ReportSchedule, schedule_id)
            # The programme's day, so that a schedule never builds on a period that has not ended.
            build = request_report(kind, period, schedule=schedule, today=now.astimezone(AMSTERDAM).date())
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            log.info("schedule %s, period %s: another scheduler queued it first", schedule_id, period.code)
            continue
        except ReportRequestError as refusal:
            db.session.rollback()
            log.warning("schedule %s, period %s not queued: %s", schedule_id, period.code, refusal)
            continue
        log.info("schedule %s (%s): queued build %s for period %s (due %s)", schedule_id, schedule.name, build.id,
                 period.code, fire_time(schedule, period).astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M"))
        queued.append(build)
    return queued


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
            record("report_failed" if give_up else "report_requeued", build, result="error" if give_up else "ok",
                   message=f"worker {worker} gestopt, gestart {started_dt}, lease tot {lease_until}")
            db.session.commit()
            log.warning("build %s left running by %s: %s", build_id, worker, "failed" if give_up else "queued again")
            recovered.append(build_id)
        else:
            db.session.rollback()
    return recovered


# ---------------------------------------------------------------- the jobs

def tick(now: datetime | None = None) -> list[ReportBuild]:
    """One scheduler round at `now` (the programme's time; real time unless a fake clock runs):
    put back builds of dead workers, then queue the due scheduled builds. Returns those."""
    recover_stale_builds(utcnow())
    return queue_due_builds(now or utcnow())


def deliver() -> int:
    """Send due report e-mails and retry failed ones (always on real time: real mail)."""
    from programme.reports import delivery

    send_due = getattr(delivery, "send_due", None)  # absent while the delivery module is a stub
    if send_due is None:
        return 0
    return send_due(utcnow())


# Set when the process is asked to stop: finish the builds in hand, start no new one.
stopping = threading.Event()

# Builds run in child processes, this many at a time, at the lowest CPU priority: a build never
# shares a process (and its GIL) or the CPU on equal terms with anything that must answer fast.
BUILD_PROCESSES = 2
BUILD_NICENESS = 19


def lower_priority() -> int:
    """Make this process as unimportant for the CPU as Linux allows: niceness 19 and, where the
    kernel has it, SCHED_IDLE (runs only when nothing else wants the CPU). Returns the niceness."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, BUILD_NICENESS)
    except (AttributeError, OSError):
        os.nice(max(0, BUILD_NICENESS - os.nice(0)))
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError:
            log.info("SCHED_IDLE not allowed here; niceness only")
    return os.getpriority(os.PRIO_PROCESS, 0)


_child_app: Flask | None = None


def _child_init(instance_path: str, config: dict) -> None:
    """Start of a build process (spawned, so nothing of the parent's threads or database
    connections is inherited): lower its priority, make its app. Stopping is the parent's business:
    Ctrl-C or SIGTERM to the process group must not break off a build; the parent waits for it."""
    global _child_app
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    lower_priority()
    os.environ["INSTANCE_PATH"] = instance_path
    from programme import create_app

    _child_app = create_app(config)
    configure_logging()


def _build_one() -> int:
    """In a build process: claim and build the oldest queued report; 1 if there was one."""
    with _child_app.app_context():
        try:
            return process_queue(limit=1)
        finally:
            db.session.remove()


class BuildPool:
    """The build processes of one scheduler: a ProcessPoolExecutor (spawn) of BUILD_PROCESSES
    niced children, made on first use and made again when a child died (a broken pool)."""

    def __init__(self, app: Flask, processes: int = BUILD_PROCESSES):
        self.app, self.processes = app, processes
        self._executor = None

    def _config(self) -> dict:
        keys = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING", "REPORT_BUILD_LEASE_SECONDS")
        return {key: self.app.config[key] for key in keys if key in self.app.config}

    def executor(self):
        if self._executor is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._executor = ProcessPoolExecutor(
                max_workers=self.processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=_child_init, initargs=(self.app.instance_path, self._config()))
        return self._executor

    def warm(self) -> None:
        """Start the build processes now (their imports take seconds), not at the first build."""
        for _ in range(self.processes):
            self.executor().submit(os.getpid)

    def run(self) -> int:
        """Build queued reports, up to `processes` at once, until the queue is empty or the
        scheduler is stopping; returns how many were built."""
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        count, pending, empty = 0, set(), False
        while True:
            while not (stopping.is_set() or empty) and len(pending) < self.processes and _queued_count() > len(pending):
                pending.add(self.executor().submit(_build_one))
            if not pending:
                return count
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    built = future.result()
                except BrokenProcessPool:
                    # A build process died (killed, out of memory): its build is recovered when
                    # its lease expires. Start afresh with new processes.
                    log.error("a build process died; starting new ones")
                    self.shutdown(wait=False)
                    return count
                count += built
                empty = empty or not built

    def shutdown(self, wait: bool = True) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None


def _queued_count() -> int:
    try:
        return db.session.scalar(select(func.count(ReportBuild.id)).where(ReportBuild.status == QUEUED)) or 0
    finally:
        db.session.rollback()  # see the next commits of other processes


def work(pool: BuildPool | None = None) -> int:
    """Build queued reports (on demand or scheduled) until the queue is empty or the process is
    stopping; in the pool's child processes, or without one here, one by one. Returns how many."""
    if pool is not None:
        count = pool.run()
    else:
        count = 0
        while not stopping.is_set() and process_queue(limit=1):
            count += 1
    if count:
        log.info("built %d report(s)", count)
    return count


# ---------------------------------------------------------------- clock and process

class Clock:
    """The programme's 'now' for the scheduler. Real time, or for tests a fake clock that starts
    at `start` and runs `rate` times as fast as real time, standing still at `end`."""

    def __init__(self, start: datetime | None = None, rate: float = 1.0, end: datetime | None = None):
        if start is not None and start.tzinfo is None:
            raise ValueError("the clock needs an aware start time")
        self.start, self.rate, self.end = start, rate, end
        self._real_start = time.monotonic()

    @property
    def is_fake(self) -> bool:
        return self.start is not None

    def now(self) -> datetime:
        if self.start is None:
            return utcnow()
        now = self.start + timedelta(seconds=(time.monotonic() - self._real_start) * self.rate)
        if self.end is not None and now > self.end:
            now = self.end
        return now.astimezone(UTC)

    def __repr__(self) -> str:
        if not self.is_fake:
            return "<Clock real>"
        return f"<Clock fake from {self.start.isoformat()} x{self.rate:g}>"


class _QuietOverlap(logging.Filter):
    """A build can take longer than the work interval; APScheduler then skips that run (one
    instance at a time, which is what we want) and says so at WARNING each time. Not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not (message.startswith("Execution of job") and "maximum number of running instances" in message
                    and str(record.args[0] if record.args else "").startswith("work "))


def configure_logging(level: int = logging.INFO) -> None:
    """Readable lines on stderr: time, process, level, where, what."""
    handler = logging.StreamHandler()  # stderr
    handler.setFormatter(logging.Formatter("%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s",
                                           "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # 'Running job ...' / 'executed successfully' every few seconds is noise; failures still show.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    for chatty in ("weasyprint", "fontTools"):  # a line per page and per font otherwise
        logging.getLogger(chatty).setLevel(logging.WARNING)
    logging.getLogger("apscheduler.scheduler").addFilter(_QuietOverlap())


def _in_app_context(app: Flask, func):
    def job():
        with app.app_context():
            return func()

    return job


def build_scheduler(app: Flask, clock: Clock, pool: BuildPool | None = None):
    """The BlockingScheduler with its jobs (tick, work, deliver), each run in an app context of
    its own (and so with a database session of its own). With a pool, work builds in its child
    processes."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        timezone=AMSTERDAM,
        # One run of a job at a time; runs missed (busy, or the machine slept) are merged into one
        # and run late rather than dropped: catching up is what tick is for.
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
    fake = clock.is_fake
    first_run = datetime.now(AMSTERDAM)
    scheduler.add_job(_in_app_context(app, lambda: tick(clock.now())), "interval", id="tick", name="tick",
                      seconds=FAKE_TICK_SECONDS if fake else TICK_SECONDS, next_run_time=first_run)
    scheduler.add_job(_in_app_context(app, lambda: work(pool)), "interval", id="work", name="work",
                      seconds=FAKE_WORK_SECONDS if fake else WORK_SECONDS, next_run_time=first_run)
    # A job of its own, so a slow mail server never holds up a tick or a build.
    scheduler.add_job(_in_app_context(app, deliver), "interval", id="deliver", name="deliver",
                      seconds=DELIVER_SECONDS)
    return scheduler


class _Stop(Exception):
    """SIGTERM or SIGINT: leave the scheduler loop."""


def run_scheduler(app: Flask, clock: Clock, run_for: float | None = None) -> None:
    """Run until SIGTERM/SIGINT (or run_for seconds). A build in progress is finished first."""
    pool = BuildPool(app)
    pool.warm()
    scheduler = build_scheduler(app, clock, pool)
    stopping.clear()

    def stop(signum, _frame):
        stopping.set()
        raise _Stop(signal.Signals(signum).name)

    # Started in the background by a shell (make run) SIGINT is ignored: Ctrl-C there is for the
    # web server, and the script stops us with one SIGTERM. A second signal ends us at once.
    signals = [signal.SIGTERM] + ([signal.SIGINT] if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN else [])
    previous = {sig: signal.signal(sig, stop) for sig in signals}
    timer = None
    if run_for is not None:
        timer = threading.Timer(run_for, lambda: os.kill(os.getpid(), signal.SIGTERM))
        timer.daemon = True
        timer.start()
    log.info("scheduler started (%r, tick every %ss)", clock,
             FAKE_TICK_SECONDS if clock.is_fake else TICK_SECONDS)
    try:
        scheduler.start()
    except _Stop as reason:
        log.info("scheduler stopping (%s)", reason)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if timer is not None:
            timer.cancel()
        if scheduler.running:
            scheduler.shutdown(wait=True)
        pool.shutdown(wait=True)
    log.info("scheduler stopped")
