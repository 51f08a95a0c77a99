"""A restore gives back every row exactly (issue 11, finding 10): a rich database is backed up and
restored into a fresh one, and every table is compared row by row and column by column, for
SQLite -> SQLite, SQLite -> PostgreSQL, PostgreSQL -> SQLite and PostgreSQL -> PostgreSQL.

Two dumps of each table are compared, both ordered by primary key:
- a canonical one, the same on either database: each value with its Python type, timestamps as UTC
  ISO text with microseconds, Decimals as text (so their scale shows), and JSON columns as the JSON
  text the database holds, so SQL NULL (None) and JSON null ('null') differ;
- a raw one, between databases of the same kind: what the database itself prints for each row
  (PostgreSQL: the row as text; SQLite: quote() and typeof() of every column).

The PostgreSQL directions run when a server answers at 127.0.0.1:5432 (or at TEST_DATABASE_URL's
host); the test makes scratch databases with unique names and drops them afterwards."""
import hashlib
import json
import os
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from programme.core import audit
from programme.core.audit import AuditEntry
from programme.core.backup_restore import _insert_table, _parents_first, _self_references
from programme.core.db import UTCDateTime, utcnow
from programme.core.extensions import db as _db
from tests.scratch_apps import fill_with_evidence, migrated_app

EVIDENCE_BYTES = b"%PDF-1.4\n% presentielijst\n" + bytes(range(256)) * 20
REPORT_BYTES = b"%PDF-1.7\n% kwartaalrapportage\n" + bytes(range(255, -1, -1)) * 20
# Long text with what tends to break: non-ASCII, quotes, backslashes, tabs, CR/LF, trailing spaces.
LARGE_TEXT = ("Bewoners van de Reeshof — ‘café’ € 1.234,56 \"quote\" \\backslash\\ \ttab\r\nregel 😀  \n" * 4000)

# The tables when this test was written; _fill gives each of them rows.
FILLED_TABLES = (
    "action_plannings", "actions", "allocations", "areas", "audit_entries", "budget_lines", "budget_periods",
    "crossover_tasks", "deliverables", "funding_sources", "goals", "impact_indicators", "impact_measurements",
    "impact_targets", "implementation_lines", "initiative_areas", "initiative_crossovers", "initiative_owners",
    "initiative_partners", "initiative_themes", "initiatives", "issued_reports", "learning_questions",
    "login_failures", "mdi_rankings", "monitor_editions", "monitor_indicators", "monitor_values", "organisations",
    "period_events", "progress_evidence", "progress_indicator_values", "progress_lessons", "progress_risks",
    "progress_spending", "progress_updates", "report_builds", "report_deliveries", "report_recipients",
    "report_schedules", "reporting_periods", "source_notes", "stated_totals", "themes", "users")


