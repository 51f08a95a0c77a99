"""Budget writes: budget lines of actions and initiatives, budget columns (BudgetYears) and allocations.

The manager adds and edits the money of an action or an initiative per budget column and funding
source, ties an initiative's line to a prestatie (and action), adds budget columns (2020, 2021, ...)
and sets the ZET/Zorgbelang allocations. A line with spending is never deleted, and its period and
funding source stay as they are (the spending was reported against them)."""
from decimal import Decimal

from sqlalchemy import select

from programme.budget.models import Allocation, BudgetLine, BudgetYears
from programme.budget.queries import years_in_use
from programme.core import audit
from programme.core.extensions import db
from programme.initiatives.models import Initiative
from programme.core.editing import apply_changes, check_version, values_of
from programme.core.operations import RuleError
from programme.plan.models import Action, Deliverable

LINE_FIELDS = ("period_id", "funding_source_id", "amount", "description")
TIE_FIELDS = ("deliverable_id", "deliverable_action_id")
INITIATIVE_LINE_FIELDS = LINE_FIELDS + TIE_FIELDS
ACTION_OF_OTHER_DELIVERABLE = ("Deze actie hoort niet bij de gekozen prestatie. Kies een actie van die prestatie "
                               "of geen actie.")
ACTION_WITHOUT_DELIVERABLE = "Kies eerst de prestatie waar de actie bij hoort."
FIXED_BY_SPENDING = "Op deze begrotingspost is al besteding gemeld; de {what} ligt daarom vast."
HAS_SPENDING = ("Op deze begrotingspost is besteding gemeld. Een post met bestedingen wordt nooit verwijderd; "
                "pas zo nodig het bedrag aan.")


def has_spending(line: BudgetLine) -> bool:
    """Any spending row, also in a draft update: it refers to the line."""
    return bool(db.session.scalar(select(BudgetLine.spending_rows.any()).where(BudgetLine.id == line.id)))


def _clean(data: dict) -> dict:
    return {"period_id": data["period_id"], "funding_source_id": data.get("funding_source_id"),
            "amount": data["amount"], "description": data.get("description") or None}


def _tie(data: dict) -> dict:
    """The prestatie (and action of it) an initiative's line rolls up into; RuleError when the
    action belongs to another prestatie."""
    deliverable_id, action_id = data.get("deliverable_id"), data.get("deliverable_action_id")
    if action_id is not None:
        action = db.session.get(Action, action_id)
        if deliverable_id is None:
            raise RuleError("deliverable_id", ACTION_WITHOUT_DELIVERABLE)
        if action is None or action.deliverable_id != deliverable_id:
            raise RuleError("deliverable_action_id", ACTION_OF_OTHER_DELIVERABLE)
    if deliverable_id is not None and db.session.get(Deliverable, deliverable_id) is None:
        raise RuleError("deliverable_id", "Kies een prestatie uit de lijst.")
    return {"deliverable_id": deliverable_id, "deliverable_action_id": action_id}


def create_line(data: dict, *, action: Action | None = None, initiative: Initiative | None = None) -> BudgetLine:
    """A line belongs to exactly one action or one initiative."""
    if (action is None) == (initiative is None):
        raise ValueError("a budget line belongs to one action or one initiative")
    values = _clean(data)
    if initiative is not None:
        values.update(_tie(data))
    line = BudgetLine(action_id=action.id if action else None, initiative_id=initiative.id if initiative else None,
                      **values)
    db.session.add(line)
    db.session.flush()
    owner = {"action": action.name} if action else {"initiative": str(initiative)}
    audit.record("budget_line.create", line, new={**owner, **values_of(line, list(values))},
                 initiative_id=line.initiative_id)
    return line


def update_line(line: BudgetLine, data: dict, *, expected_version: int) -> bool:
    """EditConflict when the form was loaded from an older version; RuleError when spending
    fixes what the edit would change."""
    check_version(line, expected_version)
    try:
        values = _checked_line(line, data)
    except RuleError as error:
        raise RuleError(error.field, error.message, refused=("budget_line.update", line)) from None
    return apply_changes(line, "budget_line.update", values, initiative_id=line.initiative_id)


