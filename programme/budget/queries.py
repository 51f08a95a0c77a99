"""Budget arithmetic: totals computed from the lines, and reconciliation with what sources state."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.budget.differences import ALLOCATED, ASSIGNED, RESERVED, STATED, Difference
from programme.budget.models import Allocation, BudgetLine, BudgetYears, FundingSource, StatedTotal
from programme.core.extensions import db
from programme.plan.models import Action, Deliverable

ZERO = Decimal("0")


@dataclass
class DeliverableRow:
    deliverable: Deliverable
    actions: list[tuple[Action, dict[str, Decimal]]] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))


@dataclass
class BudgetTable:
    periods: list[BudgetYears]
    rows: list[DeliverableRow]
    totals: dict[str, Decimal]


def periods() -> list[BudgetYears]:
    return list(db.session.scalars(select(BudgetYears).order_by(BudgetYears.first_year)))


def years_in_use(period: BudgetYears) -> bool:
    """Does any budget line, allocation or stated total refer to this budget column?"""
    return any(db.session.scalar(select(model.id).where(model.period_id == period.id).limit(1)) is not None
               for model in (BudgetLine, Allocation, StatedTotal))


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


def reconciliation(table: BudgetTable | None = None) -> list[Difference]:
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
        kind = RESERVED if stated.kind == RESERVED else STATED
        checks.append(Difference(kind, label, stated.period.label, stated.amount, computed, stated.source or ""))
    return checks


@dataclass
class OrganisationAllocation:
    """What ZET or Zorgbelang allocated to the prestaties in one budget period, against its annual
    budget times the years of the period. Without allocations the period is not yet divided."""
    funding_source: FundingSource
    period: BudgetYears
    allocations: list[Allocation]

    @property
    def allocated(self) -> Decimal:
        return sum((a.amount for a in self.allocations), ZERO)

    @property
    def annual_budget(self) -> Decimal | None:
        return self.funding_source.annual_budget

    @property
    def budgeted(self) -> Decimal | None:
        """The annual budget for every year of the period."""
        return None if self.annual_budget is None else self.annual_budget * self.period.years

    @property
    def comparison(self) -> Difference | None:
        if self.budgeted is None or not self.allocations:
            return None
        return Difference(ALLOCATED, self.funding_source.name, self.period.label, self.allocated, self.budgeted,
                          self.funding_source.source or "")

    @property
    def difference(self) -> Decimal | None:
        """Allocated minus budgeted: positive = more allocated than budgeted."""
        return None if self.comparison is None else self.comparison.value


def organisation_allocations() -> list[OrganisationAllocation]:
    """ZET and Zorgbelang per budget period: what is allocated to the prestaties against their
    annual budget. Every period is listed, also one that is not yet divided over the prestaties."""
    all_periods = periods()
    out = []
    sources = db.session.scalars(select(FundingSource).where(FundingSource.annual_budget.is_not(None))
                                 .order_by(FundingSource.id))
    for source in sources:
        allocations = db.session.scalars(select(Allocation).where(Allocation.funding_source_id == source.id)
                                         .order_by(Allocation.deliverable_id)).all()
        for period in all_periods:
            out.append(OrganisationAllocation(source, period, [a for a in allocations if a.period_id == period.id]))
    return out


def differences(table: BudgetTable | None = None) -> list[Difference]:
    """Every difference that needs attention: stated totals that do not match the computed ones,
    ZET and Zorgbelang allocations that differ from their budget, and prestaties whose initiatives
    together have more budget than the prestatie itself."""
    table = table or budget_table()
    out = list(reconciliation(table))
    out += [item.comparison for item in organisation_allocations()]
    out += [cell.comparison for row in deliverable_rollup(table).rows for cell in row.cells.values()]
    return [d for d in out if d is not None and d.needs_attention]


@dataclass
class RollupCell:
    """One prestatie in one period: its own budget (Figuur 3; None for lines tied to no prestatie),
    what initiatives' lines tied to it hold, and what approved updates committed and spent on them."""
    budgeted: Decimal | None
    period: BudgetYears
    subject: str
    assigned: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def comparison(self) -> Difference | None:
        if self.budgeted is None:
            return None
        return Difference(ASSIGNED, self.subject, self.period.label, self.assigned, self.budgeted)

    @property
    def remaining(self) -> Decimal:
        """Of the initiatives' lines: assigned minus spent (like with like)."""
        return self.assigned - self.spent


@dataclass
class DeliverableRollup:
    deliverable: Deliverable | None  # None: initiatives' lines tied to no prestatie
    cells: dict[str, RollupCell] = field(default_factory=dict)  # period code -> cell

    @property
    def label(self) -> str:
        return self.deliverable.name if self.deliverable else "Niet aan een prestatie gekoppeld"


@dataclass
class Rollup:
    periods: list[BudgetYears]
    rows: list[DeliverableRollup]
    totals: dict[str, RollupCell]


def lines_of_initiative(initiative) -> list[BudgetLine]:
    return list(db.session.scalars(select(BudgetLine).where(BudgetLine.initiative_id == initiative.id)
                                   .order_by(BudgetLine.period_id, BudgetLine.id)))


def initiative_lines() -> list[BudgetLine]:
    return list(db.session.scalars(
        select(BudgetLine).where(BudgetLine.initiative_id.is_not(None))
        .options(selectinload(BudgetLine.period), selectinload(BudgetLine.funding_source),
                 selectinload(BudgetLine.deliverable), selectinload(BudgetLine.deliverable_action))
        .order_by(BudgetLine.initiative_id, BudgetLine.period_id, BudgetLine.id)))


def deliverable_rollup(table: BudgetTable | None = None,
                       amounts: dict[int, tuple[Decimal, Decimal]] | None = None) -> Rollup:
    """Initiatives' budget lines rolled up per period into the prestatie they are tied to, beside
    the prestatie's own budget in that period: like compared with like. `amounts` gives per line
    id what approved updates committed and spent on it."""
    table = table or budget_table()
    amounts = amounts or {}
    rows = {row.deliverable.id: DeliverableRollup(row.deliverable, {
        p.code: RollupCell(row.totals.get(p.code, ZERO), p, row.deliverable.name) for p in table.periods})
        for row in table.rows}
    untied = DeliverableRollup(None, {p.code: RollupCell(None, p, "") for p in table.periods})
    totals = {p.code: RollupCell(table.totals.get(p.code, ZERO), p, "Programma") for p in table.periods}
    for line in initiative_lines():
        committed, spent = amounts.get(line.id, (ZERO, ZERO))
        row = rows.get(line.deliverable_id, untied)
        for cell in (row.cells[line.period.code], totals[line.period.code]):
            cell.assigned += line.amount
            cell.committed += committed
            cell.spent += spent
    shown = list(rows.values())
    if any(cell.assigned for cell in untied.cells.values()):
        shown.append(untied)
    return Rollup(table.periods, shown, totals)


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
