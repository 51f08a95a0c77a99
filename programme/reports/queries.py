"""Reading reports: loaders (404), the archive and build lists, open builds, and what the screens say of deliveries.

Who may see the archive (the manager and GS/PS readers) and who may change anything (the manager)
is checked by the views' role decorators and by the operations (core.permissions)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from programme.core.db import utcnow
from programme.core.extensions import db
from programme.core.formatting import dutch_datetime
from programme.initiatives.models import Initiative
from programme.reports.models import (DELIVERY_OVERDUE, FAILED, MAX_DELIVERY_ATTEMPTS, PENDING, QUEUED, RUNNING,
                                      SENT, Delivery, IssuedReport, ReportBuild, ReportRecipient, ReportSchedule)

RECENT_BUILDS = 20


# ---------------------------------------------------------------- loading (404 when it does not exist)

def get_report(report_id: int) -> IssuedReport:
    return db.get_or_404(IssuedReport, report_id)


def get_build(build_id: int) -> ReportBuild:
    return db.get_or_404(ReportBuild, build_id)


def get_schedule(schedule_id: int) -> ReportSchedule:
    return db.get_or_404(ReportSchedule, schedule_id)


def get_recipient(recipient_id: int) -> ReportRecipient:
    return db.get_or_404(ReportRecipient, recipient_id)


def get_delivery(delivery_id: int) -> Delivery:
    return db.get_or_404(Delivery, delivery_id)


# ---------------------------------------------------------------- lists

def archive(kind: str | None = None, only_failed: bool = False):
    """The issued reports, newest first (a select for paginating), of one kind or with a failed delivery."""
    query = (select(IssuedReport).options(selectinload(IssuedReport.deliveries))
             .order_by(IssuedReport.created_dt.desc(), IssuedReport.id.desc()))
    if kind:
        query = query.where(IssuedReport.kind == kind)
    if only_failed:
        query = query.where(IssuedReport.deliveries.any(Delivery.status == FAILED))
    return query


def recent_builds() -> list[ReportBuild]:
    return db.session.scalars(select(ReportBuild).order_by(ReportBuild.created_dt.desc(), ReportBuild.id.desc())
                              .limit(RECENT_BUILDS)).all()


def open_build(kind: str, period_code: str, initiative_id: int | None, *,
               exclude: int | None = None) -> ReportBuild | None:
    """The queued or running build of this very report (kind, span, initiative), if there is one."""
    query = select(ReportBuild).where(ReportBuild.kind == kind, ReportBuild.period_code == period_code,
                                      ReportBuild.status.in_((QUEUED, RUNNING)))
    query = query.where(ReportBuild.initiative_id == initiative_id if initiative_id is not None
                        else ReportBuild.initiative_id.is_(None))
    if exclude is not None:
        query = query.where(ReportBuild.id != exclude)
    return db.session.scalar(query.order_by(ReportBuild.id).limit(1))


def initiatives_to_report_on() -> list[Initiative]:
    """The initiatives a factsheet can be asked for (not archived), in their programme order."""
    found = db.session.scalars(select(Initiative).where(Initiative.is_archived.is_(False))).all()
    return sorted(found, key=lambda i: i.sort_key)


def schedules() -> list[ReportSchedule]:
    return db.session.scalars(select(ReportSchedule).order_by(ReportSchedule.is_active.desc(),
                                                              ReportSchedule.name)).all()


def recipients() -> list[ReportRecipient]:
    return db.session.scalars(select(ReportRecipient).order_by(ReportRecipient.kind, ReportRecipient.email)).all()


# ---------------------------------------------------------------- deliveries on the screens

def failed_count() -> int:
    """Deliveries given up after their last attempt (until the manager sends them again)."""
    return db.session.scalar(select(func.count(Delivery.id)).where(Delivery.status == FAILED)) or 0


@dataclass
class DeliveryState:
    """What the archive says about one delivery: a short status and the whole story."""

    key: str  # the badge's colour: sent, pending (waiting, retrying) or failed (given up, cannot be sent)
    label: str
    detail: str


def delivery_state(delivery: Delivery, *, mail_ready: bool, now: datetime | None = None) -> DeliveryState:
    now = now or utcnow()
    attempts = f"{delivery.attempts} van {MAX_DELIVERY_ATTEMPTS}"
    if delivery.status == SENT:
        when = f"Verzonden op {dutch_datetime(delivery.sent_dt)}" if delivery.sent_dt else "Verzonden"
        tries = f", bij poging {delivery.attempts}" if delivery.attempts > 1 else ""
        return DeliveryState(SENT, "Verzonden", f"{when}{tries}.")
    if delivery.status == FAILED:
        return DeliveryState(FAILED, "Mislukt", f"Opgegeven na {delivery.attempts} pogingen. "
                                                f"Reden: {delivery.last_error or 'onbekend'}")
    if not mail_ready:
        return DeliveryState(FAILED, "Niet verzonden: geen mailserver ingesteld",
                             "Er is geen mailserver ingesteld. De e-mail wordt verstuurd zodra dat wel zo is.")
    stalled = ""
    if delivery.next_attempt_dt and delivery.next_attempt_dt < now - DELIVERY_OVERDUE:
        stalled = (" Dat moment is al voorbij: het achtergrondproces dat e-mail verstuurt, draait mogelijk niet. "
                   "Meld dit aan de technisch beheerder.")
    if delivery.attempts:
        next_try = (f" Volgende poging op {dutch_datetime(delivery.next_attempt_dt)}."
                    if delivery.next_attempt_dt else "")
        return DeliveryState(PENDING, f"Poging {attempts} mislukt",
                             f"Laatste fout: {delivery.last_error or 'onbekend'}{next_try}{stalled}")
    if stalled:
        return DeliveryState(FAILED, "Wacht op verzending",
                             f"Klaargezet voor {dutch_datetime(delivery.next_attempt_dt)}.{stalled}")
    return DeliveryState(PENDING, "Wacht op verzending", "Wordt binnen enkele minuten verzonden.")
