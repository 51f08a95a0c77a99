"""Users and their role in the programme."""
import secrets
from datetime import datetime

from sqlalchemy import Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.core.db import CreatedMixin, UTCDateTime, format_repr, label_of
from programme.core import permissions
from programme.core.permissions import ROLE_LABELS
from programme.core.extensions import db


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(CreatedMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    # GS or PS for readers: which body's reports they receive.
    body: Mapped[str | None] = mapped_column(String(2))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Rotated at sign-out and when the account is disabled: every older session cookie stops working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Second factor (TOTP): the base32 secret once confirmed, and the last accepted time step,
    # so that a code is accepted only once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]
    # Optimistic locking of the manager's account form (core.operations.run with Stale). Not the
    # mapper's version_id_col: sign-ins write this row too (counters, last sign-in), and those must
    # neither bump it nor fail on it. update_user bumps it, with the row locked.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    # Initiatives live in a higher layer (initiatives): named here, never imported.
    owned_initiatives: Mapped[list["Initiative"]] = relationship(  # noqa: F821
        secondary="initiative_owners", viewonly=True, order_by="Initiative.number")

    def __repr__(self) -> str:
        return format_repr(self, "id", "email", "role")

    def __str__(self) -> str:
        return self.name

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def totp_enabled(self) -> bool:
        return bool(self.totp_secret)

    role_label = label_of("role", ROLE_LABELS)

    @property
    def is_manager(self) -> bool:
        return permissions.is_manager(self)

    @property
    def is_owner(self) -> bool:
        return permissions.is_owner(self)

    @property
    def is_reader(self) -> bool:
        return permissions.is_reader(self)


class LoginFailure(CreatedMixin, db.Model):
    """One failed sign-in (wrong password or code, locked or unknown account) from an address:
    counted across web workers to rate-limit sign-in per IP."""
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_ip_created_dt", "ip", "created_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return format_repr(self, "id", "ip", "created_dt")
