"""Report schedules and the scheduler process: when a schedule fires (quarters, half years,
summer time, catching up once, no back-filling), the manager's schedule operations, and exactly
one build per schedule and period, also with ticks racing in threads and with two `flask
scheduler` processes on a fake clock over several fire times."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from programme.accounts.operations import find_user
from programme.core.audit import AuditEntry
from programme.reports.models import (DONE, FAILED, QUEUED, RUNNING, SCHEDULED, IssuedReport, ReportBuild,
                                      ReportSchedule)
from programme.reports.kinds import GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports.spans import parse_span
from programme.reports.worker import due, leases, process
from programme.core.operations import Refused, RuleError
from programme.reports.operations import activate, create_schedule, deactivate, request_report, update_schedule
from programme.reports.schedule_times import fire_time, latest_due_span, next_fire
from tests.conftest import USERS

ROOT = Path(__file__).resolve().parent.parent
AMS = ZoneInfo("Europe/Amsterdam")


def ams(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def plan(kind=GS_QUARTERLY, days=15, hour=6, starts_on=date(2026, 1, 1), active=True) -> ReportSchedule:
    """A schedule that is never saved, for the fire-time rules."""
    return ReportSchedule(name="t", kind=kind, days_after_period=days, hour=hour, starts_on=starts_on,
                          is_active=active)


@pytest.fixture()
def schedules(db):
    """Saved schedules for this test (gone with the test's transaction)."""
    made = []
    counter = iter(range(1000))

    def make(kind=GS_QUARTERLY, days=15, hour=6, starts_on=date(2026, 1, 1)) -> ReportSchedule:
        schedule = ReportSchedule(name=f"Testplanning {kind} {next(counter)}", kind=kind, days_after_period=days,
                                  hour=hour, starts_on=starts_on, is_active=True)
        db.session.add(schedule)
        db.session.commit()
        made.append(schedule.id)
        return schedule

    return make


def builds_of(db, schedule) -> list[ReportBuild]:
    db.session.rollback()  # see what other sessions and processes committed
    return db.session.scalars(select(ReportBuild).where(ReportBuild.schedule_id == schedule.id)
                              .order_by(ReportBuild.id)).all()


# ---------------------------------------------------------------- fire times

def test_quarter_fires_days_after_it_ends_at_the_hour_amsterdam_time():
    gs = plan(days=15, hour=6)
    # Summer time in April, winter time in January: the hour stays 06:00 on the wall clock.
    assert fire_time(gs, parse_span("2027-K1")) == ams(2027, 4, 16, 6) == utc(2027, 4, 16, 4)
    assert fire_time(gs, parse_span("2026-K4")) == ams(2027, 1, 16, 6) == utc(2027, 1, 16, 5)
    # 0 days: the first day after the period.
    assert fire_time(plan(days=0, hour=0), parse_span("2027-K2")) == ams(2027, 7, 1, 0)


def test_half_year_fires_after_june_and_december():
    ps = plan(PS_HALF_YEARLY, days=10, hour=7)
    assert fire_time(ps, parse_span("2027-H1")) == ams(2027, 7, 11, 7)
    assert fire_time(ps, parse_span("2027-H2")) == ams(2028, 1, 11, 7)
    assert latest_due_span(ps, ams(2027, 7, 11, 6, 59)) == parse_span("2027-H1").previous()
    assert latest_due_span(ps, ams(2027, 7, 11, 7)) == parse_span("2027-H1")
    assert latest_due_span(ps, ams(2027, 12, 31, 23)) == parse_span("2027-H1")


def test_fire_time_on_the_nights_the_clocks_change():
    # 28 March 2027, 02:00 does not exist (the clock jumps to 03:00): it fires at the jump.
    spring = plan(PS_HALF_YEARLY, days=86, hour=2)
    assert fire_time(spring, parse_span("2026-H2")) == utc(2027, 3, 28, 1)
    assert latest_due_span(spring, utc(2027, 3, 28, 0, 59)) == parse_span("2026-H1")
    assert latest_due_span(spring, ams(2027, 3, 28, 3, 0)) == parse_span("2026-H2")
    # 31 October 2027, 02:00 happens twice: the first one (still summer time).
    autumn = plan(GS_QUARTERLY, days=30, hour=2)
    assert fire_time(autumn, parse_span("2027-K3")) == utc(2027, 10, 31, 0)
    # Hours either side of the change keep their wall-clock time.
    assert fire_time(plan(GS_QUARTERLY, days=30, hour=6), parse_span("2027-K3")) == utc(2027, 10, 31, 5)


def test_the_due_period_switches_exactly_at_the_fire_time():
    gs = plan(days=15, hour=6)
    fire = ams(2027, 4, 16, 6)
    assert latest_due_span(gs, fire - timedelta(seconds=1)) == parse_span("2026-K4")
    assert latest_due_span(gs, fire) == parse_span("2027-K1")
    # Up to 120 days after the period: the due one can lie two periods back.
    late = plan(days=120)
    assert latest_due_span(late, ams(2027, 7, 20)) == parse_span("2026-K4")
    assert latest_due_span(late, ams(2027, 8, 1)) == parse_span("2027-K1")


def test_after_downtime_only_the_latest_missed_period_is_due():
    gs = plan(days=15, starts_on=date(2026, 1, 1))
    # Down from March to November 2027: K1 and K2 were missed too, only K3 is due.
    assert latest_due_span(gs, ams(2027, 11, 1)) == parse_span("2027-K3")


def test_periods_that_ended_before_the_start_are_never_due():
    gs = plan(days=15, starts_on=date(2027, 5, 1))
    assert latest_due_span(gs, ams(2027, 5, 1)) is None  # K1 ended 31 March
    assert latest_due_span(gs, ams(2027, 7, 15)) is None
    assert latest_due_span(gs, ams(2027, 7, 16, 6)) == parse_span("2027-K2")
    # A period that ends on the start date counts.
    assert latest_due_span(plan(days=15, starts_on=date(2027, 3, 31)), ams(2027, 4, 20)) == parse_span("2027-K1")


def test_next_fire_for_display():
    gs = plan(days=15)
    assert next_fire(gs, ams(2027, 4, 10)) == (parse_span("2027-K1"), ams(2027, 4, 16, 6))
    assert next_fire(gs, ams(2027, 4, 16, 6)) == (parse_span("2027-K2"), ams(2027, 7, 16, 6))
    assert next_fire(plan(days=120), ams(2027, 7, 20)) == (parse_span("2027-K1"), ams(2027, 7, 30, 6))
    later = plan(days=15, starts_on=date(2027, 8, 1))
    assert next_fire(later, ams(2027, 4, 10)) == (parse_span("2027-K3"), ams(2027, 10, 16, 6))
    assert next_fire(plan(active=False), ams(2027, 4, 10)) is None


def test_due_builds_skips_inactive_schedules(db, schedules):
    on, off = schedules(days=15), schedules(days=16)
    off.is_active = False
    db.session.commit()
    found = {schedule.id: period for schedule, period in due.due_builds(ams(2027, 11, 1))}
    assert found[on.id] == parse_span("2027-K3")
    assert off.id not in found


# ---------------------------------------------------------------- the manager's operations

def test_create_update_and_deactivate_schedule_with_audit(db):
    manager = find_user(USERS["manager"][0])
    schedule = create_schedule("  GS kwartaal  ", GS_QUARTERLY, 21, 5, date(2027, 1, 1), manager)
    db.session.commit()
    assert (schedule.name, schedule.kind, schedule.is_active, schedule.created_by_id) == \
        ("GS kwartaal", GS_QUARTERLY, True, manager.id)
    with pytest.raises(RuleError, match="al een actieve planning"):
        create_schedule("Dubbel", GS_QUARTERLY, 21, 5, date(2027, 1, 1), manager)
    update_schedule(schedule, name="GS kwartaal", days_after_period=30, hour=6, starts_on=date(2027, 1, 1),
                    user=manager)
    deactivate(schedule, manager)
    activate(schedule, manager)
    deactivate(schedule, manager)
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "ReportSchedule",
                                                          AuditEntry.object_id == schedule.id)
                                 .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["report_schedule.create", "report_schedule.update",
                                           "report_schedule.deactivate", "report_schedule.activate",
                                           "report_schedule.deactivate"]
    assert entries[1].old_values == {"days_after_period": 21, "hour": 5}
    assert entries[1].new_values == {"days_after_period": 30, "hour": 6}
    assert all(e.actor_id == manager.id for e in entries)
    assert next_fire(schedule) is None


