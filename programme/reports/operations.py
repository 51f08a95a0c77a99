"""Every change to reports: asking for and retrying builds, schedules, recipients, resending and test e-mail.

Like every domain's operations these take models and plain values, check rights (Refused: 403) and
rules (RuleError on a form field), change, write the audit entry and flush; they never commit:
core.operations.run() does, or the scheduler process for the builds it queues itself.
"""
import logging
from datetime import date, datetime

from sqlalchemy import func, select

from programme.accounts.models import User
from programme.core.audit import record
from programme.core.db import utcnow
from programme.core.editing import check_version
from programme.core.extensions import db
from programme.core.formatting import dutch_date
from programme.core.operations import Refused, RuleError
from programme.core.permissions import is_manager
from programme.reports import mail
from programme.reports.kinds import FACTSHEET, KIND_IN_SENTENCE, KIND_LABELS, SCHEDULABLE_KINDS
from programme.reports.models import (FAILED, MANUAL, PENDING, QUEUED, RUNNING, SCHEDULED, Delivery, ReportBuild,
                                      ReportRecipient, ReportSchedule)
from programme.reports.queries import open_build
from programme.reports.spans import ReportSpan, capfirst, today_in_amsterdam

log = logging.getLogger(__name__)

# SECURITY.md 14: building is expensive, so one person has only a few builds waiting at a time.
MAX_OPEN_PER_USER = 3
DUPLICATE = ("Deze rapportage staat al in de wachtrij of wordt gemaakt. Wacht tot die klaar is voordat u haar "
             "opnieuw aanvraagt.")
MANAGER_ONLY = "Alleen de programmamanager mag rapportages, planningen en ontvangers beheren."
SCHEDULES_MANAGER_ONLY = "Alleen de programmamanager mag planningen van rapportages beheren."
MAX_DAYS_AFTER_PERIOD = 120  # as the table's check constraint
EARLIEST_START, LATEST_START = date(2000, 1, 1), date(2100, 1, 1)


def _require_manager(user, message: str = MANAGER_ONLY) -> None:
    # None is the system (the scheduler process, the CLI, tests); a person must be the programme manager.
    if user is not None and not is_manager(user):
        raise Refused(message)


# ---------------------------------------------------------------- asking for a report

class QueueRefused(RuleError):
    """The queue refuses the request for now (HTTP 429): the same report is open already
    (`in_the_way`), or this person has MAX_OPEN_PER_USER builds waiting."""

    def __init__(self, message: str, in_the_way: ReportBuild | None = None):
        super().__init__(None, message)
        self.in_the_way = in_the_way


def unended_refusal(span: ReportSpan, today: date) -> str | None:
    """Why a final report on the span cannot be built today (Dutch), or None when it has ended."""
    if span.has_ended(today):
        return None
    return (f"{capfirst(span.in_sentence)} is nog niet voorbij: het loopt tot en met "
            f"{dutch_date(span.ends_on)}. Een rapportage erover zou cijfers tonen alsof de periode al "
            "is afgesloten. Kies een afgelopen periode, of vraag uitdrukkelijk een voorlopige rapportage aan.")


def request_report(kind: str, span: ReportSpan, *, initiative=None, user=None,
                   schedule: ReportSchedule | None = None, provisional: bool = False,
                   today: date | None = None) -> ReportBuild:
    """Queue a build. A scheduled build is unique per schedule and span: the flush or commit of a
    second one fails with an IntegrityError.

    A report on a span that has not ended (on `today`, Amsterdam) is refused, unless a person
    explicitly asks for a provisional one; a schedule never builds one. Asking for a provisional
    report on a span that has ended gives the ordinary, final report."""
    _require_manager(user)
    if kind not in KIND_LABELS:
        raise RuleError("kind", "Kies een soort rapportage.")
    if (kind == FACTSHEET) != (initiative is not None):
        raise RuleError("initiative", "Een factsheet hoort bij één initiatief; kies het initiatief.")
    refusal = unended_refusal(span, today or today_in_amsterdam())
    if refusal is not None and (schedule is not None or not provisional):
        raise RuleError("period", refusal)
    is_provisional = refusal is not None
    build = ReportBuild(kind=kind, period_code=span.code, period_starts_on=span.starts_on,
                        period_ends_on=span.ends_on, initiative_id=getattr(initiative, "id", None),
                        trigger=SCHEDULED if schedule else MANUAL, schedule_id=getattr(schedule, "id", None),
                        requested_by_id=getattr(user, "id", None), status=QUEUED, progress=0,
                        progress_label="In de wachtrij", is_provisional=is_provisional)
    db.session.add(build)
    db.session.flush()
    record("report.request", build, actor=user,
           new={"kind": kind, "period": span.display, "initiative_id": build.initiative_id,
                "schedule_id": build.schedule_id, "is_provisional": is_provisional})
    return build


