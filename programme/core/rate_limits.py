"""Rate limits on expensive functions (SECURITY.md 14), with Flask-Limiter.

Exports, downloads, the report preview and uploads are limited per signed-in user (per address for
anyone else).

The counters must be shared by every web worker, so they are not kept in a process's memory. By
default they live in the app's own database (DatabaseStorage, the storage URI `appdb://`): one
atomic INSERT ... ON CONFLICT DO UPDATE ... RETURNING per hit, on SQLite and PostgreSQL alike, in a
transaction of its own, so parallel requests each get their own count and no two see the same one.
RATELIMIT_STORAGE_URI may point to any other `limits` storage instead (e.g. redis://, with the
redis package installed).

A refusal is the Dutch 429 page, with Retry-After."""
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from programme.core.db import format_repr
from programme.core.extensions import db
from programme.core.independent import independently

class RateLimitCounter(db.Model):
    """One fixed window of one limit for one person: hits so far and when the window ends."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as the limits library counts time.
    expires_at: Mapped[float] = mapped_column(Float)

    def __repr__(self) -> str:
        return format_repr(self, "key", "hits")


class DatabaseStorage(Storage):
    """A `limits` storage in the app's database (of the current app: each web worker its own engine)."""

    STORAGE_SCHEME = ["appdb"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add amount to the window of key (a new window when there is none or it has ended) and
        return the new count, in one statement: the database serialises parallel hits on the row."""
        now = time.time()
        table = RateLimitCounter.__table__
        insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert
        ended = table.c.expires_at <= now
        statement = insert(table).values(key=key, hits=amount, expires_at=now + expiry)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"hits": case((ended, amount), else_=table.c.hits + amount),
                  "expires_at": case((ended, now + expiry), else_=table.c.expires_at)},
        ).returning(table.c.hits)
        return independently(lambda conn: conn.execute(statement).scalar_one())

    def _row(self, key: str):
        return independently(lambda conn: conn.execute(
            select(RateLimitCounter.hits, RateLimitCounter.expires_at).where(RateLimitCounter.key == key)).first())

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.hits if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            independently(lambda conn: conn.execute(text("SELECT 1")))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        return independently(lambda conn: conn.execute(delete(RateLimitCounter)).rowcount)

    def clear(self, key: str) -> None:
        independently(lambda conn: conn.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key)))


def limit_key() -> str:
    """Per signed-in user; per address for someone who is not signed in."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr or 'onbekend'}"


limiter = Limiter(key_func=limit_key, strategy="fixed-window", headers_enabled=True)

# Decorators for the views. One budget per person for all exports and downloads together, so that
# switching from Excel to CSV does not reset it; the number is read from the settings per request.
export_limit = limiter.shared_limit(lambda: current_app.config["RATE_LIMIT_EXPORTS"], scope="export")
upload_limit = limiter.shared_limit(lambda: current_app.config["RATE_LIMIT_UPLOADS"], scope="upload")


def wait_text(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return "over een minuut" if minutes == 1 else f"over {minutes} minuten"


def refused(error: RateLimitExceeded):
    """The Dutch 429 page; Flask-Limiter adds Retry-After to it."""
    from programme.core.audit import record_refusal
    from programme.core.errors import render_error

    reset_at = limiter.current_limit.reset_at if limiter.current_limit else time.time() + 60
    what = ("downloads en overzichten opgevraagd" if error.limit.scope == "export"
            else "bestanden toegevoegd")
    message = f"U heeft in korte tijd te veel {what}. Probeer het {wait_text(reset_at - time.time())} opnieuw."
    record_refusal("rate", message)
    return render_error(429, message)


def register(app: Flask) -> None:
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, refused)
