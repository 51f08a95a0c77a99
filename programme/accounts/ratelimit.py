"""Sign-in attempts rate limited per IP address (SECURITY.md 4).

Failures are rows in the database, written at once in their own transaction, so every web worker
counts the same attempts.

An attempt claims its row before the password is checked (claim), in a transaction that is
serialised per address, so that parallel attempts cannot all see "19 failures" and all go ahead; a
successful sign-in gives its claim back (release)."""
import zlib

from flask import current_app, has_request_context, request
from sqlalchemy import delete, func, insert, select, text

from programme.accounts.models import LoginFailure
from programme.core import audit
from programme.core.db import utcnow
from programme.core.extensions import db
from programme.core.independent import independently

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
    return independently(lambda conn: conn.execute(query).scalar_one())


def refuse(step: str) -> None:
    """Audit a sign-in attempt refused because its address is over the limit."""
    audit.record_now("user.sign_in_rate_limit", result="refused", object_type="User",
                     message=f"te veel mislukte aanmeldpogingen vanaf dit adres ({step})")


def claim(ip: str | None = None) -> int | None:
    """Count this attempt as a failure before it is checked; None (and nothing counted) when the
    address is over the limit. On PostgreSQL an advisory lock per address serialises the claims; on
    SQLite the first write of the transaction takes the database's write lock, which does the same."""
    ip = ip or client_ip()
    now = utcnow()
    since = now - current_app.config["LOGIN_IP_WINDOW"]
    limit = current_app.config["LOGIN_IP_MAX_FAILURES"]
    table = LoginFailure.__table__

    def work(conn) -> int | None:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(ip.encode())})
        conn.execute(delete(table).where(table.c.created_dt < since))
        claim_id = conn.execute(insert(table).values(ip=ip, created_dt=now)).inserted_primary_key[0]
        count = conn.execute(select(func.count()).select_from(table).where(
            table.c.ip == ip, table.c.created_dt > since)).scalar_one()
        if count > limit:
            conn.execute(delete(table).where(table.c.id == claim_id))
            return None
        return claim_id

    return independently(work)


def release(claim_id: int) -> None:
    """The attempt was not a failure after all (signed in, or not a password check). Part of the
    request's transaction: it counts as given back when the sign-in commits."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.id == claim_id))