def _checked_line(line: BudgetLine, data: dict) -> dict:
    values = _clean(data)
    if line.initiative_id is not None and any(name in data for name in TIE_FIELDS):
        values.update(_tie(data))
    if has_spending(line):
        if values["period_id"] != line.period_id:
            raise RuleError("period_id", FIXED_BY_SPENDING.format(what="periode"))
        if values["funding_source_id"] != line.funding_source_id:
            raise RuleError("funding_source_id", FIXED_BY_SPENDING.format(what="financieringsbron"))
    return values


def remove_line(line: BudgetLine, *, expected_version: int) -> None:
    """Only a line without spending; the audit entry keeps what it was."""
    check_version(line, expected_version)
    if has_spending(line):
        raise RuleError(None, HAS_SPENDING, refused=("budget_line.delete", line))
    names = INITIATIVE_LINE_FIELDS if line.initiative_id is not None else LINE_FIELDS
    audit.record("budget_line.delete", line, old=values_of(line, names), initiative_id=line.initiative_id)
    db.session.delete(line)
    db.session.flush()


# ---------------------------------------------------------------- budget columns (BudgetYears)

PERIOD_IN_USE = ("Deze periode heeft begrotingsposten, toewijzingen of totalen uit de bronnen en wordt daarom "
                 "niet verwijderd.")


def years_code(first_year: int, last_year: int) -> str:
    """'2020', '2020/2021' (two years, as the agenda writes 2018/2019) or '2020-2022'."""
    if first_year == last_year:
        return str(first_year)
    return f"{first_year}{'/' if last_year == first_year + 1 else '-'}{last_year}"


def create_years(first_year: int, last_year: int | None = None) -> BudgetYears:
    """A new budget column, e.g. 2020 after 2018/2019. Its years may not overlap an existing period's."""
    last_year = first_year if last_year is None else last_year
    if last_year < first_year:
        raise RuleError("last_year", "Het laatste jaar kan niet voor het eerste jaar liggen.")
    overlapping = db.session.scalar(select(BudgetYears).where(
        BudgetYears.first_year <= last_year, BudgetYears.last_year >= first_year).order_by(BudgetYears.first_year))
    if overlapping is not None:
        raise RuleError("first_year", f"Deze jaren vallen al (deels) in de begrotingsperiode {overlapping.label}.")
    code = years_code(first_year, last_year)
    period = BudgetYears(code=code, label=code, first_year=first_year, last_year=last_year)
    db.session.add(period)
    db.session.flush()
    audit.record("budget_years.create", period, new={"label": code, "first_year": first_year,
                                                      "last_year": last_year})
    return period


def remove_years(period: BudgetYears) -> None:
    """Only a period nothing refers to (typically one added by mistake)."""
    if years_in_use(period):
        raise RuleError(None, PERIOD_IN_USE, refused=("budget_years.delete", period))
    audit.record("budget_years.delete", period, old={"label": period.label, "first_year": period.first_year,
                                                      "last_year": period.last_year})
    db.session.delete(period)
    db.session.flush()


def set_allocations(period: BudgetYears, amounts: dict[tuple[int, int], Decimal | None]) -> int:
    """What ZET and Zorgbelang allocate to each prestatie in a period: (funding source id,
    deliverable id) -> amount; None or 0 removes the allocation. One audit entry per change;
    returns the number of changes."""
    existing = {(a.funding_source_id, a.deliverable_id): a for a in db.session.scalars(
        select(Allocation).where(Allocation.period_id == period.id))}
    changes = 0
    for (source_id, deliverable_id), amount in amounts.items():
        allocation = existing.get((source_id, deliverable_id))
        amount = amount or None
        if allocation is None and amount is None:
            continue
        if allocation is not None and amount is not None and allocation.amount == amount:
            continue
        changes += 1
        if allocation is None:
            allocation = Allocation(funding_source_id=source_id, deliverable_id=deliverable_id,
                                    period_id=period.id, amount=amount)
            db.session.add(allocation)
            db.session.flush()
            audit.record("allocation.create", allocation, new={"amount": amount})
        elif amount is None:
            audit.record("allocation.delete", allocation, old={"amount": allocation.amount})
            db.session.delete(allocation)
        else:
            audit.record("allocation.update", allocation, old={"amount": allocation.amount},
                         new={"amount": amount})
            allocation.amount = amount
    db.session.flush()
    return changes
