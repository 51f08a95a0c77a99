"""Shared set-up for the progress tests: a small world of its own inside the shared database
(new initiatives, period, indicators and budget lines with unique codes), flushed, never committed."""
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from programme.accounts.models import User
from programme.accounts.operations import find_user
from programme.budget.models import BudgetLine, BudgetPeriod, FundingSource
from programme.impact.models import ImpactIndicator
from programme.initiatives.models import Initiative, LearningQuestion
from programme.progress import operations as ops
from programme.progress.models import ReportingPeriod
from tests.conftest import USERS

# Tables whose rows a refused operation must leave exactly as they were.
WATCHED_TABLES = ("progress_updates", "progress_lessons", "progress_risks", "progress_indicator_values",
                  "progress_spending", "progress_evidence", "reporting_periods", "period_events",
                  "impact_measurements", "audit_entries")


def unique(prefix: str = "T") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@dataclass
class World:
    manager: User
    owner: User
    other_owner: User
    reader: User
    initiative: Initiative  # owned by `owner`
    other: Initiative  # owned by `other_owner`
    period: ReportingPeriod
    question: LearningQuestion
    other_question: LearningQuestion
    indicator: ImpactIndicator
    other_indicator: ImpactIndicator
    line_province: BudgetLine
    line_zet: BudgetLine
    other_line: BudgetLine


def make_initiative(db, owner, name: str) -> Initiative:
    initiative = Initiative(number=f"99.{uuid.uuid4().int % 10**12}", name=name, line="gebiedsgericht")
    initiative.owners.append(owner)
    db.session.add(initiative)
    db.session.flush()
    return initiative


def make_period(db, starts_on=date(2090, 1, 1), ends_on=date(2090, 3, 31)) -> ReportingPeriod:
    code = unique("P")
    return ops.add_period(code, f"Testperiode {code}", starts_on, ends_on)


def make_world(db) -> World:
    users = {role: find_user(USERS[role][0]) for role in USERS}
    initiative = make_initiative(db, users["owner"], "Testinitiatief A")
    other = make_initiative(db, users["other_owner"], "Testinitiatief B")
    question = LearningQuestion(initiative=initiative, question="Wat werkt in de wijk?")
    other_question = LearningQuestion(initiative=other, question="Wat werkt elders?")
    indicator = ImpactIndicator(code=unique("ind-"), name="Deelnemers", initiative_id=initiative.id)
    other_indicator = ImpactIndicator(code=unique("ind-"), name="Elders", initiative_id=other.id)
    db.session.add_all([question, other_question, indicator, other_indicator])
    budget_period = db.session.scalar(select(BudgetPeriod).order_by(BudgetPeriod.first_year))
    zet = db.session.scalar(select(FundingSource).where(FundingSource.code == "zet"))

    def line(owner_initiative, amount, source=None):
        return BudgetLine(initiative_id=owner_initiative.id, period_id=budget_period.id, amount=Decimal(amount),
                          funding_source_id=source.id if source else None, description="test")

    lines = [line(initiative, "10000.00"), line(initiative, "5000.00", zet), line(other, "700.00")]
    db.session.add_all(lines)
    db.session.flush()
    return World(users["manager"], users["owner"], users["other_owner"], users["reader"], initiative, other,
                 make_period(db), question, other_question, indicator, other_indicator, *lines)


def content(world: World, **overrides) -> dict:
    data = {
        "traffic_light": "op_koers", "done": "Drie bijeenkomsten gehouden.", "results": "40 deelnemers.",
        "next_steps": "Evaluatie.",
        "lessons": [{"learning_question": world.question, "text": "Bewoners komen als buren ze vragen."}],
        "risks": [{"description": "Vrijwilligers haken af", "likelihood": "middel", "impact": "hoog",
                   "measure": "Vrijwilligersavond"}],
        "indicator_values": [{"impact_indicator": world.indicator, "value": Decimal("40"),
                              "measured_on": date(2090, 3, 15), "source": "Presentielijst"}],
        "spending": [{"budget_line": world.line_province, "committed": Decimal("2000.00"),
                      "spent": Decimal("1500.00")}],
    }
    data.update(overrides)
    return data


def draft(world: World, period=None, **overrides):
    update = ops.create_draft(world.initiative, period or world.period, world.owner)
    ops.update_draft(update, content(world, **overrides), world.owner)
    return update


def submitted(world: World, period=None, **overrides):
    update = draft(world, period, **overrides)
    return ops.submit(update, world.owner)


def approved(world: World, period=None, **overrides):
    return ops.approve(submitted(world, period, **overrides), world.manager)


def db_state(db) -> dict:
    """Every row of the watched tables, after flushing whatever the session still holds."""
    db.session.flush()
    return {table: db.session.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()  # noqa: S608
            for table in WATCHED_TABLES}


def assert_refused(db, error, fn, *args, match=None, **kwargs):
    """The operation raises `error` and the database is exactly as before."""
    before = db_state(db)
    with pytest.raises(error, match=match) as info:
        fn(*args, **kwargs)
    assert db_state(db) == before
    return info.value
