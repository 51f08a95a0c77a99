"""Builds and reads back the actions, initiatives and budget lines for the action and budget-line edit tests.

Each helper opens its own app context and commits, so that a test can set up through the operations and
then check what the manager's screens did by reading the rows afresh.
"""
import itertools
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from programme.accounts.operations import find_user
from programme.budget import operations as line_ops
from programme.budget import queries as budget_queries
from programme.budget.models import BudgetLine, BudgetYears
from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from programme.plan import operations as action_ops
from programme.plan.models import Action, Deliverable
from programme.progress.models import ProgressRound, ProgressUpdate
from programme.progress.update_items import Spending

SEEDED_TOTALS = {"2017": Decimal("5600000"), "2018/2019": Decimal("11200000")}
_numbers = itertools.count(1)


def deliverable_id_of(app, code="leren") -> int:
    with app.app_context():
        return _db.session.scalar(select(Deliverable.id).where(Deliverable.code == code))


def budget_period_id(app, code="2017") -> int:
    with app.app_context():
        return _db.session.scalar(select(BudgetYears.id).where(BudgetYears.code == code))


def new_action(app, code="leren") -> int:
    with app.app_context():
        deliverable = _db.session.get(Deliverable, deliverable_id_of(app, code))
        action = action_ops.create_action(deliverable, {"name": f"Proefactie {uuid.uuid4().hex[:8]}",
                                                        "statement": "Iets proberen."})
        action_ops.add_planning(action, {"period_label": "2017", "text": "Opstarten"})
        _db.session.commit()
        return action.id


def new_initiative(app) -> int:
    with app.app_context():
        item = Initiative(number=f"98.{next(_numbers)}.{uuid.uuid4().int % 1000}", name="Proefinitiatief begroting",
                          line="crossover", status="active")
        _db.session.add(item)
        _db.session.commit()
        return item.id


def new_line(app, *, action_id=None, initiative_id=None, amount="1000.00") -> int:
    with app.app_context():
        line = line_ops.create_line(
            {"period_id": budget_period_id(app), "funding_source_id": None, "amount": Decimal(amount)},
            action=_db.session.get(Action, action_id) if action_id else None,
            initiative=_db.session.get(Initiative, initiative_id) if initiative_id else None)
        _db.session.commit()
        return line.id


def add_spending(app, line_id, initiative_id) -> None:
    """A draft progress update of the initiative reporting spending on the line."""
    with app.app_context():
        code = f"T{uuid.uuid4().hex[:8]}"
        period = ProgressRound(code=code, label=f"Testperiode {code}", starts_on=date(2091, 1, 1),
                                 ends_on=date(2091, 3, 31))
        _db.session.add(period)
        _db.session.flush()
        update_ = ProgressUpdate(initiative_id=initiative_id, period_id=period.id,
                                 author_id=find_user("manager@test.example").id)
        update_.spending.append(Spending(budget_line_id=line_id, committed=Decimal("100"), spent=Decimal("50")))
        _db.session.add(update_)
        _db.session.commit()


def action_state(app, action_id):
    with app.app_context():
        _db.session.expire_all()
        item = _db.session.get(Action, action_id)
        return (item.name, item.statement, item.position, item.is_archived, item.version,
                [(p.id, p.period_label, p.text, p.version) for p in item.plannings])


def line_state(app, line_id):
    with app.app_context():
        _db.session.expire_all()
        item = _db.session.get(BudgetLine, line_id)
        if item is None:
            return None
        return (item.period_id, item.funding_source_id, item.amount, item.description, item.version)


def row_count(app, model) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(model))


def budget_totals(app):
    with app.app_context():
        table = budget_queries.budget_table()
        checks = budget_queries.reconciliation(table)
        return table.totals, {(c.subject, c.period): c.value for c in checks if c.subject.startswith("TOTAAL")}

