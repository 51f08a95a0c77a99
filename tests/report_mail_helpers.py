"""Shared by the report delivery tests: a real SMTP server on a free local port, and issued reports with recipients.

The servers are aiosmtpd controllers: `collecting` keeps every message, `refusing` refuses every
recipient, `mail_to(port)` points the app at a port (one where nothing listens, for an unreachable
server). Test modules import the helpers from here and load the fixtures with pytest_plugins, which
pytest handles only after the import; PYTEST_DONT_REWRITE keeps it from warning that it can no longer
rewrite the asserts here (there are none)."""
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.reports import operations
from programme.reports.kinds import GS_QUARTERLY
from programme.reports.models import Delivery, IssuedReport
from programme.reports.worker import deliveries
from tests.report_helpers import make_report


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(handler):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
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
    controller = serve(handler)
    mail_to(controller.port)
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture()
def refusing(mail_to):
    controller = serve(Refusing())
    mail_to(controller.port)
    try:
        yield controller
    finally:
        controller.stop()


def issue_with_recipients(app, kind=GS_QUARTERLY, *, active=("ontvanger@gs.test.example",), paused=(), **kw):
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


def delivery_of(app, report_id, email) -> Delivery:
    with app.app_context():
        return _db.session.scalar(select(Delivery).where(Delivery.report_id == report_id, Delivery.email == email))


def report_audit(app, action, report_id):
    """The audit entries of `action` about the issued report, oldest first."""
    with app.app_context():
        return _db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.object_type == "IssuedReport",
            AuditEntry.object_id == report_id).order_by(AuditEntry.id)).all()
