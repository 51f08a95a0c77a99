"""Delivering issued reports by e-mail: who receives each kind (recipients), one Delivery per
recipient and report, sent over SMTP by the scheduler process with retries and backoff."""
import logging
import re
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from programme.core.audit import record
from programme.core.db import utcnow
from programme.core.formatting import dutch_datetime, in_sentence
from programme.extensions import db
from programme.reports.models import (FAILED, KIND_LABELS, PENDING, SENT, Delivery, IssuedReport,
                                      ReportRecipient)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Wait after the n-th failed attempt: 5, 10, 20, 40 minutes.
FIRST_BACKOFF = timedelta(minutes=5)
# A delivery being sent is moved this far ahead, so a second scheduler process leaves it alone.
LEASE = timedelta(minutes=15)
BATCH = 50
_warned_unconfigured = False

# The archive's generated names (see build.issue): nothing a user typed ever becomes a path.
STORED_NAME = re.compile(r"[0-9a-f]{32}\.pdf")
# Deliberately simple: one @, no spaces, a dot in the domain. The mail server has the last word.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


class RecipientError(ValueError):
    """A recipient cannot be added or changed as asked (Dutch message)."""


# ---------------------------------------------------------------- the archived file

def report_file(report: IssuedReport) -> Path | None:
    """The archived PDF of a report, or None when its stored name is not one of ours or the file is gone."""
    from programme.reports.build import reports_dir

    if not isinstance(report.stored_name, str) or not STORED_NAME.fullmatch(report.stored_name):
        return None
    base = reports_dir().resolve()
    path = (base / report.stored_name).resolve()
    if path.parent != base or not path.is_file():
        return None
    return path


# ---------------------------------------------------------------- recipients

def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise RecipientError("Vul een geldig e-mailadres in, bijvoorbeeld naam@brabant.nl.")
    return email


def add_recipient(kind: str, email: str, name: str | None, *, actor=None) -> ReportRecipient:
    if kind not in KIND_LABELS:
        raise RecipientError("Kies een soort rapportage.")
    email = normalise_email(email)
    existing = db.session.scalar(select(ReportRecipient).where(ReportRecipient.kind == kind,
                                                               ReportRecipient.email == email))
    if existing is not None:
        raise RecipientError(f"{email} ontvangt de {in_sentence(KIND_LABELS[kind])} al"
                             + ("." if existing.is_active else " (gepauzeerd)."))
    recipient = ReportRecipient(kind=kind, email=email, name=(name or "").strip() or None, is_active=True)
    db.session.add(recipient)
    db.session.flush()
    record("report_recipient_added", recipient, actor=actor,
           new={"kind": kind, "email": email, "name": recipient.name})
    return recipient


def set_recipient_active(recipient: ReportRecipient, active: bool, *, actor=None) -> bool:
    """Pause or resume a recipient; False when nothing changed."""
    if recipient.is_active == active:
        return False
    recipient.is_active = active
    record("report_recipient_activated" if active else "report_recipient_paused", recipient, actor=actor,
           old={"is_active": not active}, new={"is_active": active})
    db.session.flush()
    return True


def remove_recipient(recipient: ReportRecipient, *, actor=None) -> None:
    """Deliveries keep their own copy of the address, so the history stays complete."""
    record("report_recipient_removed", recipient, actor=actor,
           old={"kind": recipient.kind, "email": recipient.email, "name": recipient.name})
    db.session.delete(recipient)
    db.session.flush()


# ---------------------------------------------------------------- queueing

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
        record("report_delivery_queued", report, new={"recipients": [d.email for d in deliveries]})
    return deliveries


def resend(delivery: Delivery, *, actor=None) -> Delivery:
    """Try a failed delivery again from the start (the manager's button in the archive)."""
    if delivery.status != FAILED:
        raise RecipientError("Alleen een mislukte verzending kan opnieuw worden verstuurd.")
    old = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status, delivery.attempts, delivery.next_attempt_dt = PENDING, 0, utcnow()
    record("report_delivery_resend", delivery.report, actor=actor, old=old,
           new={"status": PENDING, "email": delivery.email, "delivery_id": delivery.id})
    db.session.flush()
    return delivery


