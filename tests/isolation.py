"""Tests that stand alone: each test runs inside a transaction that is rolled back afterwards (as
Indico's `db` fixture does), and the few tests that need real commits get the seeded database back.

Rolled back (the default). One connection holds an outer transaction; Flask-SQLAlchemy's `db.session`
becomes a scoped session bound to that connection with join_transaction_mode="create_savepoint", so
the app's own commit and rollback act on savepoints, and every request of the test client shares the
connection and sees what the test wrote. A module's own module-scoped fixtures (reports rendered once
per module) run inside a module-wide transaction; each test of the module then runs in a savepoint.

Work the app does outside the request's transaction (`programme.core.independent.independently`:
refusal audits, failed sign-ins, rate-limit counters) is done on the same connection, in a savepoint
of its own; when the request's transaction then rolls back over it, it is done again, so that it
stands as it would in production.

Committed (`@pytest.mark.committed`, the browser tests, and tests that use real HTTP workers or a
live server: other threads, processes and connections must see the data). Nothing is redirected;
afterwards every table gets back exactly the rows it had after seeding."""
from contextlib import suppress

from flask import current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, select, text

from programme.core.db_events import register_sqlite_pragmas
from programme.core.independent import RUNNER_KEY
from programme.core.extensions import db as _db

COMMITTED_FIXTURES = {"workers", "live_server", "limited_workers"}


def needs_commits(item) -> bool:
    return (item.get_closest_marker("committed") is not None or item.get_closest_marker("browser") is not None
            or bool(COMMITTED_FIXTURES & set(getattr(item, "fixturenames", ()))))


class BoundSession(FlaskSession):
    """A Flask-SQLAlchemy session that uses the test's connection in the test's app (Flask-SQLAlchemy's
    own get_bind always picks the app's engine); other apps (a backup's, a second web worker's) keep
    their own engines."""

    test_app = None

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None and current_app._get_current_object() is self.test_app:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def savepoint_engine(url: str) -> Engine:
    """An engine for the test connection. pysqlite (Python 3.11) begins transactions itself, late, and
    so breaks SAVEPOINT: let SQLAlchemy emit BEGIN (the documented workaround, see "Serializable
    isolation / Savepoints / Transactional DDL" in SQLAlchemy's SQLite dialect docs), with the app's
    own pragmas (foreign keys, WAL, busy timeout)."""
    engine = create_engine(url)
    register_sqlite_pragmas(engine)

    @event.listens_for(engine, "connect")
    def _no_pysqlite_begin(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    return engine


class RolledBack:
    """One connection with an outer transaction that is rolled back, with db.session bound to it."""

    def __init__(self, app, engine: Engine):
        self.app = app
        self.conn: Connection = engine.connect()
        self.outer = self.conn.begin()
        self.original = _db.session
        with app.app_context():
            session_class = type("BoundSession", (BoundSession,), {"test_app": app})
            _db.session = _db._make_scoped_session({
                "class_": session_class, "bind": self.conn, "join_transaction_mode": "create_savepoint"})
        factory = _db.session.session_factory
        event.listen(factory, "after_begin", self._joined)
        event.listen(factory, "after_commit", self._committed)
        event.listen(factory, "after_transaction_end", self._ended)
        app.extensions[RUNNER_KEY] = self.run_independently

    # --- work outside the request's transaction
    def run_independently(self, work):
        session = _db.session()
        with self.conn.begin_nested():
            result = work(self.conn)
        if session.info.get("joined"):
            # Inside the session's savepoint: done again should that roll back.
            session.info.setdefault("redo", []).append(work)
        return result

    @staticmethod
    def _joined(session, _transaction, _connection):
        session.info["joined"] = True

    @staticmethod
    def _committed(session):
        session.info.pop("redo", None)

    def _ended(self, session, transaction):
        if transaction.parent is not None:
            return
        session.info["joined"] = False
        for work in session.info.pop("redo", []):
            with self.conn.begin_nested():
                work(self.conn)

    # --- one test inside the outer transaction
    def savepoint(self):
        return self.conn.begin_nested()

    def close_sessions(self, keep=()) -> None:
        for session in list(_db.session.registry.registry.values()):
            if session not in keep:
                session.close()

    def sessions(self) -> tuple:
        return tuple(_db.session.registry.registry.values())

    def end(self) -> None:
        try:
            self.close_sessions()
        finally:
            _db.session = self.original
            self.app.extensions.pop(RUNNER_KEY, None)
            with suppress(Exception):
                self.outer.rollback()
            self.conn.close()


class SeededState:
    """Every row of every table right after seeding, to put back after a test that committed."""

    def __init__(self, engine: Engine):
        self.tables = _db.metadata.sorted_tables
        with engine.connect() as conn:
            self.rows = {table.name: [dict(row._mapping) for row in conn.execute(select(table))]
                         for table in self.tables}

    def restore(self, engine: Engine) -> None:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in self.tables)
                conn.execute(text(f"TRUNCATE {names} CASCADE"))  # sequences go on: no id is given twice
            else:
                conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
                for table in reversed(self.tables):
                    conn.execute(delete(table))
            for table in self.tables:
                if self.rows[table.name]:
                    conn.execute(insert(table), self.rows[table.name])
