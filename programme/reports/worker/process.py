"""The scheduler process (`flask scheduler`): an APScheduler loop running tick, work and deliver on a clock.

`tick` each minute (queue the builds that schedules are due for, put back builds a dead worker left
running), `work` each few seconds (build queued reports in the pool's niced child processes, at most
BUILD_PROCESSES at a time) and `deliver` each minute (send and retry report e-mails)."""
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask

from programme.core.db import utcnow
from programme.core.formatting import AMSTERDAM
from programme.reports.worker.deliveries import send_due
from programme.reports.worker.due import tick
from programme.reports.worker.pool import BuildPool, stopping, work

log = logging.getLogger(__name__)

TICK_SECONDS = 60
WORK_SECONDS = 5
DELIVER_SECONDS = 60
# Under a fake clock one real second is days of programme time: look more often.
FAKE_TICK_SECONDS = 0.5
FAKE_WORK_SECONDS = 0.5


def deliver() -> int:
    """Send due report e-mails and retry failed ones (always on real time: real mail)."""
    return send_due(utcnow())


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


def run_scheduler(app: Flask, app_factory: Callable[[dict], Flask], clock: Clock,
                  run_for: float | None = None) -> None:
    """Run until SIGTERM/SIGINT (or run_for seconds). A build in progress is finished first. The
    build processes make their own app with app_factory (the entry point's create_app)."""
    pool = BuildPool(app, app_factory)
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
