"""Fixtures: one migrated and seeded database per test session (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), each test in a transaction of its own that is rolled back (tests/isolation.py),
the app, clients and a login helper per role."""
import os
import re
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text

from programme import create_app
from programme.accounts.operations import create_user, find_user
from programme.core.extensions import db as _db
from programme.seed.loader import seed_all
from tests.isolation import RolledBack, SeededState, needs_commits, savepoint_engine

PASSWORD = "zonnebloem-kastanje-2042"
USERS = {
    "manager": ("manager@test.example", "Test Manager", "manager", None),
    "owner": ("owner@test.example", "Test Eigenaar", "owner", None),
    "other_owner": ("owner2@test.example", "Andere Eigenaar", "owner", None),
    "reader": ("reader@test.example", "Test Lezer", "reader", "GS"),
}


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{instance / 'test.db'}"
    os.environ["INSTANCE_PATH"] = str(instance)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
    })
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed_all()
        for email, name, role, body in USERS.values():
            create_user(email, name, role, PASSWORD, body=body)
        _db.session.commit()
        from programme.initiatives.models import Initiative
        from sqlalchemy import select

        owner = find_user(USERS["owner"][0])
        first = _db.session.scalar(select(Initiative).where(Initiative.number == "1.1.3"))
        first.owners.append(owner)
        _db.session.commit()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


class Database:
    """The seeded test database: the engine for the tests' own connections, and the seeded rows."""

    def __init__(self, app):
        with app.app_context():
            url = _db.engine.url
            self.engine = _db.engine if url.get_backend_name() != "sqlite" else savepoint_engine(url)
            self.seeded = SeededState(self.engine)

    def restore(self):
        self.seeded.restore(self.engine)


@pytest.fixture(scope="session")
def _seeded_database(app):
    database = Database(app)
    yield database
    database.engine.dispose()


@pytest.fixture(scope="module", autouse=True)
def _module_transaction(request, app, _seeded_database):
    """A transaction for the whole module, for its module-scoped fixtures, unless a test of the module
    needs real commits."""
    module = request.module
    if any(needs_commits(item) for item in request.session.items if getattr(item, "module", None) is module):
        yield None
        return
    rolled_back = RolledBack(app, _seeded_database.engine)
    try:
        yield rolled_back
    finally:
        rolled_back.end()


@pytest.fixture(autouse=True)
def _test_transaction(request, app, _seeded_database, _module_transaction):
    """Each test in a savepoint of the module's transaction that is rolled back; a test that needs real
    commits runs on the database itself, which gets its seeded rows back afterwards."""
    if needs_commits(request.node):
        try:
            yield
        finally:
            with app.app_context():
                _db.session.remove()
            _seeded_database.restore()
        return
    if _module_transaction is None:
        rolled_back = RolledBack(app, _seeded_database.engine)
        try:
            yield
        finally:
            rolled_back.end()
        return
    keep = _module_transaction.sessions()
    savepoint = _module_transaction.savepoint()
    try:
        yield
    finally:
        _module_transaction.close_sessions(keep)
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture()
def db(app):
    with app.app_context():
        yield _db
        _db.session.rollback()


@pytest.fixture()
def client(app):
    return app.test_client()


def csrf_token(response) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token in page"
    return match.group(1)


def form_version(response) -> str:
    """The version an edit form was loaded with (its hidden field), as a browser posts it back."""
    match = re.search(r'name="version"[^>]*value="(\d+)"', response.get_data(as_text=True))
    assert match, "no version in page"
    return match.group(1)


def fresh_account(app, prefix: str, name: str, role: str) -> str:
    """A committed account with the test password that no other test shares (its e-mail address is
    new); its e-mail address."""
    email = f"{prefix}-{time.monotonic_ns()}@test.example"
    with app.app_context():
        create_user(email, name, role, PASSWORD)
        _db.session.commit()
    return email


def count_statements(work, bind=None) -> int:
    """How many SQL statements `work()` runs on `bind`: by default the session's, read in the caller's
    app context. `db.session.get_bind()` is the app's engine, or in a rolled-back test the test's
    connection (tests/isolation.py; on SQLite that connection comes from an engine of its own, so a
    count on `db.engine` would see nothing). Counting nothing at all means counting in the wrong place."""
    bind = bind if bind is not None else _db.session.get_bind()
    seen = []

    def listener(*_args):
        seen.append(1)

    event.listen(bind, "before_cursor_execute", listener)
    try:
        work()
    finally:
        event.remove(bind, "before_cursor_execute", listener)
    assert seen, "no statements counted"
    return len(seen)


def count_queries(app, client, url: str) -> int:
    """How many SQL statements a GET of `url` runs (it must answer 200)."""
    def get():
        assert client.get(url).status_code == 200, url

    with app.app_context():
        bind = _db.session.get_bind()
    return count_statements(get, bind)


def login(client, role: str = "manager", password: str = PASSWORD):
    page = client.get("/aanmelden")
    return client.post("/aanmelden", data={
        "email": USERS[role][0], "password": password, "csrf_token": csrf_token(page),
    })


@pytest.fixture()
def managers(app):
    """Two clients signed in as the manager, each with a session of its own: for edits that cross."""
    pair = (app.test_client(), app.test_client())
    for client in pair:
        assert login(client, "manager").status_code == 302
    return pair


@pytest.fixture()
def login_as(client):
    def _login(role: str = "manager"):
        response = login(client, role)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login
