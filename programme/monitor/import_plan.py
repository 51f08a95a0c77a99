"""The plan of a monitor import: its problems, the values it would add and change, and its fingerprint.

import_rows fills a plan from the rows of a file; compare() sets it against the values stored in the
edition; the preview shows it and confirming carries it out (operations.import_values)."""
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from programme.core.extensions import db
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator, MonitorValue


@dataclass
class Problem:
    row: int
    column: str | None  # letter; None: the whole row
    heading: str  # what the column holds, in words
    message: str

    @property
    def where(self) -> str:
        if self.column is None:
            return f"rij {self.row}"
        return f"rij {self.row}, kolom {self.column} ({self.heading})"


@dataclass
class Item:
    area: Area
    indicator: MonitorIndicator
    value: Decimal
    row: int
    column: str


@dataclass
class Change:
    item: Item
    old: Decimal
    old_source: str | None


@dataclass
class Plan:
    year: int
    layout: str
    file_name: str
    sheet: str | None
    notation: str | None = None
    edition: MonitorEdition | None = None
    problems: list[Problem] = field(default_factory=list)
    refused_cells: set[tuple[int, str]] = field(default_factory=set)  # (row, column) of values left out
    refused_rows: set[int] = field(default_factory=set)
    empty: int = 0
    items: list[Item] = field(default_factory=list)
    additions: list[Item] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: list[Item] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return len(self.refused_cells)

    @property
    def changes_anything(self) -> bool:
        return bool(self.additions or self.changes)

    def fingerprint(self) -> str:
        """What confirming would do, as one hash: the preview's promise, checked again at confirm."""
        digest = hashlib.sha256(f"{self.year}|{self.refused}".encode())
        for item in self.additions:
            digest.update(f"+{item.area.id}:{item.indicator.id}={item.value}".encode())
        for change in self.changes:
            digest.update(f"~{change.item.area.id}:{change.item.indicator.id}={change.old}>{change.item.value}".encode())
        return digest.hexdigest()[:32]


def compare(plan: Plan) -> None:
    """Sort the plan's items into additions, changes and unchanged values of its edition."""
    stored: dict[tuple[int, int], tuple[Decimal, str | None]] = {}
    if plan.edition is not None:
        rows = db.session.execute(select(MonitorValue.area_id, MonitorValue.indicator_id, MonitorValue.value,
                                         MonitorValue.source).where(MonitorValue.edition_id == plan.edition.id))
        stored = {(a, i): (v, s) for a, i, v, s in rows}
    for item in plan.items:
        old = stored.get((item.area.id, item.indicator.id))
        if old is None:
            plan.additions.append(item)
        elif Decimal(old[0]) == item.value:
            plan.unchanged.append(item)
        else:
            plan.changes.append(Change(item, Decimal(old[0]), old[1]))
