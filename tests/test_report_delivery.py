"""Delivering issued reports by e-mail through a real SMTP server (aiosmtpd on a free local port).

The PDF arrives attached with a Dutch subject; a failing server leads to retries with backoff,
counted attempts and, after the last attempt, a failed delivery shown in the archive."""
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.core.operations import RuleError
from programme.reports import mail, models, operations
from programme.reports.archive import reports_dir
from programme.reports.kinds import PS_HALF_YEARLY
from programme.reports.models import FAILED, PENDING, SENT, Delivery, IssuedReport
from programme.reports.worker import deliveries
from tests.editing_helpers import signed_in
from tests.report_helpers import PDF, clean_reports, make_report  # noqa: F401  (fixture)
from tests.report_mail_helpers import delivery_of, free_port, issue_with_recipients, report_audit

pytest_plugins = ["tests.report_mail_helpers"]  # the mail_to, collecting and refusing fixtures

pytestmark = pytest.mark.usefixtures("clean_reports")


# ---------------------------------------------------------------- queueing and sending

def test_queue_creates_a_delivery_per_active_recipient_of_the_kind(app):
    report_id = issue_with_recipients(app, active=("een@gs.test.example", "twee@gs.test.example"),
                                       paused=("gepauzeerd@gs.test.example",))
    with app.app_context():
        found = _db.session.scalars(select(Delivery).where(Delivery.report_id == report_id)).all()
        assert sorted(d.email for d in found) == ["een@gs.test.example", "twee@gs.test.example"]
        assert all(d.status == PENDING and d.attempts == 0 and d.next_attempt_dt for d in found)
        # Recipients of another kind get nothing.
        operations.add_recipient(PS_HALF_YEARLY, "griffie@ps.test.example", None)
        _db.session.commit()
    assert delivery_of(app, report_id, "griffie@ps.test.example") is None
    entry = report_audit(app, "report_delivery.queue", report_id)[-1]
    assert entry.new_values["recipients"] == ["een@gs.test.example", "twee@gs.test.example"]


def test_the_report_arrives_with_the_pdf_attached_and_a_dutch_subject(app, collecting):
    report_id = issue_with_recipients(app, title="Voortgangsrapportage GS 1e kwartaal 2026")
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

    delivery = delivery_of(app, report_id, "ontvanger@gs.test.example")
    assert delivery.status == SENT and delivery.attempts == 1 and delivery.sent_dt is not None
    assert delivery.next_attempt_dt is None and delivery.last_error is None
    entry = report_audit(app, "report_delivery.send", report_id)[-1]
    assert entry.result == "ok" and entry.new_values["email"] == "ontvanger@gs.test.example"
    # Sending again sends nothing twice.
    with app.app_context():
        deliveries.send_due(datetime.now(UTC) + timedelta(days=1))
    assert len([e for e in collecting.envelopes if e.rcpt_tos == ["ontvanger@gs.test.example"]]) == 1


def test_a_due_delivery_is_claimed_by_one_process_only(app):
    report_id = issue_with_recipients(app, active=("eenmaal@gs.test.example",))
    delivery_id = delivery_of(app, report_id, "eenmaal@gs.test.example").id
    now = datetime.now(UTC)
    with app.app_context():
        assert deliveries._claim(delivery_id, now) is True
        assert deliveries._claim(delivery_id, now) is False



# ---------------------------------------------------------------- failures and retries

