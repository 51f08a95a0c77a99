"""Audit actions have one naming scheme, `<object_type>.<verb>` in snake case, and the data migration of
issue 9 gives entries stored under the old names the new ones (and back again on a downgrade)."""
import importlib.util
import re
from pathlib import Path

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select

from programme.audit.views import ACTION_LABELS
from programme.core.audit import AuditEntry
from programme.core.db import utcnow

ROOT = Path(__file__).resolve().parent.parent
SCHEME = re.compile(r"[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*")
MIGRATION = next((ROOT / "programme" / "migrations" / "versions").glob("au7d1e9c3b5f_*.py"))


def _migration():
    spec = importlib.util.spec_from_file_location("one_audit_action_scheme", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_labelled_action_follows_the_scheme():
    assert len(ACTION_LABELS) > 60
    assert [name for name in ACTION_LABELS if not SCHEME.fullmatch(name)] == []


def test_every_action_the_code_writes_follows_the_scheme():
    written = set()
    for path in (ROOT / "programme").rglob("*.py"):
        if "versions" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        # audit.record / record_now and a rule's refusal; permissions.refuse takes a kind, not an action
        written |= set(re.findall(r'(?:\brecord|\brecord_now|(?<!permissions\.)\brefuse)\(\s*"([^"]+)"', text))
        written |= set(re.findall(r'action="([^"]+)"', text)) - {"closed", "reopened"}  # a round's own events
    assert len(written) > 40
    assert sorted(name for name in written if not SCHEME.fullmatch(name)) == []
    assert sorted(name for name in written if name not in ACTION_LABELS) == []


def test_the_migration_renames_stored_entries_and_back(db):
    migration = _migration()
    assert all(SCHEME.fullmatch(new) for new in migration.ACTIONS.values())
    conn = db.session.connection()
    table = AuditEntry.__table__
    old = [("report_requested", None), ("login.failed", "User"), ("period.close", "ReportingPeriod"),
           ("budget_period.create", "BudgetPeriod"), ("refused", None), ("initiative.update", "Initiative")]
    ids = [conn.execute(insert(table).values(action=action, object_type=kind, result="ok", created_dt=utcnow()))
           .inserted_primary_key[0] for action, kind in old]

    def stored():
        rows = conn.execute(select(table.c.action, table.c.object_type).where(table.c.id.in_(ids))
                            .order_by(table.c.id))
        return [tuple(row) for row in rows]

    with Operations.context(MigrationContext.configure(conn)):
        migration.upgrade()
        assert stored() == [("report.request", None), ("user.sign_in_fail", "User"),
                            ("progress_round.close", "ProgressRound"), ("budget_years.create", "BudgetYears"),
                            ("request.refuse", None), ("initiative.update", "Initiative")]
        migration.downgrade()
        assert stored() == old
        migration.upgrade()  # as the database is now
