"""Queueing the builds that report schedules are due for, exactly once per schedule and span.

Exactly once does not depend on there being one scheduler: the database refuses a second build
for the same schedule and span (unique constraint), so two scheduler processes, or one that was
down and catches up, never queue a report twice."""
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from programme.core.db import utcnow
from programme.core.extensions import db
from programme.core.formatting import AMSTERDAM
from programme.core.operations import RuleError
from programme.reports.models import ReportBuild, ReportSchedule
from programme.reports.operations import request_report
from programme.reports.schedule_times import fire_time, latest_due_span
from programme.reports.spans import ReportSpan
from programme.reports.worker.leases import recover_stale_builds

log = logging.getLogger(__name__)


def due_builds(now: datetime) -> list[tuple[ReportSchedule, ReportSpan]]:
    """For each active schedule the latest period whose fire time has passed (see
    schedule_times.latest_due_span); whether it was built already is for tick to find out."""
    schedules = db.session.scalars(select(ReportSchedule).where(ReportSchedule.is_active.is_(True))
                                   .order_by(ReportSchedule.id)).all()
    due = []
    for schedule in schedules:
        period = latest_due_span(schedule, now)
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
        except RuleError as refusal:
            db.session.rollback()
            log.warning("schedule %s, period %s not queued: %s", schedule_id, period.code, refusal)
            continue
        log.info("schedule %s (%s): queued build %s for period %s (due %s)", schedule_id, schedule.name, build.id,
                 period.code, fire_time(schedule, period).astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M"))
        queued.append(build)
    return queued


def tick(now: datetime | None = None) -> list[ReportBuild]:
    """One scheduler round at `now` (the programme's time; real time unless a fake clock runs):
    put back builds of dead workers, then queue the due scheduled builds. Returns those."""
    recover_stale_builds(utcnow())
    return queue_due_builds(now or utcnow())
