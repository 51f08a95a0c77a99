"""Delivering issued reports by e-mail through a real SMTP server (aiosmtpd on a free local port):
the PDF arrives attached with a Dutch subject; a failing server leads to retries with backoff,
counted attempts and, after the last attempt, a failed delivery shown in the archive."""
import re
import smtplib
import socket
import ssl
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from programme.accounts.operations import find_user
from programme.config import ConfigError, mail_settings
from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.reports.models import FAILED, PENDING, SENT, Delivery, IssuedReport
from programme.reports.kinds import GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports import mail, models, operations, queries
from programme.reports.worker import deliveries
from programme.core.operations import RuleError
from programme.reports.archive import reports_dir
from tests.conftest import USERS, csrf_token
from tests.test_report_views import PDF, clean_reports, make_report, signed_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("clean_reports")


class Collecting:
    """Accepts every message and keeps it."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Bericht ontvangen"


class Refusing:
    """Refuses every recipient, as a mail server does for an unknown address."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        return "550 5.1.1 Onbekende ontvanger"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(handler):
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    return controller


@pytest.fixture()
def mail_to(app, monkeypatch):
    """Point the app's SMTP settings at a local port."""
    def _configure(port: int):
        for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
                           "MAIL_USE_STARTTLS": False, "MAIL_USERNAME": None, "MAIL_PASSWORD": None,
                           "MAIL_FROM": "rapportages@brabant.test.example", "MAIL_TIMEOUT": 5}.items():
            monkeypatch.setitem(app.config, key, value)
    return _configure


@pytest.fixture()
def collecting(mail_to):
    handler = Collecting()
    controller = _serve(handler)
    mail_to(controller.port)
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture()
def refusing(mail_to):
    controller = _serve(Refusing())
    mail_to(controller.port)
    try:
        yield controller
    finally:
        controller.stop()


def _issue_with_recipients(app, kind=GS_QUARTERLY, *, active=("ontvanger@gs.test.example",), paused=(), **kw):
    """An issued report, its recipients and queued deliveries, as run_build leaves them."""
    report_id = make_report(app, kind, **kw)
    with app.app_context():
        for email in active:
            operations.add_recipient(kind, email, "Griffier GS")
        for email in paused:
            operations.set_recipient_active(operations.add_recipient(kind, email, None), False)
        deliveries.queue_deliveries(_db.session.get(IssuedReport, report_id))
        _db.session.commit()
    return report_id


def _delivery(app, report_id, email) -> Delivery:
    with app.app_context():
        return _db.session.scalar(select(Delivery).where(Delivery.report_id == report_id, Delivery.email == email))


def _audit(app, action, report_id):
    with app.app_context():
        return _db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.object_type == "IssuedReport",
            AuditEntry.object_id == report_id).order_by(AuditEntry.id)).all()


def test_queue_creates_a_delivery_per_active_recipient_of_the_kind(app):
    report_id = _issue_with_recipients(app, active=("een@gs.test.example", "twee@gs.test.example"),
                                       paused=("gepauzeerd@gs.test.example",))
    with app.app_context():
        found = _db.session.scalars(select(Delivery).where(Delivery.report_id == report_id)).all()
        assert sorted(d.email for d in found) == ["een@gs.test.example", "twee@gs.test.example"]
        assert all(d.status == PENDING and d.attempts == 0 and d.next_attempt_dt for d in found)
        # Recipients of another kind get nothing.
        operations.add_recipient(PS_HALF_YEARLY, "griffie@ps.test.example", None)
        _db.session.commit()
    assert _delivery(app, report_id, "griffie@ps.test.example") is None
    entry = _audit(app, "report_delivery.queue", report_id)[-1]
    assert entry.new_values["recipients"] == ["een@gs.test.example", "twee@gs.test.example"]


