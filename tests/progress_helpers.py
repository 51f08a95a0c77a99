"""Shared set-up for the progress tests: a small world of its own inside the shared database
(new initiatives, period, indicators and budget lines with unique codes), flushed; and for the tests
over HTTP the same world committed, with fixtures and helpers to drive the pages. Every test runs in a
transaction that is rolled back (tests/isolation.py), so nothing needs removing afterwards.

The HTTP test modules import helpers from here and load the fixtures with pytest_plugins, which pytest
handles only after the import; PYTEST_DONT_REWRITE keeps it from warning that it can no longer rewrite
the asserts here (plain asserts, as they always were for this module)."""
import io
import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from programme.accounts.models import User
from programme.accounts.operations import find_user
from programme.budget.models import BudgetLine, BudgetYears, FundingSource
from programme.core.audit import AuditEntry
from programme.core.audit_labels import title_of
from programme.core.extensions import db as _db
from programme.impact.models import ImpactIndicator
from programme.initiatives.models import Initiative, LearningQuestion
from programme.progress import operations as ops
from programme.progress.models import ProgressRound, ProgressUpdate
from tests.conftest import USERS, csrf_token, login

# Tables whose rows a refused operation must leave exactly as they were.
WATCHED_TABLES = ("progress_updates", "progress_lessons", "progress_risks", "progress_indicator_values",
                  "progress_spending", "progress_evidence", "progress_observations", "reporting_periods",
                  "period_events", "impact_measurements", "audit_entries")


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
    period: ProgressRound
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


def make_period(db, starts_on=date(2090, 1, 1), ends_on=date(2090, 3, 31)) -> ProgressRound:
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
    budget_period = db.session.scalar(select(BudgetYears).order_by(BudgetYears.first_year))
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


# ---------------------------------------------------------------- committed worlds for the HTTP tests
# Requests run in app contexts (and database sessions) of their own, so these worlds are committed (in
# the test's own transaction, see tests/isolation.py). Test modules load the fixtures with
# `pytest_plugins = ["tests.progress_helpers"]`.

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
# Within the plausible horizon (2016-2035); the period tests add its quarters (and periods coded VT...).
TEST_YEAR = 2034


@dataclass
class Ids:
    initiative: int
    other: int
    period: int
    question: int
    other_question: int
    indicator: int
    other_indicator: int
    line_province: int
    line_zet: int
    other_line: int


@pytest.fixture()
def ids(app):
    """A committed world (see make_world), by id: committed inside the test's transaction, which is
    rolled back afterwards."""
    with app.app_context():
        w = make_world(_db)
        result = Ids(w.initiative.id, w.other.id, w.period.id, w.question.id, w.other_question.id, w.indicator.id,
                     w.other_indicator.id, w.line_province.id, w.line_zet.id, w.other_line.id)
        _db.session.commit()
    return result


@pytest.fixture()
def ctx(app):
    """Run fn(users) against the database in an app context of its own, committed."""
    def _run(fn):
        with app.app_context():
            users = {role: find_user(USERS[role][0]) for role in USERS}
            result = fn(users)
            _db.session.commit()
            return result
    return _run


def client_for(app, role):
    client = app.test_client()
    assert login(client, role).status_code == 302
    return client


def state(app) -> dict:
    """Every row of the progress tables (not the audit trail: refusals are audited)."""
    with app.app_context():
        return {t: _db.session.execute(text(f"SELECT * FROM {t} ORDER BY id")).all()  # noqa: S608
                for t in WATCHED_TABLES if t != "audit_entries"}


def uploads(app) -> set[str]:
    folder = Path(app.instance_path) / "uploads"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def upload(client, update_id: int, name: str, content: bytes = PDF, token: str | None = None, **kwargs):
    """The update's evidence form posted with one file called `name`. The CSRF token is read from the
    update's edit page unless `token` is given (for clients that may not open that page)."""
    if token is None:
        token = csrf_token(client.get(f"/voortgang/{update_id}/bewerken"))
    return client.post(f"/voortgang/{update_id}/bewijs", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(content), name)}, **kwargs)


