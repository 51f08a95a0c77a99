"""The scheduler's build processes: a pool of niced child processes, each building one queued report at a time.

A build never shares a process (and its GIL) or the CPU on equal terms with anything that must answer
fast. The children are spawned and make their own app with the factory the entry point hands in
(programme.scheduler): this package never imports the app factory itself."""
import logging
import os
import signal
import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select

from programme.core.extensions import db
from programme.reports.models import QUEUED, ReportBuild
from programme.reports.worker.builds import process_queue
from programme.reports.worker.logs import configure_logging

log = logging.getLogger(__name__)

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


def _child_init(app_factory: Callable[[dict], Flask], instance_path: str, config: dict) -> None:
    """Start of a build process (spawned, so nothing of the parent's threads or database
    connections is inherited): lower its priority, make its app with the factory (a module-level
    function, pickled by name). Stopping is the parent's business: Ctrl-C or SIGTERM to the process
    group must not break off a build; the parent waits for it."""
    global _child_app
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    lower_priority()
    os.environ["INSTANCE_PATH"] = instance_path
    _child_app = app_factory(config)
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
    niced children, made on first use and made again when a child died (a broken pool). Each child
    makes its app with app_factory(config)."""

    def __init__(self, app: Flask, app_factory: Callable[[dict], Flask], processes: int = BUILD_PROCESSES):
        self.app, self.app_factory, self.processes = app, app_factory, processes
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
                initializer=_child_init, initargs=(self.app_factory, self.app.instance_path, self._config()))
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
