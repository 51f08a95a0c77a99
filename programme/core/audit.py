"""Append-only audit trail: who did what to which object, when, from where, with what result."""
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String, Text, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from programme.core.audit_labels import title_of
from programme.core.db import UTCDateTime, format_repr, utcnow
from programme.core.extensions import db
from programme.core.independent import independently


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_label: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50), index=True)
    object_type: Mapped[str | None] = mapped_column(String(50), index=True)
    object_id: Mapped[int | None]
    object_label: Mapped[str | None] = mapped_column(String(300))
    initiative_id: Mapped[int | None] = mapped_column(index=True)
    result: Mapped[str] = mapped_column(String(20), default="ok")
    ip: Mapped[str | None] = mapped_column(String(64))
    old_values: Mapped[dict | None] = mapped_column(JSON)
    new_values: Mapped[dict | None] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return format_repr(self, "id", "action", "object_type", "object_id", "result")


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(*_args):
    raise RuntimeError("audit entries are append-only")


def normalise(value):
    """A value as the audit trail stores it, so that the same value is always written the same way:
    numbers as JSON numbers without trailing zeros (Decimal('66.0000'), 66.0 and 66 are all 66),
    dates as ISO text, sets as sorted lists, other objects as text."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (Decimal, float, int)):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            return str(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): normalise(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((normalise(item) for item in value), key=str)
    return str(value)


def _as_number(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip()) if isinstance(value, (int, float, str)) else None
    except InvalidOperation:
        return None


def same_value(old, new) -> bool:
    """Equal once normalised; a number and the text of that number ('66') count as equal too."""
    if old == new:
        return True
    if isinstance(old, str) == isinstance(new, str):
        return False
    old_number, new_number = _as_number(old), _as_number(new)
    return old_number is not None and old_number == new_number


def real_changes(old: dict | None, new: dict | None) -> tuple[dict | None, dict | None]:
    """old and new normalised, without the fields whose value is the same on both sides."""
    old, new = normalise(old), normalise(new)
    if old and new:
        same = {key for key in old if key in new and same_value(old[key], new[key])}
        old = {key: value for key, value in old.items() if key not in same}
        new = {key: value for key, value in new.items() if key not in same}
    return old, new


def _context(actor=None) -> dict:
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    return {
        "actor_id": getattr(actor, "id", None),
        "actor_label": getattr(actor, "email", None),
        "ip": request.remote_addr if has_request_context() else None,
    }


def record(action: str, obj=None, *, old=None, new=None, result="ok", message=None, actor=None,
           initiative_id=None) -> AuditEntry | None:
    """Add an audit entry to the current transaction (it commits with the change it describes).
    When old and new were given but differ only in how the values are written, nothing changed:
    no entry, None."""
    given = bool(old) and bool(new)
    old, new = real_changes(old, new)
    if given and not old and not new:
        return None
    entry = AuditEntry(
        action=action,
        object_type=obj.__class__.__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        object_label=title_of(obj)[:300] if obj is not None else None,
        initiative_id=initiative_id,
        result=result,
        old_values=old,
        new_values=new,
        message=message,
        **_context(actor),
    )
    db.session.add(entry)
    return entry


def record_now(action: str, *, result: str, message: str | None = None, actor=None,
               object_type: str | None = None, object_label: str | None = None) -> None:
    """Write an entry at once, outside the request's transaction, which will not commit
    (refused requests, failed sign-ins)."""
    values = {
        "created_dt": utcnow(),
        "action": action,
        "result": result,
        "message": message,
        "object_type": object_type,
        "object_label": object_label,
        **_context(actor),
    }
    independently(lambda conn: conn.execute(insert(AuditEntry.__table__).values(**values)))


def record_refusal(kind: str, message: str) -> None:
    path = request.path if has_request_context() else None
    record_now("request.refuse", result="refused", message=f"{kind}: {message}", object_label=path)
