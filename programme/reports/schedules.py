"""Report schedules: the manager's rules (create, change, switch off) and when a schedule fires.

A schedule fires once per period of its kind: `days_after_period` whole days after the period is
over, at `hour` o'clock Amsterdam time. With 15 days a quarter that ends on 31 March fires on
16 April; with 0 days it fires on 1 April, the first day after the period. Periods that ended
before `starts_on` never fire (a new schedule does not build the past).
Like every operation these change the models, write the audit entry and flush; the caller commits.
"""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from programme.core.audit import record
from programme.core.db import utcnow
from programme.core.permissions import MANAGER
from programme.core.extensions import db
from programme.core.editing import check_version
from programme.reports.models import GS_QUARTERLY, KIND_LABELS, PS_HALF_YEARLY, ReportSchedule
from programme.reports.periods import ReportPeriod, period_for_kind

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SCHEDULABLE_KINDS = (GS_QUARTERLY, PS_HALF_YEARLY)
MAX_DAYS_AFTER_PERIOD = 120  # as the table's check constraint
EARLIEST_START, LATEST_START = date(2000, 1, 1), date(2100, 1, 1)


class ScheduleError(ValueError):
    """A schedule cannot be saved as given (message in Dutch, for the form)."""


# ---------------------------------------------------------------- when a schedule fires

def fire_time(schedule: ReportSchedule, period: ReportPeriod) -> datetime:
    """When the schedule builds the period's report, as an aware UTC datetime.

    The hour is Amsterdam wall-clock time, so it stays 06:00 in summer and in winter. On the night
    the clocks go forward an hour that does not exist (02:00) fires at the moment the clock jumps
    (03:00 summer time); on the night they go back the first of the two 02:00s is used."""
    day = period.ends_on + timedelta(days=1 + schedule.days_after_period)
    local = datetime.combine(day, time(schedule.hour), tzinfo=AMSTERDAM)
    return local.astimezone(UTC)


def _is_covered(schedule: ReportSchedule, period: ReportPeriod) -> bool:
    return schedule.starts_on is None or period.ends_on >= schedule.starts_on


def latest_due_period(schedule: ReportSchedule, now: datetime) -> ReportPeriod | None:
    """The most recent period whose fire time has passed at `now`, if the schedule covers it.

    Only the latest: a scheduler that was down over several fire times builds the newest period
    once and leaves the older ones (a manager can still ask for those by hand)."""
    period = period_for_kind(schedule.kind, now.astimezone(AMSTERDAM).date())
    # At most 120 days after the period: the due one is at most two periods back.
    for _ in range(4):
        if fire_time(schedule, period) <= now:
            return period if _is_covered(schedule, period) else None
        period = period.previous()
    return None


def next_fire(schedule: ReportSchedule, now: datetime | None = None) -> tuple[ReportPeriod, datetime] | None:
    """The next period the schedule will build and when (for display); None when it is off."""
    if not schedule.is_active:
        return None
    now = now or utcnow()
    period = period_for_kind(schedule.kind, now.astimezone(AMSTERDAM).date())
    # Walk back to the oldest period that has not fired yet, then forward to one it covers.
    while fire_time(schedule, period.previous()) > now:
        period = period.previous()
    while not _is_covered(schedule, period):
        period = period_for_kind(schedule.kind, period.ends_on + timedelta(days=1))
    return period, fire_time(schedule, period)


# ---------------------------------------------------------------- the manager's operations

def _require_manager(user) -> None:
    # None is the system (CLI, tests); a person must be the programme manager.
    if user is not None and getattr(user, "role", None) != MANAGER:
        raise ScheduleError("Alleen de programmamanager mag planningen van rapportages beheren.")


