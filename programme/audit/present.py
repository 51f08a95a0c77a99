"""Audit entries as people read them, for the audit pages and the CSV export.

Dutch names of kinds and fields (core/audit_labels.py), values formatted as on screen, names instead
of ids and no pairs that differ only in how a number is written. The page and the CSV export both
use `present`. Referenced objects are loaded in one query per kind for the whole page, never one per
entry."""
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.core.audit import AuditEntry, normalise
from programme.core.audit_labels import (CHOICE, DATE, DATETIME, HIDDEN, ITEMS, MONEY, NUMBER, REF, YES_NO,
                                         Field, field_of, kind, kind_label, title_of)
from programme.core.formatting import dutch_date, dutch_datetime, money, number
from programme.core.extensions import db

# Older entries wrote some numbers the Dutch way ('1.234,56', '1.250'); new ones store JSON numbers.
DUTCH_NUMBER = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?|-?\d+,\d+")
SYSTEM = "Systeem"


@dataclass
class Change:
    label: str
    old: list[str]
    new: list[str]
    items: bool = False  # a list of records: old holds the removed items, new the added ones
    both: bool = True    # the field was recorded before and after (else only its one value is shown)


@dataclass
class Row:
    entry: AuditEntry
    actor: str
    kind: str
    object: str
    initiative: str | None
    changes: list[Change] = field(default_factory=list)


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip()
        if DUTCH_NUMBER.fullmatch(text):
            text = text.replace(".", "").replace(",", ".")
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return None


def _item(spec: Field, value):
    """One item of a list field as a normalised dict (parsing the one-line text of older entries)."""
    item_kind = kind(spec.ref)
    if isinstance(value, str) and item_kind and item_kind.legacy:
        value = item_kind.legacy(value) or value
    if isinstance(value, dict):
        return {key: _clean(field_of(spec.ref, key), sub) for key, sub in value.items()}
    return normalise(value)


def _clean(spec: Field, value):
    """The stored value in one canonical form, so that equal values compare equal."""
    if spec.kind == ITEMS and isinstance(value, list):
        return [_item(spec, item) for item in value]
    if spec.kind in (MONEY, NUMBER):
        found = _decimal(value)
        return normalise(found) if found is not None else value
    return normalise(value)


def _key(item) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _item_changes(old: list, new: list) -> tuple[list, list]:
    """Items only in old (removed or changed) and only in new (added or changed), in their order."""
    old_count, new_count = Counter(map(_key, old)), Counter(map(_key, new))
    removed, added = old_count - new_count, new_count - old_count

    def take(items, wanted):
        out = []
        for item in items:
            if wanted[_key(item)] > 0:
                wanted[_key(item)] -= 1
                out.append(item)
        return out
    return take(old, removed), take(new, added)


def _collect(spec: Field, value, refs: dict) -> None:
    if spec.kind == REF and isinstance(value, int) and not isinstance(value, bool):
        refs[spec.ref].add(value)
    elif spec.kind == ITEMS and isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                for key, sub in item.items():
                    _collect(field_of(spec.ref, key), sub, refs)


def _model_classes() -> dict:
    """Class name -> model."""
    classes = {mapper.class_.__name__: mapper.class_ for mapper in db.Model.registry.mappers}
    return classes


def _titles(refs: dict) -> dict:
    """(kind, id) -> title, one query per kind (plus the relationships its title needs)."""
    classes, titles = _model_classes(), {}
    for object_type, ids in refs.items():
        model, described = classes.get(object_type), kind(object_type)
        ids = {i for i in ids if i is not None}
        if model is None or not ids:
            continue
        query = select(model).where(model.id.in_(ids))
        for name in described.load if described else ():
            query = query.options(selectinload(getattr(model, name)))
        for obj in db.session.scalars(query):
            titles[(object_type, obj.id)] = title_of(obj)
    return titles


def _yes_no(value) -> str:
    return "Ja" if value in (True, "True", "true", 1) else "Nee"


def _when(value, as_datetime: bool) -> str:
    try:
        if as_datetime:
            moment = datetime.fromisoformat(value)
            return dutch_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        return dutch_date(date.fromisoformat(value[:10]))
    except (TypeError, ValueError):
        return str(value)


