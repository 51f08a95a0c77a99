"""What the report pages say about e-mail delivery, and the manager's test e-mail.

Without a mail server every page says so; a server that is down and comes back shows the attempts,
the last error in Dutch and the recovery; given-up deliveries are counted for the manager. The test
e-mail goes to the manager's own address by default, failures are told in Dutch, and both are audited."""
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from programme.accounts.operations import find_user
from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.reports import models, queries
from programme.reports.models import FAILED, PENDING, SENT
from programme.reports.worker import deliveries
from tests.conftest import USERS, csrf_token
from tests.editing_helpers import signed_in
from tests.report_helpers import clean_reports  # noqa: F401  (fixture)
from tests.report_mail_helpers import Collecting, delivery_of, free_port, issue_with_recipients

pytest_plugins = ["tests.report_mail_helpers"]  # the mail_to, collecting and refusing fixtures

pytestmark = pytest.mark.usefixtures("clean_reports")


# ---------------------------------------------------------------- what the screens say

def _card(html: str, report_id: int) -> str:
    card = html[html.index(f'id="rapportage-{report_id}"'):]
    return card[:card.index("</article>")]


def test_without_a_mail_server_every_report_page_says_so(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    report_id = issue_with_recipients(app, active=("niemand@gs.test.example",))
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
    port = free_port()
    mail_to(port)  # nothing listens there yet
    report_id = issue_with_recipients(app, active=("volhouder@gs.test.example",))
    with app.app_context():
        assert deliveries.send_due(datetime.now(UTC)) == 0
    delivery = delivery_of(app, report_id, "volhouder@gs.test.example")
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
    sent = delivery_of(app, report_id, "volhouder@gs.test.example")
    assert sent.status == SENT and sent.attempts == 2 and sent.last_error is None
    card = _card(client.get("/rapportages").get_data(as_text=True), report_id)
    with app.app_context():
        sent_at = queries.dutch_datetime(sent.sent_dt)
    assert f"Verzonden op {sent_at}, bij poging 2." in card
    assert f"2 van {models.MAX_DELIVERY_ATTEMPTS}" in card and "Laatste fout" not in card


def test_given_up_deliveries_are_counted_on_the_managers_report_pages(app, refusing):
    report_id = issue_with_recipients(app, active=("weigering@gs.test.example",))
    for attempt in range(models.MAX_DELIVERY_ATTEMPTS):
        with app.app_context():
            deliveries.send_due(datetime.now(UTC) + timedelta(days=attempt))
    assert delivery_of(app, report_id, "weigering@gs.test.example").status == FAILED
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
    mail_to(free_port())  # nothing listens there
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