@pytest.mark.parametrize("args, message", [
    (("", GS_QUARTERLY, 15, 6, date(2027, 1, 1)), "naam"),
    (("x" * 201, GS_QUARTERLY, 15, 6, date(2027, 1, 1)), "te lang"),
    (("Factsheets", "factsheet", 15, 6, date(2027, 1, 1)), "soort rapportage"),
    (("Te laat", GS_QUARTERLY, 121, 6, date(2027, 1, 1)), "tussen 0 en 120"),
    (("Negatief", GS_QUARTERLY, -1, 6, date(2027, 1, 1)), "tussen 0 en 120"),
    (("Uur", PS_HALF_YEARLY, 15, 24, date(2027, 1, 1)), "uur ligt tussen 0 en 23"),
    (("Tekst", PS_HALF_YEARLY, "15", 6, date(2027, 1, 1)), "dagen"),
    (("Geen datum", PS_HALF_YEARLY, 15, 6, None), "datum"),
    (("Oud", PS_HALF_YEARLY, 15, 6, date(1999, 12, 31)), "tussen 2000 en 2100"),
])
def test_schedule_validation(db, args, message):
    with pytest.raises(RuleError, match=message):
        create_schedule(*args, user=None)


def test_only_the_manager_manages_schedules(db):
    owner = find_user(USERS["owner"][0])
    # A right, not a rule: Refused is a 403 through core.operations.run (it used to be a flashed ValueError).
    with pytest.raises(Refused, match="programmamanager"):
        create_schedule("GS", GS_QUARTERLY, 15, 6, date(2027, 1, 1), owner)