def _admin_url():
    base = os.environ.get("TEST_DATABASE_URL", "")
    if base.startswith("postgresql"):
        return make_url(base).set(database="postgres")
    return make_url("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _postgres_reachable() -> bool:
    url = _admin_url()
    try:
        psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                        dbname="postgres", connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


POSTGRES = _postgres_reachable()
needs_postgres = pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server at 127.0.0.1:5432")


def _admin(sql: str) -> None:
    url = _admin_url()
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(sql)


class Scratch:
    """Databases and instance folders made by this module, dropped at its end."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.token = uuid.uuid4().hex[:10]
        self.apps = []
        self.sources = {}  # kind -> the filled source, its dumps and its archive

    def app(self, kind: str, name: str):
        """A migrated, empty database of this kind with an instance folder of its own."""
        if kind == "sqlite":
            url = f"sqlite:///{self.tmp / f'{name}.db'}"
        else:
            database = f"backup_roundtrip_{self.token}_{name}"
            _admin(f'CREATE DATABASE "{database}"')
            url = _admin_url().set(database=database).render_as_string(hide_password=False)
        instance = self.tmp / f"instance-{name}"
        instance.mkdir()
        app = migrated_app(instance, url)
        self.apps.append(app)
        return app

    def drop(self):
        for app in self.apps:
            with app.app_context():
                _db.session.remove()
                url = _db.engine.url
                _db.engine.dispose()
            if url.get_backend_name() == "postgresql":
                _admin(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def _fill(app) -> None:
    """A row in every table: seeded programme, users (one with a second factor), an approved progress
    update with evidence and its correction revision (edited later, with a large text), a closed and
    reopened period, audit entries with SQL NULL, JSON null and nested JSON, an issued report with its
    PDF, schedule, build, recipient and delivery, and a failed sign-in."""
    from programme.progress import operations as ops
    from programme.reports.archive import reports_dir
    from programme.accounts.models import LoginFailure
    from programme.plan.models import Theme
    from programme.reports.models import Delivery, IssuedReport, ReportBuild, ReportRecipient, ReportSchedule
    from tests.progress_helpers import content

    with app.app_context():
        manager, world, update, _stored_name = fill_with_evidence(EVIDENCE_BYTES)
        ops.approve(ops.submit(update, world.owner), world.manager, comment="Akkoord.")
        correction = ops.correct(update, world.owner)
        _db.session.commit()
        # Edited later: its updated_dt is its own, not its created_dt (nor the restore's time).
        ops.update_draft(correction, content(world, explanation=LARGE_TEXT, indicator_values=[
            {"impact_indicator": world.indicator, "value": Decimal("12.3456"), "measured_on": date(2090, 3, 31),
             "source": "Telling"}]), world.owner)
        audit.record("test.json_null", None, actor=world.manager, old=None, new=None, message="JSON null")
        audit.record("test.nested", None, actor=world.manager,
                     old={"bedrag": Decimal("1234.50"), "naam": "Café ‘De Brug’ €", "leeg": None},
                     new={"lijst": [1, None, True, 2.5, "tekst"], "genest": {"a": {"b": []}}, "": ""})
        schedule = ReportSchedule(name="GS elk kwartaal", kind="gs_kwartaal", days_after_period=15, hour=6,
                                  is_active=False, starts_on=date(2090, 1, 1), created_by_id=manager.id)
        report = IssuedReport(
            kind="gs_kwartaal", scope="gs_kwartaal:2090-K1", version=1, period_code="2090-K1",
            period_label="1e kwartaal 2090", title="Kwartaalrapportage", filename="kwartaal.pdf",
            stored_name="roundtrip-report.pdf", size=len(REPORT_BYTES), sha256="0" * 64, schedule=schedule,
            made_by_id=manager.id, made_by_label=manager.name, parameters={"period": "2090-K1", "a": [1, 2]},
            data_version="test", tables=[{"titel": "Begroting", "rijen": [["€ 1.000,00", None, True]]}])
        _db.session.add_all([
            report,
            ReportBuild(kind="gs_kwartaal", period_code="2090-K1", period_starts_on=date(2090, 1, 1),
                        period_ends_on=date(2090, 3, 31), trigger="schedule", schedule=schedule, status="done",
                        progress=100, attempts=1, started_dt=utcnow(), finished_dt=utcnow(), report=report),
            ReportRecipient(kind="gs_kwartaal", email="gs@test.example", name=None, is_active=False),
            Delivery(report=report, email="gs@test.example", status="failed", attempts=3,
                     last_error="550 mailbox unavailable", next_attempt_dt=utcnow() + timedelta(hours=1)),
            LoginFailure(ip="2001:db8::1"),
        ])
        world.initiative.themes.append(_db.session.scalars(select(Theme)).first())
        (reports_dir() / "roundtrip-report.pdf").write_bytes(REPORT_BYTES)
        ops.close_period(world.period, world.manager)
        ops.reopen_period(world.period, world.manager, "Correctie nodig.")
        _db.session.commit()
        # Written outside the ORM: columns left out are SQL NULL; timestamps on the second boundary,
        # just below it, and given in another offset.
        audit.record_now("test.sql_null", result="ok", message="SQL NULL")
        with _db.engine.begin() as conn:
            for moment in (datetime(2026, 12, 2, 10, 0, 0, 0, UTC), datetime(2026, 12, 2, 10, 0, 0, 999999, UTC),
                           datetime(2026, 6, 30, 23, 59, 59, 1, timezone(timedelta(hours=2)))):
                conn.execute(insert(AuditEntry.__table__).values(created_dt=moment, action="test.moment",
                                                                 result="ok"))


# --- the dumps -----------------------------------------------------------------------------------

def _is_json(column) -> bool:
    return isinstance(getattr(column.type, "impl_instance", column.type), JSON)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _canonical_value(value):
    if isinstance(value, datetime):
        assert value.tzinfo is not None, value
        return ("datetime", value.astimezone(UTC).isoformat(timespec="microseconds"))
    if isinstance(value, (Decimal, date)):
        return (type(value).__name__, str(value))
    return (type(value).__name__, value)


def canonical_dump(app) -> dict[str, list[tuple]]:
    """Every table through the model's types; JSON columns as the text the database holds."""
    with app.app_context(), _db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        result = {}
        for table in _db.metadata.sorted_tables:
            json_columns = [column.name for column in table.columns if _is_json(column)]
            order = ", ".join(_quoted(c.name) for c in table.primary_key.columns)
            # Names from the metadata, not input. SQLite: quote() tells NULL from 'text'.
            as_text = "quote({})" if sqlite else "{}::text"
            json_text = {name: conn.execute(text(
                f"SELECT {as_text.format(_quoted(name))} FROM {_quoted(table.name)} ORDER BY {order}"  # noqa: S608
            )).scalars().all() for name in json_columns}
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings().all()
            dumped = []
            for index, row in enumerate(rows):
                values = []
                for column in table.columns:
                    if column.name in json_text:
                        raw = json_text[column.name][index]
                        if sqlite and raw != "NULL":  # quote(): 'text' with '' for a quote
                            assert raw.startswith("'") and raw.endswith("'"), raw
                            raw = raw[1:-1].replace("''", "'")
                        values.append(("json", None if raw in (None, "NULL") else raw))
                    else:
                        values.append(_canonical_value(row[column.name]))
                dumped.append(tuple(values))
            result[table.name] = dumped
        return result


def raw_dump(app) -> dict[str, list]:
    """What the database itself holds, as it prints it."""
    with app.app_context(), _db.engine.connect() as conn:
        result = {}
        for table in _db.metadata.sorted_tables:
            order = ", ".join(_quoted(c.name) for c in table.primary_key.columns)
            if conn.dialect.name == "sqlite":
                columns = ", ".join(f"quote({_quoted(c.name)}), typeof({_quoted(c.name)})" for c in table.columns)
                sql = f"SELECT {columns} FROM {_quoted(table.name)} ORDER BY {order}"  # noqa: S608
            else:
                sql = f"SELECT t::text FROM {_quoted(table.name)} AS t ORDER BY {order}"  # noqa: S608
            result[table.name] = [tuple(row) for row in conn.execute(text(sql))]
        return result


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    scratch = Scratch(tmp_path_factory.mktemp("roundtrip"))
    yield scratch
    scratch.drop()


@pytest.fixture()
def source(request, scratch):
    """A filled database of the given kind, its dumps taken before the backup, and the archive."""
    kind = request.param
    if kind not in scratch.sources:
        app = scratch.app(kind, f"source_{kind}")
        _fill(app)
        dumps = canonical_dump(app), raw_dump(app)
        archive = scratch.tmp / f"backup-{kind}.tar.gz"
        result = app.test_cli_runner().invoke(args=["backup", "create", "--output", str(archive)])
        assert result.exit_code == 0, result.output
        scratch.sources[kind] = {"kind": kind, "app": app, "canonical": dumps[0], "raw": dumps[1], "archive": archive}
    return scratch.sources[kind]


def _index(table: str, column: str) -> int:
    return [c.name for c in _db.metadata.tables[table].columns].index(column)


@pytest.mark.parametrize(("source", "target_kind"), [
    pytest.param("sqlite", "sqlite", id="sqlite-to-sqlite"),
    pytest.param("sqlite", "postgresql", id="sqlite-to-postgresql", marks=needs_postgres),
    pytest.param("postgresql", "sqlite", id="postgresql-to-sqlite", marks=needs_postgres),
    pytest.param("postgresql", "postgresql", id="postgresql-to-postgresql", marks=needs_postgres),
], indirect=["source"])
def test_restore_gives_back_every_row_exactly(source, target_kind, scratch):
    canonical = source["canonical"]
    # The data set holds what went wrong before: SQL NULL and JSON null side by side, a correction
    # revision edited after it was made, and Decimals with their scale.
    audit_json = [row[_index("audit_entries", "old_values")] for row in canonical["audit_entries"]]
    assert ("json", None) in audit_json and ("json", "null") in audit_json
    updates = canonical["progress_updates"]
    corrections = [row for row in updates if row[_index("progress_updates", "previous_revision_id")][1]]
    assert corrections and all(row[_index("progress_updates", "updated_dt")] !=
                               row[_index("progress_updates", "created_dt")] for row in corrections)
    assert ("Decimal", "12.3456") in {v for row in canonical["progress_indicator_values"] for v in row}
    # Every table this test was written for holds rows (a new table: give it rows in _fill).
    assert not [name for name, rows in canonical.items() if not rows and name in FILLED_TABLES]

    target = scratch.app(target_kind, f"target_{source['kind']}_{target_kind}")
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(source["archive"]), "--yes"])
    assert result.exit_code == 0, result.output

    restored = canonical_dump(target)
    own = restored["audit_entries"].pop()  # the restore's own entry comes last
    assert own[_index("audit_entries", "action")] == ("str", "backup.restore")
    assert list(restored) == list(canonical)
    for table, rows in canonical.items():
        assert len(restored[table]) == len(rows), table
        for before, after in zip(rows, restored[table], strict=True):
            assert after == before, f"{table}: {before[0]}"
    if target_kind == source["kind"]:
        raw = raw_dump(target)
        raw["audit_entries"].pop()
        for table, rows in source["raw"].items():
            assert raw[table] == rows, table
    instance = Path(target.instance_path)
    with target.app_context():
        from programme.progress.update_items import Evidence
        stored = _db.session.scalar(select(Evidence.stored_name))
    assert (instance / "uploads" / stored).read_bytes() == EVIDENCE_BYTES
    assert (instance / "reports" / "roundtrip-report.pdf").read_bytes() == REPORT_BYTES