def _clean(name, kind, days_after_period, hour, starts_on) -> dict:
    name = (name or "").strip()
    if not name:
        raise ScheduleError("Geef de planning een naam.")
    if len(name) > 200:
        raise ScheduleError("De naam is te lang (hoogstens 200 tekens).")
    if kind not in SCHEDULABLE_KINDS:
        raise ScheduleError("Kies een soort rapportage die gepland kan worden: GS per kwartaal of PS per halfjaar.")
    if isinstance(days_after_period, bool) or not isinstance(days_after_period, int) \
            or not 0 <= days_after_period <= MAX_DAYS_AFTER_PERIOD:
        raise ScheduleError(f"Het aantal dagen na de periode ligt tussen 0 en {MAX_DAYS_AFTER_PERIOD}.")
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise ScheduleError("Het uur ligt tussen 0 en 23.")
    if isinstance(starts_on, datetime) or not isinstance(starts_on, date):
        raise ScheduleError("Geef de datum waarop de planning ingaat.")
    if not EARLIEST_START <= starts_on < LATEST_START:
        raise ScheduleError("De ingangsdatum ligt tussen 2000 en 2100.")
    return {"name": name, "kind": kind, "days_after_period": days_after_period, "hour": hour,
            "starts_on": starts_on}


def _refuse_duplicate(values: dict, schedule: ReportSchedule | None = None) -> None:
    """Two active schedules with the same kind, day and hour would send the same report twice."""
    query = select(ReportSchedule.id).where(
        ReportSchedule.is_active.is_(True), ReportSchedule.kind == values["kind"],
        ReportSchedule.days_after_period == values["days_after_period"], ReportSchedule.hour == values["hour"])
    if schedule is not None:
        query = query.where(ReportSchedule.id != schedule.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise ScheduleError(f"Er is al een actieve planning voor de {KIND_LABELS[values['kind']]} "
                            "op dezelfde dag en hetzelfde uur.")


def _values(schedule: ReportSchedule) -> dict:
    return {"name": schedule.name, "kind": schedule.kind, "days_after_period": schedule.days_after_period,
            "hour": schedule.hour, "starts_on": schedule.starts_on, "is_active": schedule.is_active}


def create_schedule(name: str, kind: str, days_after_period: int, hour: int, starts_on: date,
                    user=None) -> ReportSchedule:
    _require_manager(user)
    values = _clean(name, kind, days_after_period, hour, starts_on)
    _refuse_duplicate(values)
    schedule = ReportSchedule(**values, is_active=True, created_by_id=getattr(user, "id", None))
    db.session.add(schedule)
    db.session.flush()
    record("report_schedule_created", schedule, actor=user, new=_values(schedule))
    return schedule


def update_schedule(schedule: ReportSchedule, *, name: str, days_after_period: int, hour: int,
                    starts_on: date, user=None, expected_version: int | None = None) -> ReportSchedule:
    """Change name, timing or start date. The kind stays: a schedule's builds are of one kind
    (make a new schedule for another kind). Periods it already built are not built again.
    EditConflict (core.editing) when the form was loaded from an older version; a save that slips
    in between is caught by the versioned UPDATE (StaleDataError)."""
    _require_manager(user)
    if expected_version is not None:
        check_version(schedule, expected_version)
    values = _clean(name, schedule.kind, days_after_period, hour, starts_on)
    if schedule.is_active:
        _refuse_duplicate(values, schedule)
    old = _values(schedule)
    for key, value in values.items():
        setattr(schedule, key, value)
    new = _values(schedule)
    changed = {key for key in new if new[key] != old[key]}
    if changed:
        db.session.flush()
        record("report_schedule_updated", schedule, actor=user,
               old={key: old[key] for key in changed}, new={key: new[key] for key in changed})
    return schedule


def deactivate(schedule: ReportSchedule, user=None) -> ReportSchedule:
    """Stop the schedule; what it built stays in the archive."""
    _require_manager(user)
    if schedule.is_active:
        schedule.is_active = False
        db.session.flush()
        record("report_schedule_deactivated", schedule, actor=user, old={"is_active": True},
               new={"is_active": False})
    return schedule


def activate(schedule: ReportSchedule, user=None) -> ReportSchedule:
    """Switch a schedule on again. If a fire time passed while it was off, the latest such period
    is built at the next tick (once), as after a scheduler that was down."""
    _require_manager(user)
    if not schedule.is_active:
        _refuse_duplicate(_values(schedule), schedule)
        schedule.is_active = True
        db.session.flush()
        record("report_schedule_activated", schedule, actor=user, old={"is_active": False},
               new={"is_active": True})
    return schedule
