"""What the programme costs, as of a report's peildatum: per prestatie and per funding source the
budget, what approved updates committed and spent up to the end of the period, and what remains;
plus every place where allocations, budgets and stated totals do not reconcile."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from programme.budget import operations as budget_ops
from programme.core.formatting import money
from programme.budget.models import Allocation, BudgetLine, FundingSource
from programme.extensions import db
from programme.progress.followup import counted_updates
from programme.progress.models import ProgressUpdate, ReportingPeriod, Spending
from programme.reports.periods import ReportPeriod

ZERO = Decimal("0.00")
PROVINCE = "province"


@dataclass
class MoneyRow:
    label: str
    budgeted: Decimal | None = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO
    spent_in_period: Decimal = ZERO
    note: str | None = None

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budgeted is None else self.budgeted - self.spent

    @property
    def spent_share(self) -> Decimal | None:
        """Spent as a percentage of the budget."""
        if not self.budgeted:
            return None
        return (self.spent / self.budgeted * 100).quantize(Decimal("0.1"))


@dataclass
class Difference:
    label: str
    stated: Decimal
    computed: Decimal
    source: str

    @property
    def difference(self) -> Decimal:
        return self.stated - self.computed


@dataclass
class Finance:
    deliverables: list[MoneyRow] = field(default_factory=list)
    sources: list[MoneyRow] = field(default_factory=list)
    initiatives: list[MoneyRow] = field(default_factory=list)
    total: MoneyRow = field(default_factory=lambda: MoneyRow("Totaal"))
    differences: list[Difference] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)


def _spending_until(period: ReportPeriod):
    """Approved spending rows in reporting periods that end on or before the peildatum, with the
    line and whether the row falls in the report period itself."""
    rows = db.session.execute(
        select(Spending, ReportingPeriod.starts_on)
        .join(ProgressUpdate, Spending.update_id == ProgressUpdate.id)
        .join(ReportingPeriod, ProgressUpdate.period_id == ReportingPeriod.id)
        .where(Spending.update_id.in_(counted_updates()), ReportingPeriod.ends_on <= period.ends_on)
        .options(joinedload(Spending.budget_line).joinedload(BudgetLine.action)))
    for spending, starts_on in rows:
        yield spending, starts_on >= period.starts_on


def finance(period: ReportPeriod, initiative_names: dict[int, str]) -> Finance:
    table = budget_ops.budget_table()
    result = Finance(periods=[p.label for p in table.periods])
    sources = {s.code: s for s in db.session.scalars(select(FundingSource).order_by(FundingSource.id))}
    allocated: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for allocation in db.session.scalars(select(Allocation).options(joinedload(Allocation.funding_source))):
        allocated[(allocation.deliverable_id, allocation.funding_source.code)] += allocation.amount

    by_deliverable: dict[int, MoneyRow] = {}
    for row in table.rows:
        budget = sum(row.totals.values(), ZERO)
        parts = [f"{sources[code].name} {money(allocated[(row.deliverable.id, code)])}"
                 for code in ("zet", "zorgbelang") if code in sources and allocated[(row.deliverable.id, code)]]
        by_deliverable[row.deliverable.id] = MoneyRow(
            row.deliverable.name, budget, note=("waarvan " + ", ".join(parts)) if parts else None)
    unlinked = MoneyRow("Initiatieven zonder actie", None)

    by_source: dict[str, MoneyRow] = {}
    for code, source in sources.items():
        if code == PROVINCE:
            continue
        by_source[code] = MoneyRow(source.name, sum((v for (d, c), v in allocated.items() if c == code), ZERO),
                                   note="toegewezen aan prestaties")
    total_budget = sum(table.totals.values(), ZERO)
    province_budget = total_budget - sum((row.budgeted for row in by_source.values()), ZERO)
    province = MoneyRow(sources[PROVINCE].name if PROVINCE in sources else "Provincie", province_budget,
                        note="programmabudget min ZET en Zorgbelang")
    not_attributed = MoneyRow("Niet aan een bron toegerekend", None, note="gecombineerd programmabudget")

    per_initiative: dict[int, MoneyRow] = {}
    for line in db.session.scalars(select(BudgetLine).where(BudgetLine.initiative_id.is_not(None))):
        row = per_initiative.setdefault(line.initiative_id, MoneyRow(initiative_names.get(line.initiative_id, "?")))
        row.budgeted += line.amount

    for spending, in_period in _spending_until(period):
        line = spending.budget_line
        targets = []
        if line.action is not None and line.action.deliverable_id in by_deliverable:
            targets.append(by_deliverable[line.action.deliverable_id])
        else:
            targets.append(unlinked)
        code = line.funding_source.code if line.funding_source else None
        targets.append(province if code == PROVINCE else by_source.get(code, not_attributed))
        if line.initiative_id is not None:
            targets.append(per_initiative.setdefault(line.initiative_id,
                                                     MoneyRow(initiative_names.get(line.initiative_id, "?"))))
        for target in targets:
            target.committed += spending.committed
            target.spent += spending.spent
            if in_period:
                target.spent_in_period += spending.spent
        result.total.committed += spending.committed
        result.total.spent += spending.spent
        if in_period:
            result.total.spent_in_period += spending.spent

    result.deliverables = list(by_deliverable.values()) + ([unlinked] if unlinked.spent or unlinked.committed else [])
    result.sources = [province, *by_source.values()] + (
        [not_attributed] if not_attributed.spent or not_attributed.committed else [])
    result.initiatives = sorted(per_initiative.values(), key=lambda r: r.label)
    result.total.budgeted = total_budget
    result.differences = differences(table)
    return result


def differences(table) -> list[Difference]:
    """Where the sources do not reconcile: stated totals against the computed ones, and the ZET
    and Zorgbelang allocations against their annual budgets."""
    out = [Difference(f"{c.label} ({c.period})", c.stated, c.computed, c.source)
           for c in budget_ops.reconciliation(table) if not c.agrees]
    for item in budget_ops.organisation_allocations():
        if item.difference:
            out.append(Difference(f"{item.funding_source.name}: jaarbudget tegenover toegewezen ({item.period.label})",
                                  item.annual_budget * item.period.years, item.allocated,
                                  item.funding_source.source or ""))
    return out
