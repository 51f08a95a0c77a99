"""What a progress update carries: lessons, risks, indicator values, spending, evidence, observations.

Each item is visible exactly when its update is, and final once the update is approved."""
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.accounts.models import User
from programme.budget.models import BudgetLine
from programme.core.db import CreatedMixin, Money, format_repr, known_values, label_of
from programme.core.extensions import db
from programme.impact.models import ImpactIndicator
from programme.initiatives.models import LearningQuestion
from programme.monitor.models import Area, MonitorIndicator
from programme.progress.models import APPROVED, LEVEL_LABELS, ApprovedUpdateIsFinal, ProgressUpdate, stored_status


class _UpdateContent:
    """What an update carries is visible exactly when the update is."""

    def can_view(self, user) -> bool:
        return self.update is not None and self.update.can_view(user)


class Lesson(_UpdateContent, db.Model):
    """What the initiative learned this period, optionally on one of its learning questions."""

    __tablename__ = "progress_lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_updates.id"), index=True)
    learning_question_id: Mapped[int | None] = mapped_column(ForeignKey("learning_questions.id"), index=True)
    text: Mapped[str] = mapped_column(Text)

    update: Mapped[ProgressUpdate] = relationship(back_populates="lessons")
    learning_question: Mapped[LearningQuestion | None] = relationship()

    def __repr__(self) -> str:
        return format_repr(self, "id", "update_id")


class Risk(_UpdateContent, db.Model):
    """A risk the owner sees for the initiative, with its likelihood, impact and measure."""

    __tablename__ = "progress_risks"
    __table_args__ = (
        known_values("likelihood", LEVEL_LABELS),
        known_values("impact", LEVEL_LABELS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_updates.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[str] = mapped_column(String(10))
    impact: Mapped[str] = mapped_column(String(10))
    measure: Mapped[str | None] = mapped_column(Text)

    update: Mapped[ProgressUpdate] = relationship(back_populates="risks")

    def __repr__(self) -> str:
        return format_repr(self, "id", "update_id", "likelihood", "impact")

    likelihood_label = label_of("likelihood", LEVEL_LABELS)

    impact_label = label_of("impact", LEVEL_LABELS)


class IndicatorValue(_UpdateContent, db.Model):
    """A value of one of the initiative's impact indicators; it becomes an ImpactMeasurement
    when the update is approved."""

    __tablename__ = "progress_indicator_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_updates.id"), index=True)
    impact_indicator_id: Mapped[int] = mapped_column(ForeignKey("impact_indicators.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    measured_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)

    update: Mapped[ProgressUpdate] = relationship(back_populates="indicator_values")
    impact_indicator: Mapped[ImpactIndicator] = relationship()

    def __repr__(self) -> str:
        return format_repr(self, "impact_indicator_id", "value", "measured_on")


class Spending(_UpdateContent, db.Model):
    """Money on one of the initiative's budget lines in the update's period (not cumulative):
    committed = obligations entered into in the period, spent = paid in the period."""

    __tablename__ = "progress_spending"
    __table_args__ = (
        UniqueConstraint("update_id", "budget_line_id"),
        CheckConstraint("committed >= 0", name="committed_not_negative"),
        CheckConstraint("spent >= 0", name="spent_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_updates.id"), index=True)
    budget_line_id: Mapped[int] = mapped_column(ForeignKey("budget_lines.id"), index=True)
    committed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    spent: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))

    update: Mapped[ProgressUpdate] = relationship(back_populates="spending")
    budget_line: Mapped[BudgetLine] = relationship()

    def __repr__(self) -> str:
        return format_repr(self, "budget_line_id", "committed", "spent")



class Evidence(_UpdateContent, CreatedMixin, db.Model):
    """An uploaded file backing the update. The file itself lives in the instance folder under
    stored_name; a correction copies the row and shares the (immutable) file."""

    __tablename__ = "progress_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_updates.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), index=True)
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    update: Mapped[ProgressUpdate] = relationship(back_populates="evidence")
    uploaded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return format_repr(self, "id", "original_name")


class Observation(_UpdateContent, db.Model):
    """What the owner saw in the initiative's resilience dialogue about one of the monitor's resources in one
    area: the qualitative side of the monitor's figures (Uitvoeringsagenda 1.3). Shown beside those figures
    once its update is approved."""

    __tablename__ = "progress_observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_updates.id"), index=True)
    monitor_indicator_id: Mapped[int] = mapped_column(ForeignKey("monitor_indicators.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    text: Mapped[str] = mapped_column(Text)

    update: Mapped[ProgressUpdate] = relationship(back_populates="observations")
    resource: Mapped[MonitorIndicator] = relationship()
    area: Mapped[Area] = relationship()

    def __repr__(self) -> str:
        return f"<Observation {self.id} of {self.update_id}>"


def _content_is_final(_mapper, connection, target):
    if stored_status(connection, target.update_id) == APPROVED:
        raise ApprovedUpdateIsFinal(f"content of approved progress update {target.update_id} cannot change")


for _child in (Lesson, Risk, IndicatorValue, Spending, Evidence, Observation):
    for _event in ("before_insert", "before_update", "before_delete"):
        event.listen(_child, _event, _content_is_final)
