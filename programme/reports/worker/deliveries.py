"""Sending issued reports by e-mail: one Delivery per active recipient, sent with retries and backoff."""
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from programme.core.audit import record
from programme.core.db import utcnow
from programme.core.extensions import db
from programme.reports.mail import describe_error, send_one, technical_detail
from programme.reports.models import (FAILED, MAX_DELIVERY_ATTEMPTS, PENDING, SENT, Delivery, IssuedReport,
                                      ReportRecipient)

log = logging.getLogger(__name__)

# Wait after the n-th failed attempt: 5, 10, 20, 40 minutes.
FIRST_BACKOFF = timedelta(minutes=5)
# A delivery being sent is moved this far ahead, so a second scheduler process leaves it alone.
LEASE = timedelta(minutes=15)
BATCH = 50
_warned_unconfigured = False


def queue_deliveries(report: IssuedReport) -> list[Delivery]:
    """One pending delivery per active recipient of the report's kind (the caller commits)."""
    recipients = db.session.scalars(select(ReportRecipient).where(
        ReportRecipient.kind == report.kind, ReportRecipient.is_active.is_(True)).order_by(ReportRecipient.id)).all()
    now = utcnow()
    # By id, not through report.deliveries: changing the archived report's collection would mark it
    # dirty, and an issued report never changes.
    deliveries = [Delivery(report_id=report.id, email=r.email, status=PENDING, attempts=0, next_attempt_dt=now)
                  for r in recipients]
    db.session.add_all(deliveries)
    db.session.flush()
    if deliveries:
        record("report_delivery.queue", report, new={"recipients": [d.email for d in deliveries]})
    return deliveries


def backoff(attempts: int) -> timedelta:
    """The wait after the attempts-th failed attempt."""
    return FIRST_BACKOFF * (2 ** max(attempts - 1, 0))


def _claim(delivery_id: int, now: datetime) -> bool:
    """Move a due delivery ahead by the lease; only the process whose UPDATE matched sends it."""
    taken = db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.status == PENDING,
                               Delivery.next_attempt_dt <= now)
        .values(next_attempt_dt=now + LEASE).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return bool(taken)


def send_due(now: datetime | None = None, limit: int = BATCH) -> int:
    """Send the pending deliveries that are due (the scheduler calls this every minute).
    Returns how many were sent. Commits after each delivery."""
    global _warned_unconfigured
    now = now or utcnow()
    due = db.session.scalars(select(Delivery.id).where(Delivery.status == PENDING, Delivery.next_attempt_dt <= now)
                             .order_by(Delivery.next_attempt_dt, Delivery.id).limit(limit)).all()
    if due and not current_app.config.get("MAIL_SERVER"):
        if not _warned_unconfigured:  # once per process, not every scheduler round
            log.warning("MAIL_SERVER is not set: %d report e-mail(s) wait until it is", len(due))
            _warned_unconfigured = True
        return 0
    sent = 0
    for delivery_id in due:
        if not _claim(delivery_id, now):
            continue
        delivery = db.session.get(Delivery, delivery_id, populate_existing=True)
        try:
            send_one(delivery)
        except Exception as exc:  # noqa: BLE001 - every failure is kept on the delivery and retried
            _failed(delivery, exc, now)
        else:
            delivery.status, delivery.sent_dt, delivery.last_error = SENT, utcnow(), None
            delivery.attempts += 1
            delivery.next_attempt_dt = None
            record("report_delivery.send", delivery.report,
                   new={"email": delivery.email, "attempts": delivery.attempts, "delivery_id": delivery.id})
            sent += 1
        db.session.commit()
    return sent


def _failed(delivery: Delivery, exc: Exception, now: datetime) -> None:
    delivery.attempts += 1
    delivery.last_error = describe_error(exc)
    final = delivery.attempts >= MAX_DELIVERY_ATTEMPTS
    if final:
        delivery.status, delivery.next_attempt_dt = FAILED, None
    else:
        delivery.next_attempt_dt = now + backoff(delivery.attempts)
    log.warning("delivery %s of report %s to %s failed (attempt %s): %s", delivery.id, delivery.report_id,
                delivery.email, delivery.attempts, technical_detail(exc))
    record("report_delivery.fail" if final else "report_delivery.retry", delivery.report, result="failed",
           message=delivery.last_error,
           new={"email": delivery.email, "attempts": delivery.attempts, "delivery_id": delivery.id,
                "next_attempt_dt": delivery.next_attempt_dt})
