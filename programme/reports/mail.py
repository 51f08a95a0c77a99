"""E-mail for reports: what an address is, the message with its PDF, SMTP, and why sending failed (in Dutch)."""
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select

from programme.core.db import utcnow
from programme.core.extensions import db
from programme.core.formatting import dutch_datetime
from programme.core.operations import RuleError
from programme.reports.archive import report_file
from programme.reports.models import Delivery, IssuedReport, ReportRecipient

INVALID_ADDRESS = "Vul een geldig e-mailadres in, bijvoorbeeld naam@brabant.nl."


def normalise_email(email: str, field: str = "email") -> str:
    """A real address by the rules of e-mail (the email-validator package, no DNS look-up: `<a@x.nl>`
    or `a@x` are refused), lower case and without spaces around it; RuleError on `field` otherwise."""
    email = (email or "").strip().lower()
    if len(email) > 254:
        raise RuleError(field, INVALID_ADDRESS)
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RuleError(field, INVALID_ADDRESS) from None


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
        f"In de bijlage vindt u de {report.kind_in_sentence} over {report.span.in_sentence}:\n"
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


def send_test_message(to: str, sender: str) -> None:
    """Send a short message without attachment now (the manager checks the mail settings); raises on
    any failure, as send_one does."""
    config = current_app.config
    mail = EmailMessage()
    mail["Subject"] = "Sociale Veerkracht: testbericht"
    mail["From"] = config["MAIL_FROM"]
    mail["To"] = to
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(
        "Dit is een testbericht van de programmavolger Sociale Veerkracht.\n\n"
        f"Het is op {dutch_datetime(utcnow())} verstuurd door {sender}, om te controleren dat rapportages "
        "per e-mail kunnen worden verzonden. U hoeft niets te doen.\n\n"
        "Programma Versterken Sociale Veerkracht\nProvincie Noord-Brabant\n")
    with _connect(config) as smtp:
        smtp.send_message(mail)