# ---------------------------------------------------------------- tick: exactly once

def test_tick_twice_queues_one_build(db, schedules):
    gs = schedules(days=15)
    now = ams(2027, 4, 20)
    first = due.tick(now)
    second = due.tick(now + timedelta(minutes=1))
    builds = builds_of(db, gs)
    assert [b.id for b in builds] == [b.id for b in first if b.schedule_id == gs.id]
    assert not [b for b in second if b.schedule_id == gs.id]
    (build,) = builds
    assert (build.period_code, build.kind, build.trigger, build.status) == ("2027-K1", GS_QUARTERLY, SCHEDULED,
                                                                            QUEUED)


def test_tick_after_downtime_catches_up_once(db, schedules):
    gs = schedules(days=15, starts_on=date(2026, 1, 1))
    ps = schedules(PS_HALF_YEARLY, days=10, starts_on=date(2027, 3, 1))
    due.tick(ams(2027, 11, 1))
    due.tick(ams(2027, 11, 2))
    assert [b.period_code for b in builds_of(db, gs)] == ["2027-K3"]
    assert [b.period_code for b in builds_of(db, ps)] == ["2027-H1"]
    due.tick(ams(2028, 1, 16, 6))
    assert [b.period_code for b in builds_of(db, gs)] == ["2027-K3", "2027-K4"]
    assert [b.period_code for b in builds_of(db, ps)] == ["2027-H1", "2027-H2"]


@pytest.mark.committed  # six threads, each with a connection of its own
def test_ticks_racing_in_threads_queue_one_build(app, db, schedules, monkeypatch):
    gs = schedules(days=15)
    ps = schedules(PS_HALF_YEARLY, days=10)
    # Skip the friendly "already built?" check so every thread really inserts: the database decides.
    monkeypatch.setattr(due, "_has_build", lambda schedule_id, period_code: False)
    threads, barrier, errors = 6, threading.Barrier(6), []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                due.tick(ams(2027, 7, 20))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert errors == []
    assert [b.period_code for b in builds_of(db, gs)] == ["2027-K2"]
    assert [b.period_code for b in builds_of(db, ps)] == ["2027-H1"]


# ---------------------------------------------------------------- builds left behind

def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_builds_of_dead_workers_are_queued_again(db):
    host = socket.gethostname()
    now = datetime.now(UTC)
    cases = {
        "dead_here": (f"{host}:{_dead_pid()}", now, 1),
        "alive_here": (f"{host}:{os.getpid()}", now - timedelta(hours=2), 1),
        "elsewhere_recent": ("elders.example:12", now - timedelta(minutes=5), 1),
        "elsewhere_old": ("elders.example:12", now - timedelta(minutes=31), 1),
        "dead_too_often": (f"{host}:{_dead_pid()}", now, 3),
    }
    ids = {}
    # Five reports: a requested report has one open build at a time.
    periods = [parse_span(code) for code in ("2027-K1", "2027-K2", "2027-K3", "2027-K4", "2028-K1")]
    for period, (name, (worker, started, attempts)) in zip(periods, cases.items(), strict=True):
        build = request_report(GS_QUARTERLY, period, today=period.ends_on + timedelta(days=1))
        build.status, build.worker, build.started_dt, build.attempts = RUNNING, worker, started, attempts
        ids[name] = build.id
    db.session.commit()
    try:
        recovered = set(leases.recover_stale_builds(now)) & set(ids.values())
        assert recovered == {ids["dead_here"], ids["alive_here"], ids["elsewhere_old"], ids["dead_too_often"]}
        db.session.rollback()
        status = {name: db.session.get(ReportBuild, build_id, populate_existing=True) for name, build_id in ids.items()}
        assert status["dead_here"].status == QUEUED and status["dead_here"].worker is None
        assert status["alive_here"].status == QUEUED  # older than 30 minutes: lost
        assert status["elsewhere_old"].status == QUEUED
        assert status["elsewhere_recent"].status == RUNNING
        assert status["dead_too_often"].status == FAILED and "3 keer" in status["dead_too_often"].error
        # A second scheduler doing the same finds nothing left of these.
        assert not set(leases.recover_stale_builds(now)) & set(ids.values())
    finally:
        db.session.rollback()