def text(spec: Field, value, titles: dict) -> str:
    """One value as on screen; '' when empty."""
    if value is None or value == "" or value == []:
        return ""
    if spec.kind == ITEMS:
        return "; ".join(_item_text(spec, item, titles) for item in value)
    if isinstance(value, list):
        return ", ".join(filter(None, (text(spec, item, titles) for item in value)))
    if spec.kind == REF and isinstance(value, int) and not isinstance(value, bool):
        return titles.get((spec.ref, value)) or f"{kind_label(spec.ref)} (verwijderd)"
    if spec.kind == YES_NO or isinstance(value, bool):
        return _yes_no(value)
    if spec.kind == CHOICE:
        return str(spec.choices.get(value, value))
    if spec.kind in (MONEY, NUMBER) or isinstance(value, (int, float)):
        found = _decimal(value)
        if found is None:
            return str(value)
        return money(found) if spec.kind == MONEY else number(found)
    if spec.kind in (DATE, DATETIME):
        return _when(value, spec.kind == DATETIME)
    return str(value)


def _item_text(spec: Field, item, titles: dict) -> str:
    if not isinstance(item, dict):
        return str(item)
    parts = []
    for key, value in item.items():
        sub = field_of(spec.ref, key)
        shown = text(sub, value, titles) if sub.kind != HIDDEN else ""
        if shown:
            parts.append(f"{sub.label}: {shown}")
    return ", ".join(parts) or "–"


def _pairs(entry: AuditEntry, refs: dict) -> list[tuple[Field, object, object, bool]]:
    """(field, old, new, recorded on both sides) for each field that really changed."""
    old, new = entry.old_values or {}, entry.new_values or {}
    out = []
    for key in list(old) + [k for k in new if k not in old]:
        spec = field_of(entry.object_type, key)
        if spec.kind == HIDDEN:
            continue
        before, after = _clean(spec, old.get(key)), _clean(spec, new.get(key))
        both = key in old and key in new
        if spec.kind == ITEMS and isinstance(before, list) and isinstance(after, list):
            before, after = _item_changes(before, after)
            if both and not before and not after:
                continue
        elif both and before == after:
            continue  # written differently, same value (66.0000 -> 66)
        if before in (None, "", []) and after in (None, "", []):
            continue
        _collect(spec, before, refs)
        _collect(spec, after, refs)
        # A field cleared by the change reads 'old -> leeg'; a deleted record's fields read as values.
        out.append((spec, before, after, both or (key in old and bool(new))))
    return out


def _is_repr(label: str | None) -> bool:
    return not label or (label.startswith("<") and label.endswith(">"))


def present(entries) -> list[Row]:
    """The entries as rows for the page and the CSV export."""
    refs, pending = defaultdict(set), []
    for entry in entries:
        refs["User"].add(entry.actor_id)
        refs["Initiative"].add(entry.initiative_id)
        if entry.object_id and _is_repr(entry.object_label) and kind(entry.object_type):
            refs[entry.object_type].add(entry.object_id)
        pending.append((entry, _pairs(entry, refs)))
    titles = _titles(refs)
    rows = []
    for entry, pairs in pending:
        label = entry.object_label
        if _is_repr(label):
            label = titles.get((entry.object_type, entry.object_id)) or ""
        changes = []
        for spec, before, after, both in pairs:
            if spec.kind == ITEMS and isinstance(before or [], list) and isinstance(after or [], list):
                changes.append(Change(spec.label, [_item_text(spec, x, titles) for x in before or []],
                                      [_item_text(spec, x, titles) for x in after or []], items=True, both=both))
            else:
                old_text, new_text = text(spec, before, titles), text(spec, after, titles)
                changes.append(Change(spec.label, [old_text] if old_text else [], [new_text] if new_text else [],
                                      both=both))
        rows.append(Row(
            entry=entry,
            actor=titles.get(("User", entry.actor_id)) or entry.actor_label or SYSTEM,
            kind=kind_label(entry.object_type),
            object=label,
            initiative=titles.get(("Initiative", entry.initiative_id)),
            changes=changes,
        ))
    return rows


def change_lines(row: Row, side: str) -> str:
    """'Label: value' per change, one a line (for the CSV export)."""
    lines = []
    for change in row.changes:
        values = getattr(change, side)
        if change.items:
            lines += [f"{change.label}: {value}" for value in values]
        else:
            lines.append(f"{change.label}: {values[0] if values else 'leeg'}")
    return "\n".join(lines)