def test_the_report_arrives_with_the_pdf_attached_and_a_dutch_subject(app, collecting):
    report_id = _issue_with_recipients(app, title="Voortgangsrapportage GS 1e kwartaal 2026")
    with app.app_context():
        sent = deliveries.send_due(datetime.now(UTC))
        report = _db.session.get(IssuedReport, report_id)
        subject, filename = mail.subject_of(report), report.filename
    assert sent >= 1
    envelopes = [e for e in collecting.envelopes if e.rcpt_tos == ["ontvanger@gs.test.example"]]
    assert len(envelopes) == 1
    assert envelopes[0].mail_from == "rapportages@brabant.test.example"
    message = message_from_bytes(envelopes[0].content, policy=default_policy)
    assert subject == "Sociale Veerkracht: Voortgangsrapportage GS 1e kwartaal 2026 (versie 1)"
    # A long subject is folded onto the next line; Python's parser keeps the fold's space.
    assert message["Subject"].strip() == subject
    assert message["To"] == "ontvanger@gs.test.example"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Beste Griffier GS,")
    assert "In de bijlage vindt u de voortgangsrapportage voor GS over het eerste kwartaal 2026:" in body
    assert "Met vriendelijke groet" in body
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_filename() == filename
    assert attachments[0].get_content() == PDF

    delivery = _delivery(app, report_id, "ontvanger@gs.test.example")
    assert delivery.status == SENT and delivery.attempts == 1 and delivery.sent_dt is not None
    assert delivery.next_attempt_dt is None and delivery.last_error is None
    entry = _audit(app, "report_delivery.send", report_id)[-1]
    assert entry.result == "ok" and entry.new_values["email"] == "ontvanger@gs.test.example"
    # Sending again sends nothing twice.
    with app.app_context():
        deliveries.send_due(datetime.now(UTC) + timedelta(days=1))
    assert len([e for e in collecting.envelopes if e.rcpt_tos == ["ontvanger@gs.test.example"]]) == 1


def test_a_refusing_server_leads_to_retries_with_backoff_then_failed(app, refusing):
    report_id = _issue_with_recipients(app, active=("onbekend@gs.test.example",))
    now = datetime.now(UTC)
    with app.app_context():
        deliveries.send_due(now)
    delivery = _delivery(app, report_id, "onbekend@gs.test.example")
    assert delivery.status == PENDING and delivery.attempts == 1
    assert "Het adres is door de mailserver geweigerd" in delivery.last_error and "550" in delivery.last_error
    assert delivery.next_attempt_dt == now + timedelta(minutes=5)

    # Not due yet: nothing happens.
    with app.app_context():
        deliveries.send_due(now + timedelta(minutes=4))
    assert _delivery(app, report_id, "onbekend@gs.test.example").attempts == 1

    waits = []
    for attempt in range(2, models.MAX_DELIVERY_ATTEMPTS + 1):
        previous = _delivery(app, report_id, "onbekend@gs.test.example")
        with app.app_context():
            deliveries.send_due(previous.next_attempt_dt)
        delivery = _delivery(app, report_id, "onbekend@gs.test.example")
        assert delivery.attempts == attempt
        if delivery.next_attempt_dt:
            waits.append(delivery.next_attempt_dt - previous.next_attempt_dt)
    assert waits == [timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40)]
    assert delivery.status == FAILED and delivery.next_attempt_dt is None
    assert len(_audit(app, "report_delivery.retry", report_id)) == models.MAX_DELIVERY_ATTEMPTS - 1
    final = _audit(app, "report_delivery.fail", report_id)
    assert len(final) == 1 and final[0].result == "failed" and "geweigerd" in final[0].message

    # Given up: no more attempts.
    with app.app_context():
        deliveries.send_due(now + timedelta(days=30))
    assert _delivery(app, report_id, "onbekend@gs.test.example").attempts == models.MAX_DELIVERY_ATTEMPTS

    html = signed_in(app, "manager").get("/rapportages").get_data(as_text=True)
    assert (f"Opgegeven na {models.MAX_DELIVERY_ATTEMPTS} pogingen. "
            "Reden: Het adres is door de mailserver geweigerd") in html


def test_an_unreachable_server_is_retried(app, mail_to):
    mail_to(_free_port())  # nothing listens there
    report_id = _issue_with_recipients(app, active=("wacht@gs.test.example",))
    with app.app_context():
        assert deliveries.send_due(datetime.now(UTC)) == 0
    delivery = _delivery(app, report_id, "wacht@gs.test.example")
    assert delivery.status == PENDING and delivery.attempts == 1
    assert delivery.last_error.startswith("De mailserver is niet bereikbaar")


def test_a_missing_archive_file_is_a_failed_attempt(app, collecting):
    report_id = _issue_with_recipients(app, active=("zonderbestand@gs.test.example",))
    with app.app_context():
        (reports_dir() / _db.session.get(IssuedReport, report_id).stored_name).unlink()
        deliveries.send_due(datetime.now(UTC))
    delivery = _delivery(app, report_id, "zonderbestand@gs.test.example")
    assert delivery.attempts == 1 and "het PDF-bestand ontbreekt in het archief" in delivery.last_error
    assert not [e for e in collecting.envelopes if e.rcpt_tos == ["zonderbestand@gs.test.example"]]


