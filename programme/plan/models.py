"""Goals, implementation lines, themes, deliverables (prestaties) and their actions."""
from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.core.sourced import SourcedMixin
from programme.core.db import VersionedMixin, format_repr
from programme.core.extensions import db


class Goal(SourcedMixin, db.Model):
    """Maatschappelijk doel."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(Text)
    short_title: Mapped[str] = mapped_column(String(200))

    lines: Mapped[list["ImplementationLine"]] = relationship(back_populates="goal",
                                                         order_by="ImplementationLine.number")

    def __repr__(self) -> str:
        return format_repr(self, "number")


class ImplementationLine(SourcedMixin, db.Model):
    """Uitvoeringslijn: gebiedsgericht or cross-overs."""

    __tablename__ = "implementation_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # gebiedsgericht | crossover
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"))

    goal: Mapped[Goal] = relationship(back_populates="lines")

    def __repr__(self) -> str:
        return format_repr(self, "code")


class Theme(SourcedMixin, db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return format_repr(self, "name")


class Deliverable(SourcedMixin, db.Model):
    """Prestatie: one of the programme's levels of work, with its actions."""

    __tablename__ = "deliverables"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)
    # The source marks prestaties that include ZET and Zorgbelang capacity with an asterisk.
    includes_zet_zorgbelang: Mapped[bool] = mapped_column(default=False)

    actions: Mapped[list["Action"]] = relationship(back_populates="deliverable", order_by="Action.position")

    def __repr__(self) -> str:
        return format_repr(self, "code")


class Action(SourcedMixin, VersionedMixin, db.Model):
    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("deliverable_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("deliverables.id"))
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)
    # The "Actie:" sentence in the body of the Uitvoeringsagenda, where there is one.
    statement: Mapped[str | None] = mapped_column(Text)
    # Actions are archived, never deleted: budget lines and the audit trail refer to them.
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    deliverable: Mapped[Deliverable] = relationship(back_populates="actions")
    # Budget lines live in a higher layer (budget): named here, never imported.
    budget_lines: Mapped[list["BudgetLine"]] = relationship(  # noqa: F821
        primaryjoin="Action.id == BudgetLine.action_id", viewonly=True,
        order_by="[BudgetLine.period_id, BudgetLine.id]")
    plannings: Mapped[list["ActionPlanning"]] = relationship(back_populates="action",
                                                             order_by="ActionPlanning.position")

    def __repr__(self) -> str:
        return format_repr(self, "name")

    def __str__(self) -> str:
        return self.name


class ActionPlanning(SourcedMixin, VersionedMixin, db.Model):
    """The planning text of an action for one period ('2017', '2018/2019', '2018-2020', '2019')."""

    __tablename__ = "action_plannings"
    __table_args__ = (UniqueConstraint("action_id", "period_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    period_label: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="plannings")

    def __repr__(self) -> str:
        return format_repr(self, "action_id", "period_label")

    @property
    def audit_label(self) -> str:
        return f"Planning {self.period_label} van {self.action.name}"
