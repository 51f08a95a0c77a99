"""Dutch words for the audit trail, shared by the audit pages and the CSV export.

The name of each kind of object, the name of each field and how its value reads. Each domain
describes its own models in its `audit_labels.py` (imported with the models); the audit pages and
the CSV export read them from here, so both use the same words."""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# How a field's value reads (programme/audit/present.py formats each kind).
TEXT = "text"
MONEY = "money"          # € 40.000
NUMBER = "number"        # 1.234,5
DATE = "date"            # 4 maart 2026
DATETIME = "datetime"    # 4 maart 2026 om 10:15
YES_NO = "yes_no"        # Ja / Nee
CHOICE = "choice"        # a stored code shown by its Dutch label (the model's label map)
REF = "ref"              # the id of another object, shown by its name
ITEMS = "items"          # a list of child records (dicts), each shown by its own kind's fields
HIDDEN = "hidden"        # technical bookkeeping (internal ids): not shown


@dataclass(frozen=True)
class Field:
    label: str
    kind: str = TEXT
    choices: Mapping | None = None  # CHOICE: code -> label
    ref: str | None = None          # REF: kind of the referenced object; ITEMS: kind of each item


@dataclass
class Kind:
    """A kind of object: its Dutch name, its fields, and how one such object is named (`title`,
    given the object with the relationships in `load` already loaded)."""
    label: str
    fields: dict[str, Field] = field(default_factory=dict)
    title: Callable | None = None
    load: tuple[str, ...] = ()
    legacy: Callable[[str], dict | None] | None = None  # parses an item as older entries wrote it


KINDS: dict[str, Kind] = {}

# Fields with the same meaning on every kind that has them.
SHARED = {
    "is_archived": Field("Gearchiveerd", YES_NO),
    "is_active": Field("Actief", YES_NO),
    "name": Field("Naam"),
    "description": Field("Omschrijving"),
    "position": Field("Volgorde", NUMBER),
    "version": Field("Versie", NUMBER),
    "email": Field("E-mailadres"),
    "note": Field("Notitie"),
    "text": Field("Tekst"),
    "period_label": Field("Periode"),
    "initiative": Field("Initiatief"),
    "initiative_id": Field("Initiatief", REF, ref="Initiative"),
    "sha256": Field("Controlegetal (SHA-256)"),
    "created_dt": Field("Aangemaakt op", DATETIME),
}


def describe(object_type: str, label: str, fields: Mapping[str, Field | str] | None = None, *,
             title: Callable | None = None, load: tuple[str, ...] = (),
             legacy: Callable[[str], dict | None] | None = None) -> None:
    """Register a kind of object; a plain string as field is a text field with that label."""
    KINDS[object_type] = Kind(
        label, {name: (spec if isinstance(spec, Field) else Field(spec)) for name, spec in (fields or {}).items()},
        title, load, legacy)


def kind(object_type: str | None) -> Kind | None:
    return KINDS.get(object_type or "")


def kind_label(object_type: str | None) -> str:
    found = kind(object_type)
    return found.label if found else (object_type or "")


def field_of(object_type: str | None, name: str) -> Field:
    """The field's description; unknown fields read as their name without underscores."""
    found = kind(object_type)
    if found and name in found.fields:
        return found.fields[name]
    if name in SHARED:
        return SHARED[name]
    return Field(name.replace("_", " ").capitalize())


def title_of(obj) -> str:
    """How the audit trail names this object (its kind's title, else its audit_label or str)."""
    found = kind(type(obj).__name__)
    if found and found.title:
        return str(found.title(obj))
    return str(getattr(obj, "audit_label", None) or obj)


def legacy_parser(pattern, *, ids=(), numbers=(), empty="-"):
    """A parser for items that older entries wrote as one line of text (e.g. 'post 19: verplicht
    40000.00, besteed 0.00'): the pattern's named groups become the item's fields, ids become
    ints, numbers Decimals (the audit pages normalise the item), `empty` becomes None."""
    def parse(text: str) -> dict | None:
        match = pattern.fullmatch(text)
        if match is None:
            return None
        item = {}
        for key, value in match.groupdict().items():
            if value is None or value == empty:
                item[key] = None
            elif key in ids:
                item[key] = int(value) if value.isdigit() else None
            elif key in numbers:
                try:
                    item[key] = Decimal(value)
                except InvalidOperation:
                    item[key] = value
            else:
                item[key] = value
        return item
    return parse
