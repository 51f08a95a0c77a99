"""The mail rules without a server: SMTP settings from the environment, addresses, errors told in Dutch.

Also what a delivery's state says when nobody sends it."""
import smtplib
import socket
import ssl
from datetime import UTC, datetime, timedelta

import pytest

from programme.config import ConfigError, mail_settings
from programme.core.operations import RuleError
from programme.reports import mail, queries
from programme.reports.models import FAILED, PENDING, Delivery
from tests.report_helpers import clean_reports  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("clean_reports")


# ---------------------------------------------------------------- settings and addresses

def test_mail_settings_from_the_environment(monkeypatch):
    for name in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_STARTTLS", "MAIL_USERNAME",
                 "MAIL_PASSWORD", "MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    settings = mail_settings()
    assert settings["MAIL_SERVER"] == "" and settings["MAIL_PORT"] == 25 and settings["MAIL_USE_TLS"] is False
    monkeypatch.setenv("MAIL_SERVER", "smtp.brabant.test.example")
    monkeypatch.setenv("MAIL_USE_STARTTLS", "1")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USERNAME", "tracker")
    monkeypatch.setenv("MAIL_PASSWORD", "geheim-wachtwoord")
    monkeypatch.setenv("MAIL_FROM", "rapportages@brabant.test.example")
    settings = mail_settings()
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"], settings["MAIL_USE_STARTTLS"]) == (
        "smtp.brabant.test.example", 587, True)
    assert settings["MAIL_USERNAME"] == "tracker" and settings["MAIL_FROM"] == "rapportages@brabant.test.example"
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.delenv("MAIL_PORT")
    assert mail_settings()["MAIL_PORT"] == 465
    monkeypatch.setenv("MAIL_PORT", "vijfentwintig")
    with pytest.raises(ConfigError):
        mail_settings()


def test_recipient_addresses_are_checked():
    assert mail.normalise_email(" Naam@Brabant.NL ") == "naam@brabant.nl"
    for wrong in ("", "naam", "naam@", "@brabant.nl", "naam@brabant", "na am@brabant.nl", "a@b@c.nl",
                  "x" * 250 + "@b.nl"):
        with pytest.raises(RuleError):
            mail.normalise_email(wrong)



# ---------------------------------------------------------------- what a delivery's state and errors say

@pytest.mark.parametrize("exc, reason", [
    (ConnectionRefusedError(111, "Connection refused"), "De mailserver is niet bereikbaar."),
    (socket.gaierror(-2, "Name or service not known"), "De naam van de mailserver is onbekend"),
    (TimeoutError("timed out"), "De mailserver antwoordde niet op tijd."),
    (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "De beveiligde verbinding"),
    (smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"),
     "Aanmelden bij de mailserver is mislukt"),
    (smtplib.SMTPRecipientsRefused({"x@y.example": (550, b"5.1.1 User unknown")}),
     "Het adres is door de mailserver geweigerd (foutcode 550 van de mailserver)."),
    (smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"),
     "De mailserver weigerde het bericht (foutcode 554 van de mailserver)."),
    (ValueError("geheim-wachtwoord in a traceback"), "Verzenden is mislukt door een onverwachte fout"),
])
def test_errors_are_told_in_dutch_without_the_exception_text(exc, reason):
    told = mail.describe_error(exc)
    assert told.startswith(reason)
    assert type(exc).__name__ not in told
    for word in ("refused", "Name or service", "timed out", "SSL", "credentials", "User unknown", "spam",
                 "geheim-wachtwoord"):
        assert word not in told


def test_a_delivery_nobody_sends_does_not_wait_silently():
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    fresh = Delivery(email="a@b.example", status=PENDING, attempts=0, next_attempt_dt=now)
    assert queries.delivery_state(fresh, mail_ready=True, now=now).detail == \
        "Wordt binnen enkele minuten verzonden."
    late = Delivery(email="a@b.example", status=PENDING, attempts=0, next_attempt_dt=now - timedelta(hours=1))
    state = queries.delivery_state(late, mail_ready=True, now=now)
    assert state.key == FAILED and "draait mogelijk niet" in state.detail
    assert "Klaargezet voor 2 december 2026 om 09:00." in state.detail  # 08:00 UTC, Amsterdam time
    retry = Delivery(email="a@b.example", status=PENDING, attempts=2, last_error="De mailserver is niet bereikbaar.",
                     next_attempt_dt=now - timedelta(hours=1))
    assert "draait mogelijk niet" in queries.delivery_state(retry, mail_ready=True, now=now).detail
    blocked = queries.delivery_state(late, mail_ready=False, now=now)
    assert blocked.label == "Niet verzonden: geen mailserver ingesteld" and "draait" not in blocked.detail

