"""The optimistic lock and the fields every edit screen shares.

The version field and its check, select fields of ids with Dutch messages, period labels,
audited attribute changes, and the table of differences shown when a stale form is refused."""
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import inspect, select
from wtforms import Field, HiddenField, IntegerField, SelectField, ValidationError

from programme.core import audit, audit_labels
from programme.core.formatting import dutch_date, money, number
from programme.core.forms import FIRST_PLAUSIBLE, LAST_PLAUSIBLE, BaseForm, text_field
from programme.core.extensions import db

CHOOSE = "Kies alleen uit de getoonde mogelijkheden."
CONFLICT = ("Iemand anders heeft {what} opgeslagen nadat u het formulier opende. Uw wijzigingen zijn niet "
            "opgeslagen. Hieronder staan de opgeslagen waarden naast de uwe; uw invoer staat nog in het "
            "formulier. Controleer het en sla opnieuw op.")
PERIOD = re.compile(r"(?P<first>(?:19|20)[0-9]{2})(?:[-/](?P<last>(?:19|20)[0-9]{2})|-K[1-4])?")
PERIOD_HINT = "Een jaar (2019), een kwartaal (2026-K4) of een reeks jaren (2018/2019 of 2018-2020)."


class EditConflict(Exception):
    """Someone else saved the record after this form was loaded."""


class VersionedForm(BaseForm):
    """An edit form carries the version of the record it was loaded from."""

    version = HiddenField()

    def validate_version(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError("Het formulier is onvolledig; laad de pagina opnieuw.")


def optional_id(value) -> int | None:
    """'' -> None, '12' -> 12; anything else is a ValueError (a forged value)."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError(CHOOSE)


class IdSelectField(SelectField):
    """A select of record ids (with '' for none); a value that is not offered gets a Dutch message."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", optional_id)
        kwargs.setdefault("invalid_value_message", CHOOSE)
        kwargs.setdefault("invalid_choice_message", CHOOSE)
        super().__init__(label, validators, **kwargs)


def yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("1", "0"):
        return value == "1"
    raise ValueError(CHOOSE)


class PositionField(IntegerField):
    """The place in a list, as a whole number with Dutch messages."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            text = str(valuelist[0]).strip()
            if not text.isdigit() or int(text) > 999:
                raise ValueError("Vul een geheel getal van 0 tot en met 999 in.")
            self.data = int(text)


def check_period_label(text: str) -> str:
    """'2019', '2026-K4', '2018/2019' or '2018-2020'; ValueError with a Dutch message otherwise."""
    match = PERIOD.fullmatch(text or "")
    if not match:
        raise ValueError(f"Vul een geldige periode in. {PERIOD_HINT}")
    if match["last"] and int(match["last"]) <= int(match["first"]):
        raise ValueError("Het laatste jaar van de reeks moet na het eerste jaar liggen.")
    first, last = FIRST_PLAUSIBLE.year, LAST_PLAUSIBLE.year
    if any(year and not first <= int(year) <= last for year in (match["first"], match["last"])):
        raise ValueError(f"Kies jaren van {first} tot en met {last}, de looptijd van het programma.")
    return text


def validate_period(_form, field) -> None:
    try:
        check_period_label(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from None


def period_field(label: str = "Periode"):
    """The period a target or a planning is for: '2019', '2026-K4', '2018/2019' or '2018-2020'."""
    return text_field(label, 20, "Vul de periode in.", validators=[validate_period], description=PERIOD_HINT)


def check_version(obj, expected: int) -> None:
    if obj.version != expected:
        raise EditConflict


def _same(old, new) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return old is not None and new is not None and Decimal(old) == Decimal(new)
    return old == new


def readable(obj, name: str, value):
    """A value as the audit trail keeps it: the related record's name (as it was then) for an id;
    numbers stay numbers (core/audit.py normalises them, the audit pages format them)."""
    if value is None or value == "":
        return None
    if name.endswith("_id"):
        relation = inspect(type(obj)).relationships.get(name[:-3])
        if relation is not None:
            target = db.session.get(relation.mapper.class_, value)
            if target is not None:
                return getattr(target, "label", None) or getattr(target, "name", None) or str(target)
    return value


def values_of(obj, names) -> dict:
    return {name: readable(obj, name, getattr(obj, name)) for name in names}


def apply_changes(obj, action: str, new: dict, *, initiative_id: int | None = None) -> bool:
    """Set the attributes that differ, write one audit entry with their old and new values and
    flush (one versioned UPDATE). False when nothing changed."""
    changed = [name for name, value in new.items() if not _same(getattr(obj, name), value)]
    if not changed:
        return False
    old_values = {name: readable(obj, name, getattr(obj, name)) for name in changed}
    new_values = {name: readable(obj, name, new[name]) for name in changed}
    with db.session.no_autoflush:
        for name in changed:
            setattr(obj, name, new[name])
        audit.record(action, obj, old=old_values, new=new_values, initiative_id=initiative_id)
    db.session.flush()
    return True


def archive_or_restore(obj, archived: bool, object_type: str, **audit_kwargs) -> None:
    """Archive a record or bring it back, audited as '<object_type>.archive' or '.unarchive'; records
    are archived, never deleted, because others (and the audit trail) refer to them."""
    if obj.is_archived == archived:
        return
    obj.is_archived = archived
    audit.record(f"{object_type}.archive" if archived else f"{object_type}.unarchive", obj,
                 old={"is_archived": not archived}, new={"is_archived": archived}, **audit_kwargs)
    db.session.flush()


def is_taken(model, *, other_than: int | None = None, **values) -> bool:
    """Whether a record of `model` (other than the one with id `other_than`) already has these values."""
    query = select(model.id).filter_by(**values)
    if other_than is not None:
        query = query.where(model.id != other_than)
    return db.session.scalar(query.limit(1)) is not None


def _show(field: Field, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(field, SelectField):
        try:
            labels = {field.coerce(choice.value): choice.label for choice in field.choices or []}
        except ValueError:
            labels = {}
        return labels.get(value, str(value))
    if isinstance(value, Decimal):
        return money(value) if field.type == "MoneyField" else number(value)
    if isinstance(value, date):
        return dutch_date(value)
    return str(value)


def differences(obj, form, names) -> list[tuple[str, str, str]]:
    """(field label, stored value, the user's value) for every field where they differ."""
    rows = []
    for name in names:
        field = form[name]
        stored, theirs = getattr(obj, name), field.data
        if not _same(stored, theirs):
            rows.append((field.label.text, _show(field, stored), _show(field, theirs)))
    return rows


def refuse(action: str, obj, message: str) -> None:
    """Log a change a business rule refused (outside the request's transaction, which won't commit)."""
    audit.record_now(action, result="refused", object_type=type(obj).__name__,
                     object_label=audit_labels.title_of(obj)[:300], message=message)