def test_without_a_mail_server_deliveries_wait(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    report_id = _issue_with_recipients(app, active=("later@gs.test.example",))
    with app.app_context():
        assert deliveries.send_due(datetime.now(UTC)) == 0
    delivery = _delivery(app, report_id, "later@gs.test.example")
    assert delivery.status == PENDING and delivery.attempts == 0


def test_a_due_delivery_is_claimed_by_one_process_only(app):
    report_id = _issue_with_recipients(app, active=("eenmaal@gs.test.example",))
    delivery_id = _delivery(app, report_id, "eenmaal@gs.test.example").id
    now = datetime.now(UTC)
    with app.app_context():
        assert deliveries._claim(delivery_id, now) is True
        assert deliveries._claim(delivery_id, now) is False


def test_a_failed_delivery_can_be_sent_again(app):
    report_id = make_report(app, deliveries=[("opnieuw@gs.test.example", FAILED, 5, "weg")])
    delivery_id = _delivery(app, report_id, "opnieuw@gs.test.example").id
    with app.app_context():
        delivery = _db.session.get(Delivery, delivery_id)
        operations.resend(delivery)
        _db.session.commit()
        with pytest.raises(RuleError):
            operations.resend(delivery)
    delivery = _delivery(app, report_id, "opnieuw@gs.test.example")
    assert delivery.status == PENDING and delivery.attempts == 0


def test_backoff_doubles():
    assert [deliveries.backoff(n) for n in range(1, 5)] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]


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


# ---------------------------------------------------------------- what the screens say

def _card(html: str, report_id: int) -> str:
    card = html[html.index(f'id="rapportage-{report_id}"'):]
    return card[:card.index("</article>")]


def test_without_a_mail_server_every_report_page_says_so(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    report_id = _issue_with_recipients(app, active=("niemand@gs.test.example",))
    with app.app_context():
        deliveries.send_due(datetime.now(UTC))
    manager = signed_in(app, "manager")
    for path in ("/rapportages", "/rapportages/aanvragen", "/rapportages/ontvangers", "/rapportages/planning"):
        assert "Er is geen mailserver ingesteld." in manager.get(path).get_data(as_text=True), path
    for role in ("manager", "reader"):
        html = signed_in(app, role).get("/rapportages").get_data(as_text=True)
        assert "Er is geen mailserver ingesteld." in html
        card = _card(html, report_id)
        assert "Niet verzonden: geen mailserver ingesteld" in card
        assert "binnenkort" not in card and "Wacht op verzending" not in card

    # With a mail server the banner goes and the delivery waits for its turn.
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.brabant.test.example")
    html = manager.get("/rapportages").get_data(as_text=True)
    assert "Er is geen mailserver ingesteld." not in html
    assert "Wacht op verzending" in _card(html, report_id)


def test_a_mail_server_down_then_up_shows_attempts_error_and_recovery(app, mail_to):
    port = _free_port()
    mail_to(port)  # nothing listens there yet
    report_id = _issue_with_recipients(app, active=("volhouder@gs.test.example",))
    with app.app_context():
        assert deliveries.send_due(datetime.now(UTC)) == 0
    delivery = _delivery(app, report_id, "volhouder@gs.test.example")
    assert delivery.attempts == 1 and delivery.status == PENDING
    client = signed_in(app, "manager")
    card = _card(client.get("/rapportages").get_data(as_text=True), report_id)
    assert f"Poging 1 van {models.MAX_DELIVERY_ATTEMPTS} mislukt" in card
    assert "Laatste fout: De mailserver is niet bereikbaar." in card
    with app.app_context():
        next_try = queries.dutch_datetime(delivery.next_attempt_dt)
    assert f"Volgende poging op {next_try}." in card
    # Never the exception's own words.
    assert "Error" not in card and "refused" not in card.lower() and "Errno" not in card

    handler = Collecting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with app.app_context():
            assert deliveries.send_due(delivery.next_attempt_dt) == 1
    finally:
        controller.stop()
    assert [e.rcpt_tos for e in handler.envelopes] == [["volhouder@gs.test.example"]]
    sent = _delivery(app, report_id, "volhouder@gs.test.example")
    assert sent.status == SENT and sent.attempts == 2 and sent.last_error is None
    card = _card(client.get("/rapportages").get_data(as_text=True), report_id)
    with app.app_context():
        sent_at = queries.dutch_datetime(sent.sent_dt)
    assert f"Verzonden op {sent_at}, bij poging 2." in card
    assert f"2 van {models.MAX_DELIVERY_ATTEMPTS}" in card and "Laatste fout" not in card


def test_given_up_deliveries_are_counted_on_the_managers_report_pages(app, refusing):
    report_id = _issue_with_recipients(app, active=("weigering@gs.test.example",))
    for attempt in range(models.MAX_DELIVERY_ATTEMPTS):
        with app.app_context():
            deliveries.send_due(datetime.now(UTC) + timedelta(days=attempt))
    assert _delivery(app, report_id, "weigering@gs.test.example").status == FAILED
    with app.app_context():
        failed = queries.failed_count()
    assert failed >= 1
    counted = f"{failed} verzending is mislukt" if failed == 1 else f"{failed} verzendingen zijn mislukt"
    manager = signed_in(app, "manager")
    for path in ("/rapportages", "/rapportages/aanvragen", "/rapportages/ontvangers"):
        assert counted in manager.get(path).get_data(as_text=True), path
    only_failed = manager.get("/rapportages?verzending=mislukt").get_data(as_text=True)
    assert "Alleen rapportages met een mislukte verzending." in only_failed
    assert f'id="rapportage-{report_id}"' in only_failed
    assert "Opgegeven na 5 pogingen. Reden: Het adres is door de mailserver geweigerd (foutcode 550 van de " \
           "mailserver)." in _card(only_failed, report_id)
    # The count is for the manager, who can act on it.
    assert counted not in signed_in(app, "reader").get("/rapportages").get_data(as_text=True)


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


# ---------------------------------------------------------------- a test e-mail

def _send_check(client, **data):
    page = client.get("/rapportages/ontvangers")
    form = {"csrf_token": csrf_token(page)}
    form.update(data)
    return client.post("/rapportages/testmail", data=form, follow_redirects=True)


def _test_mail_entries(app):
    with app.app_context():
        return _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report_mail.test")
                                   .order_by(AuditEntry.id)).all()


