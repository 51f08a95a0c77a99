"""Sign-in attempts rate limited per IP address, across accounts and across web workers."""
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from programme import create_app
from programme.accounts import ratelimit
from programme.accounts.models import LoginFailure
from programme.core.audit import AuditEntry
from programme.core.db import utcnow
from tests.conftest import PASSWORD, USERS, csrf_token

ATTACKER = "198.51.100.20"  # TEST-NET-2
NEIGHBOUR = "198.51.100.21"


@pytest.fixture()
def limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_IP_MAX_FAILURES", 3)
    return 3


def client_from(app, ip: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def attempt(client, email: str, password: str):
    return client.post("/aanmelden", data={"email": email, "password": password,
                                           "csrf_token": csrf_token(client.get("/aanmelden"))})


def test_default_limit_is_generous_and_configured(tmp_path):
    from programme.config import build_config

    config = build_config(str(tmp_path))
    assert config["LOGIN_IP_MAX_FAILURES"] == 20 and config["LOGIN_IP_WINDOW"] == timedelta(minutes=15)
    assert config["LOGIN_IP_MAX_FAILURES"] > config["LOGIN_MAX_FAILURES"]  # one account locks first


def test_failures_across_accounts_block_the_address(app, limit):
    attacker = client_from(app, ATTACKER)
    for number in range(limit):
        assert attempt(attacker, f"gok{number}@test.example", "geraden-wachtwoord-1").status_code == 401
    # Now even the right password of a real account is refused from this address, without checking it.
    response = attempt(attacker, USERS["reader"][0], PASSWORD)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "te veel mislukte aanmeldpogingen" in html and 'lang="nl"' in html
    assert attacker.get("/").status_code == 302  # not signed in
    with app.app_context():
        from programme.core.extensions import db

        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.sign_in_rate_limit")
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry.ip == ATTACKER and entry.result == "refused"
    # Someone at another address is not affected.
    neighbour = client_from(app, NEIGHBOUR)
    assert attempt(neighbour, USERS["reader"][0], PASSWORD).status_code == 302


@pytest.mark.committed
def test_count_is_shared_by_every_worker(app, limit):
    """A second app with its own engine and connection pool stands in for another web worker."""
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SECRET_KEY": "test-secret-key", "LOGIN_IP_MAX_FAILURES": limit})
    worker_two = client_from(other, ATTACKER)
    worker_one = client_from(app, ATTACKER)
    assert attempt(worker_one, "gok-a@test.example", "geraden-wachtwoord-1").status_code == 401
    assert attempt(worker_two, "gok-b@test.example", "geraden-wachtwoord-1").status_code == 401
    assert attempt(worker_one, "gok-c@test.example", "geraden-wachtwoord-1").status_code == 401
    assert attempt(worker_two, USERS["reader"][0], PASSWORD).status_code == 429
    assert attempt(worker_one, USERS["reader"][0], PASSWORD).status_code == 429
    with other.app_context():
        from programme.core.extensions import db

        db.engine.dispose()


def test_old_failures_do_not_count_and_are_cleaned_up(app, limit):
    from programme.core.extensions import db

    with app.app_context():
        old = utcnow() - app.config["LOGIN_IP_WINDOW"] - timedelta(minutes=1)
        db.session.execute(insert(LoginFailure), [{"ip": ATTACKER, "created_dt": old}] * 5)
        db.session.commit()
        with app.test_request_context(environ_base={"REMOTE_ADDR": ATTACKER}):
            assert ratelimit.recent_failures() == 0
            assert ratelimit.claim() is not None  # not blocked: the old failures do not count
            assert ratelimit.recent_failures() == 1
        remaining = db.session.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.ip == ATTACKER))
        assert remaining == 1  # the old rows went when the new one was written
    assert attempt(client_from(app, ATTACKER), USERS["reader"][0], PASSWORD).status_code == 302


def test_code_step_is_limited_too(app, limit):
    from programme.accounts import totp
    from programme.accounts.operations import create_user
    from programme.core.extensions import db

    with app.app_context():
        user = create_user("limiet-code@test.example", "Code Limiet", "manager", PASSWORD)
        user.totp_secret = secret = totp.new_secret()
        db.session.commit()
    client = client_from(app, ATTACKER)
    assert attempt(client, "limiet-code@test.example", PASSWORD).headers["Location"] == "/aanmelden/code"
    page = client.get("/aanmelden/code")
    for _ in range(limit):
        assert client.post("/aanmelden/code", data={"code": "abcdef", "csrf_token": csrf_token(page)}
                           ).status_code == 401
    response = client.post("/aanmelden/code", data={"code": totp.current_code(secret),
                                                    "csrf_token": csrf_token(page)})
    assert response.status_code == 429 and client.get("/").status_code == 302