def world_of(ids: Ids):
    """Enough of the world for content()."""
    class W:
        period = _db.session.get(ProgressRound, ids.period)
        question = _db.session.get(LearningQuestion, ids.question)
        indicator = _db.session.get(ImpactIndicator, ids.indicator)
        line_province = _db.session.get(BudgetLine, ids.line_province)
    return W


def new_draft(ctx, ids: Ids, role="owner", initiative=None, **overrides) -> int:
    """A committed draft (with content() when it is the owner's initiative); its id."""
    def _make(users):
        world = world_of(ids)
        author = users[role]
        target = _db.session.get(Initiative, initiative or ids.initiative)
        upd = ops.create_draft(target, world.period, author)
        if target.id == ids.initiative:
            ops.update_draft(upd, content(world, **overrides), author)
        return upd.id
    return ctx(_make)


def edit_data(client, update_id, ids: Ids, **overrides) -> dict:
    """What the edit form posts: the page's CSRF token and version, and a full set of values."""
    page = client.get(f"/voortgang/{update_id}/bewerken")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', html) or re.search(
        r'value="(\d+)"[^>]*name="version"', html)
    data = {
        "csrf_token": csrf_token(page), "version": version.group(1),
        "traffic_light": "aandacht", "explanation": "Minder vrijwilligers dan gedacht.",
        "done": "Twee bijeenkomsten.", "results": "25 deelnemers.", "next_steps": "Werving.",
        "lessons-0-learning_question": str(ids.question), "lessons-0-text": "Persoonlijk uitnodigen werkt.",
        "risks-0-description": "Zaal niet beschikbaar", "risks-0-likelihood": "laag", "risks-0-impact": "middel",
        "risks-0-measure": "Tweede locatie",
        "indicator_values-0-indicator_id": str(ids.indicator), "indicator_values-0-value": "12,5",
        "indicator_values-0-measured_on": "2026-11-20", "indicator_values-0-source": "Telling",
        "spending-0-budget_line_id": str(ids.line_province), "spending-0-committed": "1.234,56",
        "spending-0-spent": "1000",
        "spending-1-budget_line_id": str(ids.line_zet), "spending-1-committed": "", "spending-1-spent": "",
    }
    data.update(overrides)
    return data


def post_form(client, url, page_url, **data):
    """POST to url with the CSRF token of the page at page_url."""
    page = client.get(page_url)
    return client.post(url, data={"csrf_token": csrf_token(page), **data})


# The audit trail of the review scenario (write, evidence, submit, return, correct, resubmit, approve):
# (action, role of the actor, status before, status after) for each step, in order.
SCENARIO_AUDIT = [
    ("progress_update.create", "owner", None, "draft"),
    ("progress_update.update", "owner", None, None),
    ("progress_update.add_evidence", "owner", None, None),
    ("progress_update.submit", "owner", "draft", "submitted"),
    ("progress_update.return", "manager", "submitted", "returned"),
    ("progress_update.update", "owner", None, None),
    ("progress_update.submit", "owner", "returned", "submitted"),
    ("progress_update.approve", "manager", "submitted", "approved"),
]


def last_audit_id() -> int:
    return _db.session.scalar(select(func.max(AuditEntry.id))) or 0


def audit_steps(update_id: int, after_id: int) -> list[tuple]:
    """The update's audit entries after entry after_id as SCENARIO_AUDIT tuples with the actor as a
    role, oldest first.
    Each entry must be complete: result ok, actor id and label, origin (IP), initiative and time."""
    entries = _db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "ProgressUpdate", AuditEntry.object_id == update_id, AuditEntry.id > after_id)
        .order_by(AuditEntry.created_dt, AuditEntry.id)).all()
    assert [e.id for e in entries] == sorted(e.id for e in entries), "time order and insert order differ"
    roles = {find_user(email).id: role for role, (email, *_rest) in USERS.items()}
    upd = _db.session.get(ProgressUpdate, update_id)
    steps = []
    for e in entries:
        role = roles.get(e.actor_id)
        assert role and e.actor_label == USERS[role][0], e
        assert e.result == "ok" and e.ip and e.created_dt is not None, e
        assert e.initiative_id == upd.initiative_id and e.object_label == title_of(upd), e
        steps.append((e.action, role, (e.old_values or {}).get("status"), (e.new_values or {}).get("status")))
    return steps
