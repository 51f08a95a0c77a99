"""Budget periods, funding sources, budget lines, ZET/Zorgbelang allocations and stated totals."""
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.core.db import Money, VersionedMixin, format_repr
from programme.core.sourced import SourcedMixin
from programme.core.extensions import db
from programme.plan.models import Action, Deliverable

if TYPE_CHECKING:
    from programme.initiatives.models import Initiative


class BudgetYears(SourcedMixin, db.Model):
    """A budget column of the programme: one year ('2017') or a range of years ('2018/2019').
    Named apart from progress's ReportingPeriod and reports' ReportPeriod; the table keeps its name."""

    __tablename__ = "budget_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(50))
    first_year: Mapped[int]
    last_year: Mapped[int]

    def __repr__(self) -> str:
        return format_repr(self, "code")

    @property
    def audit_label(self) -> str:
        return f"Begrotingsperiode {self.label}"

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1


class FundingSource(SourcedMixin, db.Model):
    """Province, ZET or Zorgbelang, with the annual budget where the source gives one."""

    __tablename__ = "funding_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    annual_budget: Mapped[Decimal | None] = mapped_column(Money)
    annual_budget_note: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))

    def __repr__(self) -> str:
        return format_repr(self, "code")


class BudgetLine(SourcedMixin, VersionedMixin, db.Model):
    """Money for one action (or initiative) in one period. Without a funding source it is the
    programme's combined budget, which in Figuur 3 already includes ZET and Zorgbelang."""

    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), index=True)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("budget_periods.id"))
    funding_source_id: Mapped[int | None] = mapped_column(ForeignKey("funding_sources.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str | None] = mapped_column(Text)
    # An initiative's line can be tied to the prestatie (and optionally one of its actions) whose
    # money it is, so that its budget and spending roll up into that prestatie's figures.
    deliverable_id: Mapped[int | None] = mapped_column(ForeignKey("deliverables.id"), index=True)
    deliverable_action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))

    action: Mapped[Action | None] = relationship(foreign_keys=[action_id])
    deliverable: Mapped[Deliverable | None] = relationship()
    deliverable_action: Mapped[Action | None] = relationship(foreign_keys=[deliverable_action_id])
    initiative: Mapped["Initiative | None"] = relationship()
    period: Mapped[BudgetYears] = relationship()
    funding_source: Mapped[FundingSource | None] = relationship()
    # The spending reported on the line (progress, a higher layer: named by string, read only). A line
    # with spending, also in a draft update, is never deleted.
    spending_rows: Mapped[list["Spending"]] = relationship("Spending", viewonly=True, lazy="raise")  # noqa: F821

    def __repr__(self) -> str:
        return format_repr(self, "id", "action_id", "amount")

    @property
    def audit_label(self) -> str:
        owner = f"actie {self.action.name}" if self.action else f"initiatief {self.initiative}"
        return f"Begrotingspost {self.period.label} van {owner}"

    @property
    def rolls_up_to(self) -> Deliverable | None:
        """The prestatie whose figures this line counts in: an action's own, or the one an
        initiative's line is tied to."""
        return self.action.deliverable if self.action is not None else self.deliverable


class Allocation(SourcedMixin, db.Model):
    """The part of a prestatie's budget that an implementing organisation provides."""

    __tablename__ = "allocations"
    __table_args__ = (UniqueConstraint("funding_source_id", "deliverable_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    funding_source_id: Mapped[int] = mapped_column(ForeignKey("funding_sources.id"))
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("deliverables.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("budget_periods.id"))
    amount: Mapped[Decimal] = mapped_column(Money)

    funding_source: Mapped[FundingSource] = relationship()
    deliverable: Mapped[Deliverable] = relationship()
    period: Mapped[BudgetYears] = relationship()

    def __repr__(self) -> str:
        return format_repr(self, "funding_source_id", "deliverable_id", "amount")

    @property
    def audit_label(self) -> str:
        return f"Toewijzing {self.funding_source.name} {self.period.label} aan {self.deliverable.name}"


class StatedTotal(SourcedMixin, db.Model):
    """A total as a source document states it. Never used as the total itself: the app
    computes totals from the lines and shows any difference with what the source says."""

    __tablename__ = "stated_totals"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    # What the stated amount is: a total of lines ("stated") or a reserve in a decision ("reserved");
    # it decides the words of the difference (programme.budget.differences).
    kind: Mapped[str] = mapped_column(String(20), default="stated", server_default="stated")
    label: Mapped[str] = mapped_column(String(300))
    deliverable_id: Mapped[int | None] = mapped_column(ForeignKey("deliverables.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("budget_periods.id"))
    amount: Mapped[Decimal] = mapped_column(Money)

    deliverable: Mapped[Deliverable | None] = relationship()
    period: Mapped[BudgetYears] = relationship()

    def __repr__(self) -> str:
        return format_repr(self, "key", "amount")