def test_the_manager_sends_a_test_mail_to_their_own_address_by_default(app, collecting):
    client = signed_in(app, "manager")
    page = client.get("/rapportages/ontvangers").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="to"[^>]*value="manager@test.example"', page)
    assert "Rapportages gaan per e-mail via 127.0.0.1, poort" in page
    before = len(_test_mail_entries(app))
    html = _send_check(client, to="manager@test.example").get_data(as_text=True)
    assert "De testmail is verzonden naar manager@test.example." in html
    envelopes = [e for e in collecting.envelopes if e.rcpt_tos == ["manager@test.example"]]
    assert len(envelopes) == 1
    message = message_from_bytes(envelopes[0].content, policy=default_policy)
    assert message["Subject"] == "Sociale Veerkracht: testbericht"
    assert "Dit is een testbericht" in message.get_body(preferencelist=("plain",)).get_content()
    entries = _test_mail_entries(app)
    assert len(entries) == before + 1
    assert entries[-1].result == "ok" and entries[-1].new_values == {"email": "manager@test.example"}
    with app.app_context():
        assert entries[-1].actor_id == find_user(USERS["manager"][0]).id


def test_a_failed_test_mail_is_reported_in_dutch_and_audited(app, mail_to, monkeypatch):
    client = signed_in(app, "manager")
    mail_to(_free_port())  # nothing listens there
    html = _send_check(client, to="Iemand@Brabant.test.example").get_data(as_text=True)
    assert "De testmail naar iemand@brabant.test.example is niet verzonden. De mailserver is niet bereikbaar." in html
    assert "Error" not in html.split("<main", 1)[-1]
    assert _test_mail_entries(app)[-1].result == "failed"

    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    html = _send_check(client, to="iemand@brabant.test.example").get_data(as_text=True)
    assert "Er is geen mailserver ingesteld, dus er is niets verzonden." in html
    assert _test_mail_entries(app)[-1].result == "failed"

    before = len(_test_mail_entries(app))
    html = _send_check(client, to="geen-adres").get_data(as_text=True)
    assert "Vul een geldig e-mailadres in" in html
    assert len(_test_mail_entries(app)) == before


def test_only_the_manager_sends_a_test_mail(app, collecting):
    reader = signed_in(app, "reader")
    page = signed_in(app, "manager").get("/rapportages/ontvangers")
    response = reader.post("/rapportages/testmail", data={"to": "lezer@test.example",
                                                          "csrf_token": csrf_token(reader.get("/rapportages"))})
    assert response.status_code == 403 and page.status_code == 200
    assert not [e for e in collecting.envelopes if e.rcpt_tos == ["lezer@test.example"]]


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
