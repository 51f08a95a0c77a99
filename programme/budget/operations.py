"""Budget arithmetic: totals computed from the lines, and reconciliation with what sources state."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.budget.models import Allocation, BudgetLine, BudgetPeriod, FundingSource, StatedTotal
from programme.extensions import db
from programme.plan.models import Action, Deliverable

ZERO = Decimal("0")


@dataclass
class DeliverableRow:
    deliverable: Deliverable
    actions: list[tuple[Action, dict[str, Decimal]]] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))


@dataclass
class BudgetTable:
    periods: list[BudgetPeriod]
    rows: list[DeliverableRow]
    totals: dict[str, Decimal]


def periods() -> list[BudgetPeriod]:
    return list(db.session.scalars(select(BudgetPeriod).order_by(BudgetPeriod.first_year)))


def budget_table() -> BudgetTable:
    """Figuur 3: per prestatie and action the programme budget per period, totals computed."""
    all_periods = periods()
    lines = db.session.scalars(
        select(BudgetLine).where(BudgetLine.action_id.is_not(None), BudgetLine.initiative_id.is_(None))
    ).all()
    by_action: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    period_code = {p.id: p.code for p in all_periods}
    for line in lines:
        by_action[line.action_id][period_code[line.period_id]] += line.amount
    rows = []
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    deliverables = db.session.scalars(
        select(Deliverable).options(selectinload(Deliverable.actions).selectinload(Action.plannings))
        .order_by(Deliverable.position))
    for deliverable in deliverables:
        row = DeliverableRow(deliverable)
        for action in deliverable.actions:
            amounts = dict(by_action.get(action.id, {}))
            row.actions.append((action, amounts))
            for code, amount in amounts.items():
                row.totals[code] += amount
                totals[code] += amount
        rows.append(row)
    return BudgetTable(all_periods, rows, dict(totals))


@dataclass
class Check:
    label: str
    period: str
    stated: Decimal
    computed: Decimal
    source: str

    @property
    def difference(self) -> Decimal:
        return self.stated - self.computed

    @property
    def agrees(self) -> bool:
        return self.difference == 0


def reconciliation(table: BudgetTable | None = None) -> list[Check]:
    """Every total a source states, beside the total computed from the lines."""
    table = table or budget_table()
    by_deliverable = {row.deliverable.id: row.totals for row in table.rows}
    checks = []
    for stated in db.session.scalars(select(StatedTotal).order_by(StatedTotal.id)):
        code = stated.period.code
        if stated.deliverable_id:
            computed = by_deliverable.get(stated.deliverable_id, {}).get(code, ZERO)
            label = f"{stated.label}: {stated.deliverable.name}"
        else:
            computed = table.totals.get(code, ZERO)
            label = stated.label
        checks.append(Check(label, code, stated.amount, computed, stated.source or ""))
    return checks


@dataclass
class OrganisationAllocation:
    funding_source: FundingSource
    period: BudgetPeriod
    allocations: list[Allocation]

    @property
    def allocated(self) -> Decimal:
        return sum((a.amount for a in self.allocations), ZERO)

    @property
    def annual_budget(self) -> Decimal | None:
        return self.funding_source.annual_budget

    @property
    def difference(self) -> Decimal | None:
        """Allocated minus annual budget: positive = more allocated than budgeted."""
        if self.annual_budget is None:
            return None
        return self.allocated - self.annual_budget * self.period.years


def organisation_allocations() -> list[OrganisationAllocation]:
    """ZET and Zorgbelang: what is allocated to the prestaties against their annual budget."""
    out = []
    sources = db.session.scalars(select(FundingSource).where(FundingSource.annual_budget.is_not(None))
                                 .order_by(FundingSource.id))
    for source in sources:
        allocations = db.session.scalars(select(Allocation).where(Allocation.funding_source_id == source.id)
                                         .order_by(Allocation.period_id, Allocation.deliverable_id)).all()
        by_period = defaultdict(list)
        for allocation in allocations:
            by_period[allocation.period].append(allocation)
        for period, items in sorted(by_period.items(), key=lambda kv: kv[0].first_year):
            out.append(OrganisationAllocation(source, period, items))
    return out


def province_share(table: BudgetTable) -> dict[int, dict[str, Decimal]]:
    """Per prestatie and period: the part left for the province after ZET and Zorgbelang, where
    the source splits it (2017 only)."""
    allocated: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    split_periods = set()
    for allocation in db.session.scalars(select(Allocation)):
        allocated[(allocation.deliverable_id, allocation.period.code)] += allocation.amount
        split_periods.add(allocation.period.code)
    out = {}
    for row in table.rows:
        out[row.deliverable.id] = {code: row.totals.get(code, ZERO) - allocated[(row.deliverable.id, code)]
                                   for code in split_periods}
    return out


def allocations_by_deliverable() -> dict[tuple[int, str, str], Decimal]:
    """(deliverable id, period code, funding source code) -> amount."""
    return {(a.deliverable_id, a.period.code, a.funding_source.code): a.amount
            for a in db.session.scalars(select(Allocation))}
