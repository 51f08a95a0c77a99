"""The manager's report pages over HTTP: the archive with its deliveries, schedules and recipients.

The archive shows each delivery's state and filters by kind or by failed delivery, and a failed
delivery can be sent again; schedules are created, edited (with Dutch errors) and stopped;
recipients are added, paused and removed."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.reports.kinds import GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports.models import FAILED, PENDING, Delivery, ReportRecipient, ReportSchedule
from tests.conftest import csrf_token, form_version
from tests.editing_helpers import last_audit, signed_in
from tests.report_helpers import clean_reports, make_report, row_count  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("clean_reports")


# ---------------------------------------------------------------- the archive

def test_archive_shows_delivery_status_with_failures_and_filters_by_kind(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.brabant.test.example")
    gs = make_report(app, title="GS-rapport met verzending", deliveries=[
        ("gelukt@test.example", "sent", 1, None),
        ("mislukt@test.example", FAILED, 5, "Het adres is door de mailserver geweigerd (foutcode 550)."),
        ("wacht@test.example", PENDING, 2, "De mailserver is niet bereikbaar."),
        ("nieuw@test.example", PENDING, 0, None)])
    make_report(app, PS_HALF_YEARLY, title="PS-rapport zonder ontvangers", period_code="2025-H2")
    client = signed_in(app, "manager")
    html = client.get("/rapportages").get_data(as_text=True)
    assert "GS-rapport met verzending" in html and "PS-rapport zonder ontvangers" in html
    assert "Opgegeven na 5 pogingen. Reden: Het adres is door de mailserver geweigerd (foutcode 550)." in html
    assert "Poging 2 van 5 mislukt" in html and "Laatste fout: De mailserver is niet bereikbaar." in html
    assert "Verzonden" in html and "Wacht op verzending" in html
    assert "geen mailserver ingesteld" not in html
    assert "er waren geen ontvangers" in html
    assert "Opnieuw versturen" in html
    # The failed delivery is counted on the page, with a link to the reports it belongs to.
    assert re.search(r"<strong>\d+ verzending(en)? (is|zijn) mislukt</strong>", html)
    only_failed = client.get("/rapportages?verzending=mislukt").get_data(as_text=True)
    assert "GS-rapport met verzending" in only_failed and "PS-rapport zonder ontvangers" not in only_failed

    filtered = client.get(f"/rapportages?soort={PS_HALF_YEARLY}").get_data(as_text=True)
    assert "PS-rapport zonder ontvangers" in filtered and "GS-rapport met verzending" not in filtered
    everything = client.get("/rapportages?soort=<script>").get_data(as_text=True)
    assert "GS-rapport met verzending" in everything and "<script>" not in everything

    with app.app_context():
        delivery_id = _db.session.scalar(select(Delivery.id).where(Delivery.report_id == gs,
                                                                   Delivery.email == "mislukt@test.example"))
    response = client.post(f"/rapportages/verzendingen/{delivery_id}/opnieuw",
                           data={"csrf_token": csrf_token(client.get("/rapportages"))})
    assert response.status_code == 302
    with app.app_context():
        delivery = _db.session.get(Delivery, delivery_id)
        assert delivery.status == PENDING and delivery.attempts == 0
    assert last_audit(app, "report_delivery.resend").object_id == gs



# ---------------------------------------------------------------- schedules

def test_manager_creates_edits_and_stops_a_schedule(app):
    client = signed_in(app, "manager")
    page = client.get("/rapportages/planning/nieuw")
    assert page.status_code == 200
    response = client.post("/rapportages/planning/nieuw", data={
        "name": "GS na elk kwartaal (test)", "kind": GS_QUARTERLY, "days_after_period": "15", "hour": "6",
        "starts_on": "2026-01-01", "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with app.app_context():
        schedule = _db.session.scalar(select(ReportSchedule).where(ReportSchedule.name == "GS na elk kwartaal (test)"))
        schedule_id = schedule.id
        assert (schedule.days_after_period, schedule.hour, schedule.starts_on) == (15, 6, date(2026, 1, 1))
    assert last_audit(app, "report_schedule.create").object_id == schedule_id
    html = client.get("/rapportages/planning").get_data(as_text=True)
    assert "GS na elk kwartaal (test)" in html and "15 dagen na de periode, om 06:00 uur" in html
    assert re.search(r"kwartaal \d{4}: \d+ \w+ \d{4} om 06:00", html)  # the next fire time

    # Dutch errors, nothing saved.
    page = client.get(f"/rapportages/planning/{schedule_id}/bewerken")
    response = client.post(f"/rapportages/planning/{schedule_id}/bewerken", data={
        "name": "", "days_after_period": "veel", "hour": "25", "starts_on": "gisteren",
        "csrf_token": csrf_token(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Geef de planning een naam.", "Vul een heel getal in.", "Kies een uur van 0 tot en met 23.",
                    "Vul een geldige datum in"):
        assert message in html
    response = client.post(f"/rapportages/planning/{schedule_id}/bewerken", data={
        "name": "GS na elk kwartaal (test)", "days_after_period": "20", "hour": "7", "starts_on": "2026-01-01",
        "kind": PS_HALF_YEARLY, "csrf_token": csrf_token(page), "version": form_version(page)})
    assert response.status_code == 302
    with app.app_context():
        schedule = _db.session.get(ReportSchedule, schedule_id)
        assert (schedule.days_after_period, schedule.hour, schedule.kind) == (20, 7, GS_QUARTERLY)

    response = client.post(f"/rapportages/planning/{schedule_id}/stoppen", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with app.app_context():
        assert _db.session.get(ReportSchedule, schedule_id).is_active is False
    assert last_audit(app, "report_schedule.deactivate").object_id == schedule_id
    assert "Gestopt" in client.get("/rapportages/planning").get_data(as_text=True)
    client.post(f"/rapportages/planning/{schedule_id}/aanzetten", data={"csrf_token": csrf_token(page)})
    with app.app_context():
        assert _db.session.get(ReportSchedule, schedule_id).is_active is True



# ---------------------------------------------------------------- recipients

def test_manager_adds_pauses_and_removes_recipients(app):
    client = signed_in(app, "manager")
    page = client.get("/rapportages/ontvangers")
    assert page.status_code == 200
    token = csrf_token(page)
    response = client.post("/rapportages/ontvangers", data={
        "kind": PS_HALF_YEARLY, "email": "  Griffie@Test.Example ", "name": "Griffie", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        recipient = _db.session.scalar(select(ReportRecipient).where(ReportRecipient.email == "griffie@test.example"))
        assert recipient.kind == PS_HALF_YEARLY and recipient.is_active and recipient.name == "Griffie"
        recipient_id = recipient.id
    assert last_audit(app, "report_recipient.add").object_id == recipient_id
    assert "griffie@test.example" in client.get("/rapportages/ontvangers").get_data(as_text=True)

    count = row_count(app, ReportRecipient)
    for email, message in [("geen-adres", "Vul een geldig e-mailadres in"),
                           ("", "Vul het e-mailadres in."),
                           ("griffie@test.example", "ontvangt de informatierapportage voor PS al")]:
        html = client.post("/rapportages/ontvangers", data={"kind": PS_HALF_YEARLY, "email": email,
                                                            "csrf_token": token}).get_data(as_text=True)
        assert message in html, email
        assert 'aria-invalid="true"' in html
    assert row_count(app, ReportRecipient) == count

    client.post(f"/rapportages/ontvangers/{recipient_id}/pauzeren", data={"csrf_token": token})
    with app.app_context():
        assert _db.session.get(ReportRecipient, recipient_id).is_active is False
    assert last_audit(app, "report_recipient.pause").object_id == recipient_id
    client.post(f"/rapportages/ontvangers/{recipient_id}/hervatten", data={"csrf_token": token})
    with app.app_context():
        assert _db.session.get(ReportRecipient, recipient_id).is_active is True
    client.post(f"/rapportages/ontvangers/{recipient_id}/verwijderen", data={"csrf_token": token})
    with app.app_context():
        assert _db.session.get(ReportRecipient, recipient_id) is None
    assert last_audit(app, "report_recipient.remove").old_values["email"] == "griffie@test.example"

