"""Delivering issued reports by e-mail: who receives each kind (recipients), one Delivery per
recipient and report, sent over SMTP by the scheduler process with retries and backoff."""
import logging
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select, update

from programme.core.audit import record
from programme.core.db import utcnow
from programme.core.formatting import dutch_datetime
from programme.core.extensions import db
from programme.reports.models import (FAILED, KIND_IN_SENTENCE, KIND_LABELS, PENDING, SENT, Delivery,
                                      IssuedReport, ReportRecipient)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A pending delivery that waited this long without an attempt: the scheduler process may not run.
OVERDUE = timedelta(minutes=10)
# Wait after the n-th failed attempt: 5, 10, 20, 40 minutes.
FIRST_BACKOFF = timedelta(minutes=5)
# A delivery being sent is moved this far ahead, so a second scheduler process leaves it alone.
LEASE = timedelta(minutes=15)
BATCH = 50
_warned_unconfigured = False

# The archive's generated names (see build.issue): nothing a user typed ever becomes a path.
STORED_NAME = re.compile(r"[0-9a-f]{32}\.pdf")


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
    """A real address by the rules of e-mail (the email-validator package, no DNS look-up: `<a@x.nl>`
    or `a@x` are refused), lower case and without spaces around it."""
    email = (email or "").strip().lower()
    if len(email) > 254:
        raise RecipientError("Vul een geldig e-mailadres in, bijvoorbeeld naam@brabant.nl.")
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RecipientError("Vul een geldig e-mailadres in, bijvoorbeeld naam@brabant.nl.") from None


def add_recipient(kind: str, email: str, name: str | None, *, actor=None) -> ReportRecipient:
    if kind not in KIND_LABELS:
        raise RecipientError("Kies een soort rapportage.")
    email = normalise_email(email)
    existing = db.session.scalar(select(ReportRecipient).where(ReportRecipient.kind == kind,
                                                               ReportRecipient.email == email))
    if existing is not None:
        raise RecipientError(f"{email} ontvangt de {KIND_IN_SENTENCE[kind]} al"
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
        f"In de bijlage vindt u de {report.kind_in_sentence} over {report.period.in_sentence}:\n"
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


def _code(exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None)
    return f" (foutcode {code} van de mailserver)" if isinstance(code, int) and code > 0 else ""


def describe_error(exc: Exception) -> str:
    """Why sending failed, in Dutch, for the manager's screens. Never the exception's own text (it
    can be English, technical, or hold an address or a server's banner): that goes to the log."""
    if isinstance(exc, DeliveryProblem):
        return f"Niet verzonden: {exc}."
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values() if isinstance(code, int)]
        return "Het adres is door de mailserver geweigerd" + (
            f" (foutcode {codes[0]} van de mailserver)." if codes else ".")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "De mailserver weigert het afzenderadres" + _code(exc) + "."
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return ("Aanmelden bij de mailserver is mislukt: controleer de gebruikersnaam en het wachtwoord"
                + _code(exc) + ".")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "De mailserver ondersteunt de ingestelde beveiliging of aanmelding niet."
    if isinstance(exc, smtplib.SMTPResponseException):
        return "De mailserver weigerde het bericht" + _code(exc) + "."
    if isinstance(exc, ssl.SSLError):
        return "De beveiligde verbinding met de mailserver is mislukt."
    if isinstance(exc, socket.gaierror):
        return "De naam van de mailserver is onbekend: controleer de instelling van de mailserver."
    if isinstance(exc, TimeoutError):
        return "De mailserver antwoordde niet op tijd."
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)):
        return "De mailserver is niet bereikbaar."
    return "Verzenden is mislukt door een onverwachte fout; de details staan in het logboek van de server."


def technical_detail(exc: Exception) -> str:
    """For the server log only."""
    return f"{type(exc).__name__}: {exc}"[:2000]


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
                delivery.email, delivery.attempts, technical_detail(exc))
    record("report_delivery_failed" if final else "report_delivery_retry", delivery.report, result="failed",
           message=delivery.last_error,
           new={"email": delivery.email, "attempts": delivery.attempts, "delivery_id": delivery.id,
                "next_attempt_dt": delivery.next_attempt_dt})


# ---------------------------------------------------------------- what the screens say

def mail_configured() -> bool:
    """False when no mail server is set: reports are archived, but nothing is sent."""
    return bool(current_app.config.get("MAIL_SERVER"))


def mail_server_label() -> str | None:
    """Where mail goes, for the manager ('smtp.brabant.nl, poort 587, met STARTTLS')."""
    config = current_app.config
    if not mail_configured():
        return None
    security = ("versleuteld (TLS)" if config.get("MAIL_USE_TLS")
                else "met STARTTLS" if config.get("MAIL_USE_STARTTLS") else "onversleuteld")
    return f"{config['MAIL_SERVER']}, poort {config['MAIL_PORT']}, {security}"


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
    attempts = f"{delivery.attempts} van {MAX_ATTEMPTS}"
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
    if delivery.next_attempt_dt and delivery.next_attempt_dt < now - OVERDUE:
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


# ---------------------------------------------------------------- a test e-mail

def send_test_mail(to: str, *, actor=None) -> tuple[bool, str]:
    """Send a short test message now (the manager checks the mail settings). Returns whether it was
    accepted by the mail server and a Dutch message for the page; writes an audit entry either way
    (the caller commits). RecipientError for an invalid address."""
    to = normalise_email(to)
    if not mail_configured():
        message = ("Er is geen mailserver ingesteld, dus er is niets verzonden. Vraag de technisch beheerder "
                   "de mailserver in te stellen.")
        record("report_test_mail", actor=actor, result="failed", message=message, new={"email": to})
        return False, message
    config = current_app.config
    mail = EmailMessage()
    mail["Subject"] = "Sociale Veerkracht: testbericht"
    mail["From"] = config["MAIL_FROM"]
    mail["To"] = to
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    sender = getattr(actor, "name", None) or "de programmamanager"
    mail.set_content(
        "Dit is een testbericht van de programmavolger Sociale Veerkracht.\n\n"
        f"Het is op {dutch_datetime(utcnow())} verstuurd door {sender}, om te controleren dat rapportages "
        "per e-mail kunnen worden verzonden. U hoeft niets te doen.\n\n"
        "Programma Versterken Sociale Veerkracht\nProvincie Noord-Brabant\n")
    try:
        with _connect(config) as smtp:
            smtp.send_message(mail)
    except Exception as exc:  # noqa: BLE001 - every failure is reported to the manager in Dutch
        reason = describe_error(exc)
        log.warning("test mail to %s failed: %s", to, technical_detail(exc))
        record("report_test_mail", actor=actor, result="failed", message=reason, new={"email": to})
        return False, f"De testmail naar {to} is niet verzonden. {reason}"
    record("report_test_mail", actor=actor, new={"email": to})
    return True, (f"De testmail is verzonden naar {to}. Komt hij niet binnen enkele minuten aan, kijk dan ook "
                  "bij de ongewenste e-mail.")
