"""Sign-in attempts rate limited per IP address (SECURITY.md 4). Failures are rows in the database,
written at once in their own transaction, so every web worker counts the same attempts."""
from flask import current_app, has_request_context, request
from sqlalchemy import delete, func, insert, select

from programme.accounts.models import LoginFailure
from programme.core import audit
from programme.core.db import utcnow
from programme.extensions import db

BLOCKED_MESSAGE = ("Er zijn vanaf uw internetadres te veel mislukte aanmeldpogingen gedaan. "
                   "Wacht een kwartier en probeer het dan opnieuw.")


def client_ip() -> str:
    return ((request.remote_addr if has_request_context() else None) or "onbekend")[:64]


def recent_failures(ip: str | None = None) -> int:
    """Failed sign-ins from this address within the window (LOGIN_IP_WINDOW)."""
    since = utcnow() - current_app.config["LOGIN_IP_WINDOW"]
    query = select(func.count()).select_from(LoginFailure).where(
        LoginFailure.ip == (ip or client_ip()), LoginFailure.created_dt > since)
    # A connection of its own: the latest count, not the snapshot of the request's transaction.
    with db.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def is_blocked(ip: str | None = None) -> bool:
    return recent_failures(ip) >= current_app.config["LOGIN_IP_MAX_FAILURES"]


def refuse(step: str) -> None:
    """Audit a sign-in attempt refused because its address is over the limit."""
    audit.record_now("login.rate_limited", result="refused", object_type="User",
                     message=f"te veel mislukte aanmeldpogingen vanaf dit adres ({step})")


def record_failure(ip: str | None = None) -> None:
    """Count one failed sign-in from this address; rows older than the window are removed."""
    now = utcnow()
    table = LoginFailure.__table__
    with db.engine.begin() as conn:
        conn.execute(insert(table).values(ip=ip or client_ip(), created_dt=now))
        conn.execute(delete(table).where(table.c.created_dt < now - current_app.config["LOGIN_IP_WINDOW"]))