def _version_1(archive: Path, target: Path) -> Path:
    """The archive as format version 1 wrote it: JSON columns parsed, so SQL NULL and JSON null are
    both null, with the manifest's checksums to match."""
    from tests.test_backup import _rewrite

    json_columns = {table.name: [c.name for c in table.columns if _is_json(c)] for table in _db.metadata.sorted_tables}
    changed = {}

    def change(name, data):
        table = name.removeprefix("database/").removesuffix(".jsonl")
        if name.endswith(".jsonl") and json_columns.get(table):
            rows = [json.loads(line) for line in data.decode().splitlines()]
            for row in rows:
                for column in json_columns[table]:
                    row[column] = None if row[column] is None else json.loads(row[column])
            data = "".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows).encode()
            changed[name] = hashlib.sha256(data).hexdigest()
        return data

    staged = _rewrite(archive, target.with_suffix(".stage.tar.gz"), change)

    def manifest(name, data):
        if name != "manifest.json":
            return data
        content = json.loads(data)
        content["format_version"] = 1
        content["files"].update(changed)
        return json.dumps(content).encode()

    return _rewrite(staged, target, manifest)


@pytest.mark.parametrize("source", ["sqlite"], indirect=True)
def test_an_archive_of_format_version_1_still_restores(source, scratch):
    """Old archives cannot tell SQL NULL from JSON null: they restore as before (JSON null), and
    every other value exactly."""
    archive = _version_1(source["archive"], scratch.tmp / "version-1.tar.gz")
    target = scratch.app("sqlite", "target_version_1")
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    restored = canonical_dump(target)
    restored["audit_entries"].pop()
    expected = dict(source["canonical"])
    expected["audit_entries"] = [tuple(("json", "null") if value == ("json", None) else value for value in row)
                                 for row in expected["audit_entries"]]
    assert expected["audit_entries"] != source["canonical"]["audit_entries"]
    assert restored == expected