def test_a_refusing_server_leads_to_retries_with_backoff_then_failed(app, refusing):
    report_id = issue_with_recipients(app, active=("onbekend@gs.test.example",))
    now = datetime.now(UTC)
    with app.app_context():
        deliveries.send_due(now)
    delivery = delivery_of(app, report_id, "onbekend@gs.test.example")
    assert delivery.status == PENDING and delivery.attempts == 1
    assert "Het adres is door de mailserver geweigerd" in delivery.last_error and "550" in delivery.last_error
    assert delivery.next_attempt_dt == now + timedelta(minutes=5)

    # Not due yet: nothing happens.
    with app.app_context():
        deliveries.send_due(now + timedelta(minutes=4))
    assert delivery_of(app, report_id, "onbekend@gs.test.example").attempts == 1

    waits = []
    for attempt in range(2, models.MAX_DELIVERY_ATTEMPTS + 1):
        previous = delivery_of(app, report_id, "onbekend@gs.test.example")
        with app.app_context():
            deliveries.send_due(previous.next_attempt_dt)
        delivery = delivery_of(app, report_id, "onbekend@gs.test.example")
        assert delivery.attempts == attempt
        if delivery.next_attempt_dt:
            waits.append(delivery.next_attempt_dt - previous.next_attempt_dt)
    assert waits == [timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40)]
    assert delivery.status == FAILED and delivery.next_attempt_dt is None
    assert len(report_audit(app, "report_delivery.retry", report_id)) == models.MAX_DELIVERY_ATTEMPTS - 1
    final = report_audit(app, "report_delivery.fail", report_id)
    assert len(final) == 1 and final[0].result == "failed" and "geweigerd" in final[0].message

    # Given up: no more attempts.
    with app.app_context():
        deliveries.send_due(now + timedelta(days=30))
    assert delivery_of(app, report_id, "onbekend@gs.test.example").attempts == models.MAX_DELIVERY_ATTEMPTS

    html = signed_in(app, "manager").get("/rapportages").get_data(as_text=True)
    assert (f"Opgegeven na {models.MAX_DELIVERY_ATTEMPTS} pogingen. "
            "Reden: Het adres is door de mailserver geweigerd") in html


def test_an_unreachable_server_is_retried(app, mail_to):
    mail_to(free_port())  # nothing listens there
    report_id = issue_with_recipients(app, active=("wacht@gs.test.example",))
    with app.app_context():
        assert deliveries.send_due(datetime.now(UTC)) == 0
    delivery = delivery_of(app, report_id, "wacht@gs.test.example")
    assert delivery.status == PENDING and delivery.attempts == 1
    assert delivery.last_error.startswith("De mailserver is niet bereikbaar")


def test_a_missing_archive_file_is_a_failed_attempt(app, collecting):
    report_id = issue_with_recipients(app, active=("zonderbestand@gs.test.example",))
    with app.app_context():
        (reports_dir() / _db.session.get(IssuedReport, report_id).stored_name).unlink()
        deliveries.send_due(datetime.now(UTC))
    delivery = delivery_of(app, report_id, "zonderbestand@gs.test.example")
    assert delivery.attempts == 1 and "het PDF-bestand ontbreekt in het archief" in delivery.last_error
    assert not [e for e in collecting.envelopes if e.rcpt_tos == ["zonderbestand@gs.test.example"]]


def test_without_a_mail_server_deliveries_wait(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    report_id = issue_with_recipients(app, active=("later@gs.test.example",))
    with app.app_context():
        assert deliveries.send_due(datetime.now(UTC)) == 0
    delivery = delivery_of(app, report_id, "later@gs.test.example")
    assert delivery.status == PENDING and delivery.attempts == 0


def test_a_failed_delivery_can_be_sent_again(app):
    report_id = make_report(app, deliveries=[("opnieuw@gs.test.example", FAILED, 5, "weg")])
    delivery_id = delivery_of(app, report_id, "opnieuw@gs.test.example").id
    with app.app_context():
        delivery = _db.session.get(Delivery, delivery_id)
        operations.resend(delivery)
        _db.session.commit()
        with pytest.raises(RuleError):
            operations.resend(delivery)
    delivery = delivery_of(app, report_id, "opnieuw@gs.test.example")
    assert delivery.status == PENDING and delivery.attempts == 0


def test_backoff_doubles():
    assert [deliveries.backoff(n) for n in range(1, 5)] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]