def _one_request_at_a_time(user) -> None:
    """Lock the requester's row until the commit, so that one person's parallel requests are counted
    one after another and the cap of MAX_OPEN_PER_USER holds whatever the parallelism (each count, a
    statement of its own, sees the builds that the requests before it committed). SQLite has no row
    locks; it is the single-user development database."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def _refuse_when_queue_is_full(user, kind: str, period_code: str, initiative_id: int | None, *,
                               exclude: int | None = None) -> None:
    """QueueRefused when this request may not be queued now. Call it after _one_request_at_a_time();
    identical builds of two people are kept apart by the database (the partial unique indexes on
    report_builds: the loser's insert fails with an IntegrityError)."""
    existing = open_build(kind, period_code, initiative_id, exclude=exclude)
    if existing is not None:
        raise QueueRefused(f"Deze rapportage staat al in de wachtrij of wordt gemaakt (opdracht {existing.id}). "
                           "Wacht tot die klaar is voordat u haar opnieuw aanvraagt.", existing)
    mine = db.session.scalar(select(func.count(ReportBuild.id)).where(
        ReportBuild.requested_by_id == user.id, ReportBuild.status.in_((QUEUED, RUNNING))))
    if mine >= MAX_OPEN_PER_USER:
        raise QueueRefused(f"U heeft al {mine} rapportages in de wachtrij. Wacht tot er een klaar is en vraag dan "
                           "een nieuwe aan.")


def ask_for_report(kind: str, span: ReportSpan, *, user, initiative=None, provisional: bool = False,
                   today: date | None = None) -> ReportBuild:
    """A person asks for a report: queued unless the queue refuses it (QueueRefused, see
    _refuse_when_queue_is_full)."""
    _require_manager(user)
    _one_request_at_a_time(user)
    _refuse_when_queue_is_full(user, kind, span.code, getattr(initiative, "id", None))
    return request_report(kind, span, initiative=initiative, user=user, provisional=provisional, today=today)


def retry(build: ReportBuild, user) -> ReportBuild:
    """Put a failed build back in the queue, if the queue takes it (QueueRefused otherwise)."""
    _require_manager(user)
    if user is not None:
        _one_request_at_a_time(user)
        db.session.refresh(build)  # as it is now, after a parallel retry that went first
        _refuse_when_queue_is_full(user, build.kind, build.period_code, build.initiative_id, exclude=build.id)
    if build.status != FAILED:
        raise RuleError(None, "Alleen een mislukte rapportage kan opnieuw worden gemaakt.")
    build.status, build.progress, build.progress_label, build.error = QUEUED, 0, "In de wachtrij", None
    build.finished_dt = None
    db.session.flush()
    record("report.retry", build, actor=user)
    return build


# ---------------------------------------------------------------- schedules

def _clean_schedule(name, kind, days_after_period, hour, starts_on) -> dict:
    name = (name or "").strip()
    if not name:
        raise RuleError("name", "Geef de planning een naam.")
    if len(name) > 200:
        raise RuleError("name", "De naam is te lang (hoogstens 200 tekens).")
    if kind not in SCHEDULABLE_KINDS:
        raise RuleError("kind", "Kies een soort rapportage die gepland kan worden: GS per kwartaal of PS per "
                                "halfjaar.")
    if isinstance(days_after_period, bool) or not isinstance(days_after_period, int) \
            or not 0 <= days_after_period <= MAX_DAYS_AFTER_PERIOD:
        raise RuleError("days_after_period",
                        f"Het aantal dagen na de periode ligt tussen 0 en {MAX_DAYS_AFTER_PERIOD}.")
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise RuleError("hour", "Het uur ligt tussen 0 en 23.")
    if isinstance(starts_on, datetime) or not isinstance(starts_on, date):
        raise RuleError("starts_on", "Geef de datum waarop de planning ingaat.")
    if not EARLIEST_START <= starts_on < LATEST_START:
        raise RuleError("starts_on", "De ingangsdatum ligt tussen 2000 en 2100.")
    return {"name": name, "kind": kind, "days_after_period": days_after_period, "hour": hour,
            "starts_on": starts_on}


def _refuse_duplicate_schedule(values: dict, schedule: ReportSchedule | None = None) -> None:
    """Two active schedules with the same kind, day and hour would send the same report twice."""
    query = select(ReportSchedule.id).where(
        ReportSchedule.is_active.is_(True), ReportSchedule.kind == values["kind"],
        ReportSchedule.days_after_period == values["days_after_period"], ReportSchedule.hour == values["hour"])
    if schedule is not None:
        query = query.where(ReportSchedule.id != schedule.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise RuleError(None, f"Er is al een actieve planning voor de {KIND_LABELS[values['kind']]} "
                              "op dezelfde dag en hetzelfde uur.")


def _schedule_values(schedule: ReportSchedule) -> dict:
    return {"name": schedule.name, "kind": schedule.kind, "days_after_period": schedule.days_after_period,
            "hour": schedule.hour, "starts_on": schedule.starts_on, "is_active": schedule.is_active}


def create_schedule(name: str, kind: str, days_after_period: int, hour: int, starts_on: date,
                    user=None) -> ReportSchedule:
    _require_manager(user, SCHEDULES_MANAGER_ONLY)
    values = _clean_schedule(name, kind, days_after_period, hour, starts_on)
    _refuse_duplicate_schedule(values)
    schedule = ReportSchedule(**values, is_active=True, created_by_id=getattr(user, "id", None))
    db.session.add(schedule)
    db.session.flush()
    record("report_schedule.create", schedule, actor=user, new=_schedule_values(schedule))
    return schedule


def update_schedule(schedule: ReportSchedule, *, name: str, days_after_period: int, hour: int,
                    starts_on: date, user=None, expected_version: int | None = None) -> ReportSchedule:
    """Change name, timing or start date. The kind stays: a schedule's builds are of one kind
    (make a new schedule for another kind). Spans it already built are not built again.
    EditConflict (core.editing) when the form was loaded from an older version; a save that slips
    in between is caught by the versioned UPDATE (StaleDataError)."""
    _require_manager(user, SCHEDULES_MANAGER_ONLY)
    if expected_version is not None:
        check_version(schedule, expected_version)
    values = _clean_schedule(name, schedule.kind, days_after_period, hour, starts_on)
    if schedule.is_active:
        _refuse_duplicate_schedule(values, schedule)
    old = _schedule_values(schedule)
    for key, value in values.items():
        setattr(schedule, key, value)
    new = _schedule_values(schedule)
    changed = {key for key in new if new[key] != old[key]}
    if changed:
        db.session.flush()
        record("report_schedule.update", schedule, actor=user,
               old={key: old[key] for key in changed}, new={key: new[key] for key in changed})
    return schedule


def deactivate(schedule: ReportSchedule, user=None) -> ReportSchedule:
    """Stop the schedule; what it built stays in the archive."""
    _require_manager(user, SCHEDULES_MANAGER_ONLY)
    if schedule.is_active:
        schedule.is_active = False
        db.session.flush()
        record("report_schedule.deactivate", schedule, actor=user, old={"is_active": True},
               new={"is_active": False})
    return schedule


def activate(schedule: ReportSchedule, user=None) -> ReportSchedule:
    """Switch a schedule on again. If a fire time passed while it was off, the latest such span
    is built at the next tick (once), as after a scheduler that was down."""
    _require_manager(user, SCHEDULES_MANAGER_ONLY)
    if not schedule.is_active:
        _refuse_duplicate_schedule(_schedule_values(schedule), schedule)
        schedule.is_active = True
        db.session.flush()
        record("report_schedule.activate", schedule, actor=user, old={"is_active": False},
               new={"is_active": True})
    return schedule


# ---------------------------------------------------------------- recipients and e-mail

def add_recipient(kind: str, email: str, name: str | None, *, actor=None) -> ReportRecipient:
    _require_manager(actor)
    if kind not in KIND_LABELS:
        raise RuleError("kind", "Kies een soort rapportage.")
    email = mail.normalise_email(email)
    existing = db.session.scalar(select(ReportRecipient).where(ReportRecipient.kind == kind,
                                                               ReportRecipient.email == email))
    if existing is not None:
        raise RuleError("email", f"{email} ontvangt de {KIND_IN_SENTENCE[kind]} al"
                                 + ("." if existing.is_active else " (gepauzeerd)."))
    recipient = ReportRecipient(kind=kind, email=email, name=(name or "").strip() or None, is_active=True)
    db.session.add(recipient)
    db.session.flush()
    record("report_recipient.add", recipient, actor=actor,
           new={"kind": kind, "email": email, "name": recipient.name})
    return recipient


def set_recipient_active(recipient: ReportRecipient, active: bool, *, actor=None) -> bool:
    """Pause or resume a recipient; False when nothing changed."""
    _require_manager(actor)
    if recipient.is_active == active:
        return False
    recipient.is_active = active
    record("report_recipient.activate" if active else "report_recipient.pause", recipient, actor=actor,
           old={"is_active": not active}, new={"is_active": active})
    db.session.flush()
    return True


def remove_recipient(recipient: ReportRecipient, *, actor=None) -> None:
    """Deliveries keep their own copy of the address, so the history stays complete."""
    _require_manager(actor)
    record("report_recipient.remove", recipient, actor=actor,
           old={"kind": recipient.kind, "email": recipient.email, "name": recipient.name})
    db.session.delete(recipient)
    db.session.flush()


def resend(delivery: Delivery, *, actor=None) -> Delivery:
    """Try a failed delivery again from the start (the manager's button in the archive)."""
    _require_manager(actor)
    if delivery.status != FAILED:
        raise RuleError(None, "Alleen een mislukte verzending kan opnieuw worden verstuurd.")
    old = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status, delivery.attempts, delivery.next_attempt_dt = PENDING, 0, utcnow()
    record("report_delivery.resend", delivery.report, actor=actor, old=old,
           new={"status": PENDING, "email": delivery.email, "delivery_id": delivery.id})
    db.session.flush()
    return delivery


def send_test_mail(to: str, *, actor=None) -> tuple[bool, str]:
    """Send a short test message now (the manager checks the mail settings). Returns whether the mail
    server accepted it and a Dutch message for the page; the audit entry is written either way."""
    _require_manager(actor)
    to = mail.normalise_email(to, field="to")
    if not mail.mail_configured():
        message = ("Er is geen mailserver ingesteld, dus er is niets verzonden. Vraag de technisch beheerder "
                   "de mailserver in te stellen.")
        record("report_mail.test", actor=actor, result="failed", message=message, new={"email": to})
        return False, message
    try:
        mail.send_test_message(to, getattr(actor, "name", None) or "de programmamanager")
    except Exception as exc:  # noqa: BLE001 - every failure is reported to the manager in Dutch
        reason = mail.describe_error(exc)
        log.warning("test mail to %s failed: %s", to, mail.technical_detail(exc))
        record("report_mail.test", actor=actor, result="failed", message=reason, new={"email": to})
        return False, f"De testmail naar {to} is niet verzonden. {reason}"
    record("report_mail.test", actor=actor, new={"email": to})
    return True, (f"De testmail is verzonden naar {to}. Komt hij niet binnen enkele minuten aan, kijk dan ook "
                  "bij de ongewenste e-mail.")
