"""Append-only audit trail: who did what to which object, when, from where, with what result."""
from datetime import datetime
from decimal import Decimal

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String, Text, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from programme.core.db import UTCDateTime, utcnow
from programme.extensions import db


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
        return f"<AuditEntry {self.id} {self.action} {self.object_type}:{self.object_id} {self.result}>"


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(*_args):
    raise RuntimeError("audit entries are append-only")


def _jsonable(values: dict | None) -> dict | None:
    if values is None:
        return None
    out = {}
    for key, value in values.items():
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        out[key] = value
    return out


def _context(actor=None) -> dict:
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    return {
        "actor_id": getattr(actor, "id", None),
        "actor_label": getattr(actor, "email", None),
        "ip": request.remote_addr if has_request_context() else None,
    }


def record(action: str, obj=None, *, old=None, new=None, result="ok", message=None, actor=None,
           initiative_id=None) -> AuditEntry:
    """Add an audit entry to the current transaction (it commits with the change it describes)."""
    entry = AuditEntry(
        action=action,
        object_type=obj.__class__.__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        object_label=str(getattr(obj, "audit_label", None) or obj)[:300] if obj is not None else None,
        initiative_id=initiative_id,
        result=result,
        old_values=_jsonable(old),
        new_values=_jsonable(new),
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
    with db.engine.begin() as conn:
        conn.execute(insert(AuditEntry.__table__).values(**values))


def record_refusal(kind: str, message: str) -> None:
    path = request.path if has_request_context() else None
    record_now("refused", result="refused", message=f"{kind}: {message}", object_label=path)