# ---------------------------------------------------------------- the message

def subject_of(report: IssuedReport) -> str:
    return f"Sociale Veerkracht: {report.title} (versie {report.version})"


def _recipient_name(report: IssuedReport, email: str) -> str | None:
    return db.session.scalar(select(ReportRecipient.name).where(ReportRecipient.kind == report.kind,
                                                                ReportRecipient.email == email))


def build_message(delivery: Delivery, pdf: bytes) -> EmailMessage:
    report = delivery.report
    config = current_app.config
    name = _recipient_name(report, delivery.email)
    message = EmailMessage()
    message["Subject"] = subject_of(report)
    message["From"] = config["MAIL_FROM"]
    message["To"] = delivery.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        f"Beste {name or 'ontvanger'},\n\n"
        f"In de bijlage vindt u de {in_sentence(report.kind_label)} over {report.period_label}:\n"
        f"{report.title} (versie {report.version}).\n\n"
        f"Gemaakt op {dutch_datetime(report.created_dt)} door {report.made_by_label}.\n"
        f"Controlegetal (SHA-256) van de bijlage: {report.sha256}\n\n"
        "U ontvangt dit bericht omdat u als ontvanger van deze rapportage bent ingesteld in de "
        "programmatracker Sociale Veerkracht. Wilt u deze rapportages niet meer ontvangen, "
        "neem dan contact op met de programmamanager.\n\n"
        "Met vriendelijke groet,\n\n"
        "Programma Versterken Sociale Veerkracht\n"
        "Provincie Noord-Brabant\n"
    )
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=report.filename)
    return message


def _connect(config) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config.get("MAIL_TIMEOUT", 30)
    if config.get("MAIL_USE_TLS"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


class DeliveryProblem(Exception):
    """A delivery that cannot be sent for a reason of our own (not the mail server's)."""


def send_one(delivery: Delivery) -> None:
    """Send one delivery now; raises on any failure."""
    path = report_file(delivery.report)
    if path is None:
        raise DeliveryProblem("het PDF-bestand ontbreekt in het archief")
    message = build_message(delivery, path.read_bytes())
    with _connect(current_app.config) as smtp:
        smtp.send_message(message)


def describe_error(exc: Exception) -> str:
    """A Dutch reason for the archive, followed by the technical detail (never a password)."""
    if isinstance(exc, DeliveryProblem):
        reason = "Niet verzonden"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        reason = "Het adres is door de mailserver geweigerd"
    elif isinstance(exc, smtplib.SMTPAuthenticationError):
        reason = "Aanmelden bij de mailserver is mislukt"
    elif isinstance(exc, smtplib.SMTPResponseException):
        reason = "De mailserver weigerde het bericht"
    elif isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)):
        reason = "De mailserver is niet bereikbaar"
    else:
        reason = "Verzenden is mislukt"
    return f"{reason} ({type(exc).__name__}: {exc})"[:2000]


def backoff(attempts: int) -> timedelta:
    """The wait after the attempts-th failed attempt."""
    return FIRST_BACKOFF * (2 ** max(attempts - 1, 0))


# ---------------------------------------------------------------- the job

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
            record("report_delivered", delivery.report,
                   new={"email": delivery.email, "attempts": delivery.attempts, "delivery_id": delivery.id})
            sent += 1
        db.session.commit()
    return sent


def _failed(delivery: Delivery, exc: Exception, now: datetime) -> None:
    delivery.attempts += 1
    delivery.last_error = describe_error(exc)
    final = delivery.attempts >= MAX_ATTEMPTS
    if final:
        delivery.status, delivery.next_attempt_dt = FAILED, None
    else:
        delivery.next_attempt_dt = now + backoff(delivery.attempts)
    log.warning("delivery %s of report %s to %s failed (attempt %s): %s", delivery.id, delivery.report_id,
                delivery.email, delivery.attempts, delivery.last_error)
    record("report_delivery_failed" if final else "report_delivery_retry", delivery.report, result="failed",
           message=delivery.last_error,
           new={"email": delivery.email, "attempts": delivery.attempts, "delivery_id": delivery.id,
                "next_attempt_dt": delivery.next_attempt_dt})
