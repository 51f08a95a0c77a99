"""Budget line rules: the manager adds and edits the money of an action or an initiative per
period and funding source. A line with spending is never deleted, and its period and funding
source stay as they are (the spending was reported against them)."""
from sqlalchemy import select

from programme.budget.models import BudgetLine
from programme.core import audit
from programme.extensions import db
from programme.initiatives.models import Initiative
from programme.plan.editing import RuleError, apply_changes, check_version, values_of
from programme.plan.models import Action
from programme.progress.models import Spending

LINE_FIELDS = ("period_id", "funding_source_id", "amount", "description")
FIXED_BY_SPENDING = "Op deze begrotingspost is al besteding gemeld; de {what} ligt daarom vast."
HAS_SPENDING = ("Op deze begrotingspost is besteding gemeld. Een post met bestedingen wordt nooit verwijderd; "
                "pas zo nodig het bedrag aan.")


def has_spending(line: BudgetLine) -> bool:
    """Any spending row, also in a draft update: it refers to the line."""
    return db.session.scalar(select(Spending.id).where(Spending.budget_line_id == line.id).limit(1)) is not None


def _clean(data: dict) -> dict:
    return {"period_id": data["period_id"], "funding_source_id": data.get("funding_source_id"),
            "amount": data["amount"], "description": data.get("description") or None}


def create_line(data: dict, *, action: Action | None = None, initiative: Initiative | None = None) -> BudgetLine:
    """A line belongs to exactly one action or one initiative."""
    if (action is None) == (initiative is None):
        raise ValueError("a budget line belongs to one action or one initiative")
    values = _clean(data)
    line = BudgetLine(action_id=action.id if action else None, initiative_id=initiative.id if initiative else None,
                      **values)
    db.session.add(line)
    db.session.flush()
    owner = {"action": action.name} if action else {"initiative": str(initiative)}
    audit.record("budget_line.create", line, new={**owner, **values_of(line, LINE_FIELDS)},
                 initiative_id=line.initiative_id)
    return line


def update_line(line: BudgetLine, data: dict, *, expected_version: int) -> bool:
    """EditConflict when the form was loaded from an older version; RuleError when spending
    fixes what the edit would change."""
    check_version(line, expected_version)
    values = _clean(data)
    if has_spending(line):
        if values["period_id"] != line.period_id:
            raise RuleError("period_id", FIXED_BY_SPENDING.format(what="periode"))
        if values["funding_source_id"] != line.funding_source_id:
            raise RuleError("funding_source_id", FIXED_BY_SPENDING.format(what="financieringsbron"))
    return apply_changes(line, "budget_line.update", values, initiative_id=line.initiative_id)


def remove_line(line: BudgetLine, *, expected_version: int) -> None:
    """Only a line without spending; the audit entry keeps what it was."""
    check_version(line, expected_version)
    if has_spending(line):
        raise RuleError("", HAS_SPENDING)
    audit.record("budget_line.delete", line, old=values_of(line, LINE_FIELDS), initiative_id=line.initiative_id)
    db.session.delete(line)
    db.session.flush()
