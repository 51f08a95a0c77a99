"""When a report schedule fires: the moment after each span, and which span is due or comes next.

A schedule fires once per span of its kind: `days_after_period` whole days after the span is over,
at `hour` o'clock Amsterdam time. With 15 days a quarter that ends on 31 March fires on 16 April;
with 0 days it fires on 1 April, the first day after the span. Spans that ended before `starts_on`
never fire (a new schedule does not build the past)."""
from datetime import UTC, datetime, time, timedelta

from programme.core.db import utcnow
from programme.core.formatting import AMSTERDAM
from programme.reports.models import ReportSchedule
from programme.reports.spans import ReportSpan, span_for_kind


def fire_time(schedule: ReportSchedule, period: ReportSpan) -> datetime:
    """When the schedule builds the period's report, as an aware UTC datetime.

    The hour is Amsterdam wall-clock time, so it stays 06:00 in summer and in winter. On the night
    the clocks go forward an hour that does not exist (02:00) fires at the moment the clock jumps
    (03:00 summer time); on the night they go back the first of the two 02:00s is used."""
    day = period.ends_on + timedelta(days=1 + schedule.days_after_period)
    local = datetime.combine(day, time(schedule.hour), tzinfo=AMSTERDAM)
    return local.astimezone(UTC)


def _is_covered(schedule: ReportSchedule, period: ReportSpan) -> bool:
    return schedule.starts_on is None or period.ends_on >= schedule.starts_on


def latest_due_span(schedule: ReportSchedule, now: datetime) -> ReportSpan | None:
    """The most recent period whose fire time has passed at `now`, if the schedule covers it.

    Only the latest: a scheduler that was down over several fire times builds the newest period
    once and leaves the older ones (a manager can still ask for those by hand)."""
    period = span_for_kind(schedule.kind, now.astimezone(AMSTERDAM).date())
    # At most 120 days after the period: the due one is at most two periods back.
    for _ in range(4):
        if fire_time(schedule, period) <= now:
            return period if _is_covered(schedule, period) else None
        period = period.previous()
    return None


def next_fire(schedule: ReportSchedule, now: datetime | None = None) -> tuple[ReportSpan, datetime] | None:
    """The next period the schedule will build and when (for display); None when it is off."""
    if not schedule.is_active:
        return None
    now = now or utcnow()
    period = span_for_kind(schedule.kind, now.astimezone(AMSTERDAM).date())
    # Walk back to the oldest period that has not fired yet, then forward to one it covers.
    while fire_time(schedule, period.previous()) > now:
        period = period.previous()
    while not _is_covered(schedule, period):
        period = span_for_kind(schedule.kind, period.ends_on + timedelta(days=1))
    return period, fire_time(schedule, period)
