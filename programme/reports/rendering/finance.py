"""What the programme costs as of a report's peildatum: budget lines, commitments, spending, what remains.

What the programme costs, as of a report's peildatum: the initiatives' budget lines per prestatie,
funding source, budget period and initiative, what approved updates committed and spent on them up
to the end of the period, and what remains; plus every place where allocations, budgets and stated
totals do not reconcile (defined once in programme.budget.differences)."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from programme.budget import queries as budget_queries
from programme.budget.differences import Difference
from programme.budget.models import Allocation, BudgetLine
from programme.core.formatting import money
from programme.core.extensions import db
from programme.progress.models import ProgressRound, ProgressUpdate
from programme.progress.queries import counted_updates
from programme.progress.update_items import Spending
from programme.reports.spans import ReportSpan

ZERO = Decimal("0.00")


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
class Finance:
    deliverables: list[MoneyRow] = field(default_factory=list)
    sources: list[MoneyRow] = field(default_factory=list)
    initiatives: list[MoneyRow] = field(default_factory=list)
    budget_periods: list[MoneyRow] = field(default_factory=list)
    total: MoneyRow = field(default_factory=lambda: MoneyRow("Totaal begrotingsposten van initiatieven"))
    differences: list[Difference] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    programme_budget: Decimal = ZERO  # Figuur 3, for context only

    @property
    def periods_label(self) -> str:
        """'2017, 2018/2019 en 2020'."""
        return " en ".join(filter(None, [", ".join(self.periods[:-1]), *self.periods[-1:]]))


def _spending_until(period: ReportSpan):
    """Approved spending rows in reporting periods that end on or before the peildatum, with the
    line and whether the row falls in the report period itself."""
    rows = db.session.execute(
        select(Spending, ProgressRound.starts_on)
        .join(ProgressUpdate, Spending.update_id == ProgressUpdate.id)
        .join(ProgressRound, ProgressUpdate.period_id == ProgressRound.id)
        .where(Spending.update_id.in_(counted_updates()), ProgressRound.ends_on <= period.ends_on)
        .options(joinedload(Spending.budget_line).joinedload(BudgetLine.action)))
    for spending, starts_on in rows:
        yield spending, starts_on >= period.starts_on


def finance(period: ReportSpan, initiative_names: dict[int, str]) -> Finance:
    """Spending is reported on initiatives' budget lines, so it is compared with those lines only:
    per prestatie the lines tied to it, per funding source, per budget period and per initiative.
    The programme budget of Figuur 3 is context, never the denominator of initiatives' spending."""
    table = budget_queries.budget_table()
    result = Finance(periods=[p.label for p in table.periods],
                     programme_budget=sum(table.totals.values(), ZERO))
    lines = budget_queries.initiative_lines()
    allocated: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for allocation in db.session.scalars(select(Allocation).options(joinedload(Allocation.funding_source))):
        allocated[(allocation.deliverable_id, allocation.funding_source.name)] += allocation.amount

    by_deliverable: dict[int | None, MoneyRow] = {}
    for row in table.rows:
        budget = sum(row.totals.values(), ZERO)
        parts = [f"{name} {money(amount)}" for (d, name), amount in allocated.items() if d == row.deliverable.id]
        by_deliverable[row.deliverable.id] = MoneyRow(
            row.deliverable.name, note=f"programmabudget {money(budget)}" + (
                f", waarvan {', '.join(parts)}" if parts else ""))
    by_deliverable[None] = MoneyRow("Niet aan een prestatie gekoppeld")
    by_source: dict[int | None, MoneyRow] = {}
    by_period = {p.id: MoneyRow(p.label) for p in table.periods}
    per_initiative: dict[int, MoneyRow] = {}
    by_line: dict[int, list[MoneyRow]] = {}
    for line in lines:
        source = by_source.setdefault(line.funding_source_id, MoneyRow(
            line.funding_source.name if line.funding_source else "Programmabudget (niet naar bron gesplitst)"))
        initiative = per_initiative.setdefault(
            line.initiative_id, MoneyRow(initiative_names.get(line.initiative_id) or str(line.initiative)))
        targets = [by_deliverable.get(line.deliverable_id, by_deliverable[None]), source,
                   by_period[line.period_id], initiative, result.total]
        for target in targets:
            target.budgeted += line.amount
        by_line[line.id] = targets

    for spending, in_period in _spending_until(period):
        for target in by_line.get(spending.budget_line_id, []):
            target.committed += spending.committed
            target.spent += spending.spent
            if in_period:
                target.spent_in_period += spending.spent

    unlinked = by_deliverable.pop(None)
    result.deliverables = list(by_deliverable.values()) + ([unlinked] if unlinked.budgeted else [])
    result.sources = sorted(by_source.values(), key=lambda r: r.label)
    result.budget_periods = [row for row in by_period.values() if row.budgeted]
    result.initiatives = sorted(per_initiative.values(), key=lambda r: r.label)
    result.differences = budget_queries.differences(table)
    return result