def test_fake_clock_runs_fast_and_stands_still_at_its_end():
    clock = process.Clock(ams(2027, 1, 1), rate=10 * 86400, end=ams(2027, 1, 2))  # ten days a second
    first = clock.now()
    time.sleep(0.02)
    assert ams(2027, 1, 1) <= first < clock.now() <= ams(2027, 1, 2)
    time.sleep(0.15)
    assert clock.now() == ams(2027, 1, 2)
    assert abs(process.Clock().now() - datetime.now(UTC)) < timedelta(seconds=1)


# ---------------------------------------------------------------- the process

def _scheduler_env(app) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "APP_ENV": "development",
        "FLASK_APP": "app.py",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("FLASK_DEBUG", None)
    return env


def _flask(*args) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app.py", *args]


def test_fake_clock_is_refused_in_production(app):
    env = _scheduler_env(app) | {"APP_ENV": "production", "SECRET_KEY": "s" * 40}  # a valid production key
    result = subprocess.run(_flask("scheduler", "--clock-start", "2027-01-01T00:00", "--run-for", "1"),  # noqa: S603
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "niet in productie" in result.stderr


@pytest.mark.slow
@pytest.mark.committed  # two scheduler processes
def test_two_scheduler_processes_build_each_schedule_and_period_once(app, db, schedules):
    """The acceptance test: two `flask scheduler` processes at once on the same database, on a
    fake clock over a year (six fire times), and still one report per schedule and period."""
    starts = date(2027, 1, 1)  # 2026-K4 and 2026-H2 fire in January 2027 but ended before this
    gs = schedules(GS_QUARTERLY, days=15, hour=6, starts_on=starts)
    ps = schedules(PS_HALF_YEARLY, days=10, hour=7, starts_on=starts)
    expected = {(gs.id, code) for code in ("2027-K1", "2027-K2", "2027-K3", "2027-K4")} | \
               {(ps.id, code) for code in ("2027-H1", "2027-H2")}
    # 2027-01-01 to 2028-01-31 (395 days) in about 10 real seconds, then the clock stands still.
    # 40 days a second with a tick each half second: a tick would have to be late by more than two
    # seconds to jump over a quarter's fire time (and then, rightly, build only the latest).
    clock_seconds = 10
    rate = 395 * 86400 / clock_seconds
    command = _flask("scheduler", "--clock-start", "2027-01-01T00:00", "--clock-end", "2028-01-31T00:00",
                     "--clock-rate", f"{rate:.0f}", "--run-for", "120")
    env = _scheduler_env(app)
    started = time.monotonic()
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,  # noqa: S603
                                  stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    try:
        # Wait until the fake clock has passed the last fire time and every build has finished.
        # Typically done in 15 s; the bound is for a machine under heavy load.
        while time.monotonic() - started < 100:
            time.sleep(0.5)
            if any(p.poll() is not None for p in processes):
                break
            builds = builds_of(db, gs) + builds_of(db, ps)
            if time.monotonic() - started > clock_seconds + 4 and len(builds) >= len(expected) \
                    and all(b.is_finished for b in builds):
                break
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        outputs = []
        for process in processes:
            try:
                outputs.append(process.communicate(timeout=60))
            except subprocess.TimeoutExpired:
                process.kill()  # nothing of this test may go on writing into the next test's database
                outputs.append(process.communicate())
    logs = "\n".join(err for _out, err in outputs)
    assert [p.returncode for p in processes] == [0, 0], logs[-4000:]
    assert logs.count("scheduler started") == 2 and logs.count("scheduler stopped") == 2, logs[-4000:]
    assert "Warning" not in logs, logs[-4000:]

    builds = builds_of(db, gs) + builds_of(db, ps)
    per_period = Counter((b.schedule_id, b.period_code) for b in builds)
    assert set(per_period) == expected, logs[-4000:]
    assert all(count == 1 for count in per_period.values()), per_period
    assert all(b.trigger == SCHEDULED for b in builds)
    assert {b.status for b in builds} == {DONE}, [(b.period_code, b.status, b.error) for b in builds]
    assert "raised an exception" not in logs, logs[-4000:]  # no job of the scheduler crashed

    reports = db.session.scalars(select(IssuedReport).where(IssuedReport.schedule_id.in_([gs.id, ps.id]))).all()
    per_report = Counter((r.schedule_id, r.period_code) for r in reports)
    assert per_report == Counter({key: 1 for key in expected})
    assert {b.report_id for b in builds} == {r.id for r in reports}
