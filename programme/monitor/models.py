"""Areas, monitor editions, monitor indicators and their values per edition and area."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.core.db import UTCDateTime, utcnow
from programme.core.formatting import unit_label
from programme.core.sourced import SourcedMixin
from programme.core.extensions import db

AREA_KINDS = {
    "province": "Provincie",
    "corop": "COROP-regio",
    "municipality": "Gemeente",
    "small_municipalities": "Regio kleine gemeenten",
}

RESOURCE_LABELS = {
    "resilience": "Sociale veerkracht",
    "personal": "Persoonlijke hulpbronnen",
    "social": "Sociale hulpbronnen",
    "environmental": "Omgevingshulpbronnen",
}

class Area(SourcedMixin, db.Model):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    cbs_code: Mapped[str | None] = mapped_column(String(10), unique=True)
    group: Mapped[str | None] = mapped_column(String(10))  # B5 | M7
    position: Mapped[int] = mapped_column(default=0)
    # The years the area exists, both inclusive (a municipality exists from 1 January of valid_from to
    # 31 December of valid_to); none: since before / until after the years the shipped boundaries cover.
    valid_from: Mapped[int | None]
    valid_to: Mapped[int | None]

    parent: Mapped["Area | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent", order_by="Area.position")
    # Municipal reorganisations: what this area became, and what it came from.
    became: Mapped[list["AreaChange"]] = relationship(
        foreign_keys="AreaChange.predecessor_id", back_populates="predecessor", order_by="AreaChange.id")
    came_from: Mapped[list["AreaChange"]] = relationship(
        foreign_keys="AreaChange.successor_id", back_populates="successor", order_by="AreaChange.id")

    def __repr__(self) -> str:
        return f"<Area {self.name}>"

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return AREA_KINDS.get(self.kind, self.kind)

    def exists_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (self.valid_to is None or year <= self.valid_to)

    def ancestors(self) -> list["Area"]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out


CHANGE_KINDS = {
    "merger": "samenvoeging",  # the successor takes the whole area
    "split": "opheffing (verdeeld)",  # the area is divided among several successors
}


class AreaChange(SourcedMixin, db.Model):
    """One step of a municipal reorganisation: (part of) the predecessor belongs to the successor from
    1 January of `year`. A merger has one row per merged municipality, a split one row per receiver."""

    __tablename__ = "area_changes"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    share_of_area: Mapped[Decimal | None] = mapped_column(Numeric(4, 3))  # of the predecessor's area

    predecessor: Mapped[Area] = relationship(foreign_keys=[predecessor_id], back_populates="became")
    successor: Mapped[Area] = relationship(foreign_keys=[successor_id], back_populates="came_from")

    def __repr__(self) -> str:
        return f"<AreaChange {self.predecessor_id}->{self.successor_id} {self.year}>"

    @property
    def kind_label(self) -> str:
        return CHANGE_KINDS.get(self.kind, self.kind)


EDITION_STATUSES = {
    "draft": "concept",  # being filled by imports; not shown as current figures yet
    "published": "gepubliceerd",
    "withdrawn": "ingetrokken",  # kept with its values and history, never shown as current figures
}
EXAMPLE_MARK = "voorbeeld, geen echte meting"


class MonitorEdition(SourcedMixin, db.Model):
    __tablename__ = "monitor_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))
    publisher: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="published", server_default="published")
    # Fictional figures for demonstrations (`flask example-monitor`): marked on every screen that shows them.
    is_example: Mapped[bool] = mapped_column(default=False, server_default=false())

    imports: Mapped[list["MonitorImport"]] = relationship(back_populates="edition",
                                                          order_by="MonitorImport.id.desc()")

    def __repr__(self) -> str:
        return f"<MonitorEdition {self.year}>"

    @property
    def is_current(self) -> bool:
        """Shown as current figures: published (a draft or withdrawn edition is not)."""
        return self.status == "published"

    @property
    def status_label(self) -> str:
        return EDITION_STATUSES.get(self.status, self.status)

    @property
    def label(self) -> str:
        """The name as screens show it, with the example mark where the figures are fictional."""
        return f"{self.name} ({EXAMPLE_MARK})" if self.is_example else self.name


class MonitorImport(db.Model):
    """One confirmed import of a spreadsheet into an edition: which file, who, when, and what it did.
    Every value it added or changed points back to it (with the sheet and row of its cell)."""

    __tablename__ = "monitor_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("monitor_editions.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    layout: Mapped[str] = mapped_column(String(10))  # long | wide
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str | None] = mapped_column(String(200))
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)  # refused cells left out (only with only_valid)
    only_valid: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text)  # why stored values were changed

    edition: Mapped[MonitorEdition] = relationship(back_populates="imports")

    def __repr__(self) -> str:
        return f"<MonitorImport {self.id} {self.file_name}>"


class MonitorIndicator(SourcedMixin, db.Model):
    __tablename__ = "monitor_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    resource: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(20))
    higher_is_better: Mapped[bool | None]
    correlation: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    # The plausible range of a value where the unit's own range does not hold (a score of 0-100, say).
    minimum: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    maximum: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    # A change between editions smaller than this counts as equal in the trends (None: the default per
    # unit, monitor/trends.py DEFAULT_THRESHOLDS); set by the manager.
    trend_threshold: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))

    def __repr__(self) -> str:
        return f"<MonitorIndicator {self.code}>"

    @property
    def value_range(self) -> tuple[Decimal | None, Decimal | None]:
        """(lowest, highest) plausible value: the indicator's own, else its unit's (UNIT_RANGES)."""
        low, high = UNIT_RANGES.get(self.unit, (None, None))
        return (self.minimum if self.minimum is not None else low,
                self.maximum if self.maximum is not None else high)

    @property
    def resource_label(self) -> str:
        return RESOURCE_LABELS.get(self.resource, self.resource)

    @property
    def unit_label(self) -> str:
        return unit_label(self.unit)


# The range a value of a unit can have; an indicator may set its own (MonitorIndicator.minimum/maximum).
UNIT_RANGES = {
    "percent": (Decimal(0), Decimal(100)),
    "score": (Decimal(1), Decimal(5)),  # the monitor's 5-point scales
    "count": (Decimal(0), None),
    "hours": (Decimal(0), None),
    "km": (Decimal(0), None),
}


class MonitorValue(SourcedMixin, db.Model):
    __tablename__ = "monitor_values"
    __table_args__ = (UniqueConstraint("edition_id", "area_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("monitor_editions.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("monitor_indicators.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    # Where an imported value came from (file, who and when are on the import); none for seeded values.
    import_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_imports.id"), index=True)
    source_sheet: Mapped[str | None] = mapped_column(String(100))
    source_row: Mapped[int | None]
    source_column: Mapped[str | None] = mapped_column(String(10))  # spreadsheet letters: "D"

    edition: Mapped[MonitorEdition] = relationship()
    area: Mapped[Area] = relationship()
    indicator: Mapped[MonitorIndicator] = relationship()
    monitor_import: Mapped[MonitorImport | None] = relationship()

    def __repr__(self) -> str:
        return f"<MonitorValue {self.edition_id}/{self.area_id}/{self.indicator_id}={self.value}>"


class MdiRanking(SourcedMixin, db.Model):
    """Figuur 6 of the 2018 monitor: municipalities ranked by multiple deprivation (MDI)."""

    __tablename__ = "mdi_rankings"
    __table_args__ = (UniqueConstraint("edition_id", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("monitor_editions.id"))
    rank: Mapped[int]
    municipality: Mapped[str] = mapped_column(String(100))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    value: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))

    edition: Mapped[MonitorEdition] = relationship()
    area: Mapped[Area | None] = relationship()

    def __repr__(self) -> str:
        return f"<MdiRanking {self.rank} {self.municipality}>"


class SourceNote(SourcedMixin, db.Model):
    """A remark on the sources: where they disagree or are ambiguous. Shown, never hidden."""

    __tablename__ = "source_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    topic: Mapped[str] = mapped_column(String(30))  # monitor | initiatives | budget
    text: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<SourceNote {self.key}>"