# --- inserting a table that refers to itself -----------------------------------------------------

def _chain_table():
    metadata = MetaData()
    return Table("chain", metadata, Column("id", Integer, primary_key=True),
                 Column("previous_id", ForeignKey("chain.id")),
                 Column("updated_dt", UTCDateTime, default=utcnow, onupdate=utcnow),
                 Column("data", JSON))


def test_parents_come_first_and_a_cycle_is_found():
    rows = [{"id": 3, "previous_id": 2}, {"id": 1, "previous_id": None}, {"id": 2, "previous_id": 1},
            {"id": 4, "previous_id": 4}]
    ordered, cyclic = _parents_first(rows, _self_references(_chain_table()))
    assert [row["id"] for row in ordered] == [1, 2, 3, 4] and cyclic == set()
    ordered, cyclic = _parents_first([{"id": 1, "previous_id": 2}, {"id": 2, "previous_id": 1}],
                                     _self_references(_chain_table()))
    assert [row["id"] for row in ordered] == [2, 1] and cyclic == {0}


def test_inserting_rows_keeps_every_value_also_in_a_cycle(tmp_path):
    """Out of order, in a cycle, with SQL NULL and JSON null: no onupdate or default fires."""
    table = _chain_table()
    moment = datetime(2026, 1, 2, 3, 4, 5, 6, UTC)
    rows = [{"id": 1, "previous_id": 3, "updated_dt": moment.isoformat(), "data": None},
            {"id": 2, "previous_id": None, "updated_dt": moment.isoformat(), "data": "null"},
            {"id": 3, "previous_id": 1, "updated_dt": moment.isoformat(), "data": '{"a": [1, null]}'},
            {"id": 5, "previous_id": 6, "updated_dt": moment.isoformat(), "data": "[]"},
            {"id": 6, "previous_id": 2, "updated_dt": None, "data": "{}"}]
    path = tmp_path / "chain.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    engine = create_engine(f"sqlite:///{tmp_path / 'chain.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        table.create(conn)
        _insert_table(conn, table, path, 2)
        stored = conn.exec_driver_sql("SELECT id, previous_id, updated_dt, quote(data) FROM chain ORDER BY id").all()
    engine.dispose()
    stamp = "2026-01-02 03:04:05.000006"
    assert stored == [(1, 3, stamp, "NULL"), (2, None, stamp, "'null'"), (3, 1, stamp, """'{"a": [1, null]}'"""),
                      (5, 6, stamp, "'[]'"), (6, 2, None, "'{}'")]
