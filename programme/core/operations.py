"""The one way a view changes data: run one operation, commit once, or roll back and tell the user why.

Operations (each domain's `operations.py`) take models and plain validated values, check rights and
rules, change, audit and flush; they never commit. They refuse with `RuleError(field, message)` (a
business rule: the message goes on the form field, or above the form when `field` is None) or with
`Refused(message)` (this user may not do this: 403 with the reason). `run()` is the only place that
turns those into a commit, a rollback, a field message, a conflict screen or a 403."""
from dataclasses import dataclass, field as dataclass_field
from typing import Any
from collections.abc import Callable, Iterable

from flask import flash
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from programme.core import audit, audit_labels, permissions
from programme.core.editing import EditConflict, differences, refuse
from programme.core.extensions import db

RACE_MESSAGE = ("Iemand anders heeft dit tegelijk met u gewijzigd. Uw handeling is niet uitgevoerd. "
                "Bekijk hieronder de huidige stand en probeer het zo nodig opnieuw.")


class RuleError(Exception):
    """A business rule refuses the change; `field` names the form field the message belongs to
    (None: it is about the whole form; a row of a repeated group as 'risks-1-likelihood'). The
    message is Dutch, written for the user. `more` holds further (field, message) pairs that the
    same check found, so that the user sees every problem at once. With `refused=(action, obj)`
    run() writes the refusal to the audit trail after the rollback."""

    def __init__(self, field: str | None, message: str, *, more: Iterable[tuple[str | None, str]] = (),
                 refused: tuple[str, Any] | None = None):
        super().__init__(message)
        self.field = field
        self.message = message
        self.more = list(more)
        self.refused = refused

    @property
    def problems(self) -> list[tuple[str | None, str]]:
        return [(self.field, self.message), *self.more]


class Refused(Exception):
    """This user may not do this (403). The message is Dutch, written for the user; `back` is an
    optional (url, link text) to offer on the refusal page."""

    def __init__(self, message: str, *, back: tuple[str, str] | None = None, kind: str = "operation"):
        super().__init__(message)
        self.message = message
        self.back = back
        self.kind = kind


class LostRace(Exception):
    """A parallel change got there first in a way no rule could foresee (raised by operations that
    detect it themselves; a versioned UPDATE or a unique constraint is caught as well)."""


@dataclass
class Stale:
    """How to show a versioned edit that was refused because someone saved in between: reload the
    record, log the refusal as `action`, and compare these form fields with what is stored (or let
    `compare(obj, form)` give the (label, stored, yours) rows, for a form whose fields are not columns)."""

    load: Callable[[], Any]
    names: Iterable[str]
    action: str
    compare: Callable[[Any, Any], list] | None = None


@dataclass
class Outcome:
    ok: bool
    result: Any = None
    conflict: list | None = dataclass_field(default=None)  # (label, stored, yours) rows
    error: Exception | None = None  # the RuleError or lost race that stopped it, for a view that answers in kind

    def __bool__(self) -> bool:
        return self.ok


def _fields(container):
    """Every input field of a form, the fields of repeated rows (FieldList, FormField) included."""
    for item in container:
        if hasattr(item, "entries"):
            yield from _fields(item.entries)
        elif hasattr(item, "form") and hasattr(item.form, "_fields"):
            yield from _fields(item.form)
        else:
            yield item


def _field(form, name: str | None):
    if form is None or not name:
        return None
    if name in form:
        return form[name]
    return next((field for field in _fields(form) if field.name == name), None)


def _show_rule(error: RuleError, form) -> None:
    for name, message in error.problems:
        target = _field(form, name)
        if target is not None:
            target.errors = [*target.errors, message]
        else:
            flash(message, "error")


def _conflict(stale: Stale, form) -> Outcome:
    obj = stale.load()
    db.session.refresh(obj)
    audit.record_now(stale.action, result="refused", object_type=type(obj).__name__,
                     object_label=audit_labels.title_of(obj)[:300], message="bewerkconflict: verouderde versie")
    rows = stale.compare(obj, form) if stale.compare else differences(obj, form, stale.names)
    form.version.data = str(obj.version)  # saving again is a deliberate overwrite
    return Outcome(False, obj, conflict=rows)


def run(operation: Callable, *args, form=None, success: str | None = None, stale: Stale | None = None,
        race_message: str = RACE_MESSAGE, **kwargs) -> Outcome:
    """Run operation(*args, **kwargs) and commit once. On a RuleError roll back and put the message on
    its form field (or flash it); on Refused roll back, audit and answer 403 with the reason; when a
    versioned edit was stale roll back and return the differences (with `stale`), or flash that a
    parallel change won. `success` is flashed after the commit."""
    try:
        result = operation(*args, **kwargs)
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        if error.refused:
            action, obj = error.refused
            refuse(action, obj, error.message)
        _show_rule(error, form)
        return Outcome(False, error=error)
    except Refused as error:
        permissions.refuse(error.kind, error.message, reason=error.message, back=error.back)
    except (EditConflict, StaleDataError, IntegrityError, LostRace) as error:
        db.session.rollback()
        if stale is not None and isinstance(error, (EditConflict, StaleDataError)):
            return _conflict(stale, form)
        flash(race_message, "error")
        return Outcome(False, error=error)
    if success:
        flash(success, "success")
    return Outcome(True, result)
