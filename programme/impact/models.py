"""Impact indicators of the programme and of initiatives, with targets and measured values."""
from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.core.db import CreatedMixin, VersionedMixin, format_repr
from programme.core.sourced import SourcedMixin
from programme.core.extensions import db
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator


class ImpactIndicator(SourcedMixin, VersionedMixin, db.Model):
    """Without an initiative it is a programme indicator (e.g. the 2019 horizon results)."""

    __tablename__ = "impact_indicators"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80))
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(30))
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    monitor_indicator_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_indicators.id"))
    # Baseline: a number where the source gives one (from a monitor edition and area), else text.
    baseline_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    baseline_text: Mapped[str | None] = mapped_column(Text)
    baseline_edition_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_editions.id"))
    baseline_area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    position: Mapped[int] = mapped_column(default=0)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)

    monitor_indicator: Mapped[MonitorIndicator | None] = relationship()
    baseline_edition: Mapped[MonitorEdition | None] = relationship()
    baseline_area: Mapped[Area | None] = relationship()
    targets: Mapped[list["ImpactTarget"]] = relationship(back_populates="indicator",
                                                         order_by="ImpactTarget.period_label",
                                                         cascade="all, delete-orphan")
    measurements: Mapped[list["ImpactMeasurement"]] = relationship(back_populates="indicator",
                                                                   order_by="ImpactMeasurement.measured_on")

    def __repr__(self) -> str:
        return format_repr(self, "code")

    def __str__(self) -> str:
        return self.name

    @property
    def is_programme_indicator(self) -> bool:
        return self.initiative_id is None


class ImpactTarget(SourcedMixin, VersionedMixin, db.Model):
    __tablename__ = "impact_targets"
    __table_args__ = (UniqueConstraint("indicator_id", "period_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("impact_indicators.id"))
    period_label: Mapped[str] = mapped_column(String(20))
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    target_text: Mapped[str | None] = mapped_column(Text)

    indicator: Mapped[ImpactIndicator] = relationship(back_populates="targets")

    def __repr__(self) -> str:
        return format_repr(self, "indicator_id", "period_label")

    @property
    def audit_label(self) -> str:
        return f"Streefwaarde {self.period_label} van {self.indicator.name}"


class ImpactMeasurement(CreatedMixin, db.Model):
    """An actual value of an indicator. Seeds add none: values come from approved updates
    or from example data, which is marked as such."""

    __tablename__ = "impact_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("impact_indicators.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    measured_on: Mapped[date]
    source_text: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    # The approved progress update this value was copied from (None: entered otherwise or example);
    # progress, the higher layer, holds the relationship (ProgressUpdate.measurements).
    progress_update_id: Mapped[int | None] = mapped_column(ForeignKey("progress_updates.id"), index=True)

    indicator: Mapped[ImpactIndicator] = relationship(back_populates="measurements")

    def __repr__(self) -> str:
        return format_repr(self, "indicator_id", "value", "measured_on")
