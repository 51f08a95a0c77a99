"""Fixtures: one migrated and seeded database per test session (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), the app, clients and a login helper per role."""
import os
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from programme import create_app
from programme.accounts.operations import create_user, find_user
from programme.core.extensions import db as _db
from programme.seed.loader import seed_all

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
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


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


def login(client, role: str = "manager", password: str = PASSWORD):
    page = client.get("/aanmelden")
    return client.post("/aanmelden", data={
        "email": USERS[role][0], "password": password, "csrf_token": csrf_token(page),
    })


@pytest.fixture()
def login_as(client):
    def _login(role: str = "manager"):
        response = login(client, role)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login
