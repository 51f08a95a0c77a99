"""Sign-in under attack: parallel attempts against a real HTTP server (lockout and the per-IP limit are
counted atomically), equal timing for known, unknown and locked accounts, and password screening."""
import http.client
import os
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select, update

from programme.accounts.models import LoginFailure, User
from programme.accounts.operations import create_user, find_user
from programme.accounts.passwords import password_problems
from programme.core.audit import AuditEntry
from tests.conftest import PASSWORD, csrf_token, fresh_account

pytest_plugins = ["tests.http_workers"]  # the workers fixture

WRONG = "niet-het-goede-wachtwoord-1"
# Parallel writers are what PostgreSQL is for; SQLite (the single-user development default) makes
# them wait in turn and gives up after its busy timeout, which says nothing about the counting.
on_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                 reason="parallelle aanmeldpogingen worden op PostgreSQL getest (make test-postgres)")


def _cookie(headers) -> str:
    return "; ".join(value.split(";", 1)[0] for key, value in headers if key.lower() == "set-cookie")


def sign_in_over_http(base_url: str, email: str, password: str, source: str) -> int:
    """One sign-in as a browser would: GET the form for its CSRF token and cookie, POST it. From a
    loopback source address of its own, so that the server sees several clients."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120, source_address=(source, 0))
    try:
        conn.request("GET", "/aanmelden")
        page = conn.getresponse()
        body = page.read().decode()
        cookie = _cookie(page.getheaders())
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
        conn.request("POST", "/aanmelden", body=urlencode({"email": email, "password": password,
                                                            "csrf_token": token}),
                     headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.fixture()
def target(app):
    """A fresh account to attack."""
    return fresh_account(app, "doelwit", "Doel Wit", "owner")


def _failed_entries(app, email: str) -> list[str]:
    from programme.core.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.message).where(
            AuditEntry.action == "user.sign_in_fail", AuditEntry.object_label == email)))


@on_postgres
def test_parallel_wrong_passwords_check_at_most_ten_per_lock_window(app, workers, target):
    """Finding 1: forty parallel wrong passwords for one account, from four addresses (ten each, under
    the per-IP limit): exactly ten are checked, the account locks, the other thirty are refused unchecked."""
    attempts = list(zip(cycle(workers), [f"127.0.0.{n}" for n in (2, 3, 4, 5)] * 10))
    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(lambda a: sign_in_over_http(a[0], target, WRONG, a[1]), attempts))
    assert statuses == [401] * 40
    messages = _failed_entries(app, target)
    checked = [m for m in messages if m.startswith("onjuist wachtwoord")]
    assert len(messages) == 40
    assert len(checked) == app.config["LOGIN_MAX_FAILURES"] == 10
    assert sum("geblokkeerd" in m for m in checked) == 1  # the tenth check locked the account
    assert messages.count("account tijdelijk geblokkeerd") == 30
    with app.app_context():
        assert find_user(target).locked_until > datetime.now(UTC)
    # Locked: even the right password is refused, and not checked.
    assert sign_in_over_http(workers[0], target, PASSWORD, "127.0.0.6") == 401
    assert _failed_entries(app, target).count("account tijdelijk geblokkeerd") == 31


@on_postgres
def test_parallel_attempts_from_one_address_stop_at_the_ip_limit(app, workers, target):
    """Finding 1, per IP: sixty parallel failures from one address against a limit of twenty let exactly
    twenty through to a password check; the other forty get 429."""
    from programme.core.extensions import db

    assert app.config["LOGIN_IP_MAX_FAILURES"] == 20
    attempts = list(zip(cycle(workers), [f"onbekend-{n}@test.example" for n in range(60)]))
    with ThreadPoolExecutor(max_workers=60) as pool:
        statuses = list(pool.map(lambda a: sign_in_over_http(a[0], a[1], WRONG, "127.0.0.7"), attempts))
    assert sorted(statuses) == [401] * 20 + [429] * 40
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.ip == "127.0.0.7")) == 20


def test_a_successful_sign_in_does_not_count_towards_the_ip_limit(app, target, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_IP_MAX_FAILURES", 3)
    def client_at_address():
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "127.0.0.8"
        return client, client.get("/aanmelden")

    for _ in range(5):
        client, page = client_at_address()
        assert client.post("/aanmelden", data={"email": target, "password": PASSWORD,
                                               "csrf_token": csrf_token(page)}).status_code == 302
    client, page = client_at_address()
    assert client.post("/aanmelden", data={"email": target, "password": WRONG,
                                           "csrf_token": csrf_token(page)}).status_code == 401


@pytest.mark.slow
def test_known_unknown_and_locked_accounts_take_the_same_time(app, client, monkeypatch):
    """Finding 2: the median sign-in time of a known account (wrong password), an unknown address and a
    locked account, twenty tries each, interleaved so that load on the machine hits all three alike."""
    from programme.core.extensions import db

    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 10_000)
    monkeypatch.setitem(app.config, "LOGIN_IP_MAX_FAILURES", 10_000)
    with app.app_context():
        create_user("tijd-bekend@test.example", "Tijd Bekend", "owner", PASSWORD)
        create_user("tijd-geblokkeerd@test.example", "Tijd Blok", "owner", PASSWORD)
        db.session.execute(update(User).where(User.email == "tijd-geblokkeerd@test.example")
                           .values(locked_until=datetime.now(UTC) + timedelta(days=1)))
        db.session.commit()
    token = csrf_token(client.get("/aanmelden"))
    groups = {"bekend": "tijd-bekend@test.example", "onbekend": "tijd-onbekend@test.example",
              "geblokkeerd": "tijd-geblokkeerd@test.example"}
    times = {name: [] for name in groups}
    for _ in range(20):
        for name, email in groups.items():
            started = time.perf_counter()
            response = client.post("/aanmelden", data={"email": email, "password": WRONG, "csrf_token": token})
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 401
    medians = {name: statistics.median(values) for name, values in times.items()}
    assert max(medians.values()) <= 1.25 * min(medians.values()), medians


@pytest.mark.parametrize("password", [
    "qwerty1234567", "Welkom2024!!", "Zomer2025zomer", "geheim123456", "abcabcabcabc",
    "wachtwoord2026", "Feyenoord2024!", "1q2w3e4r5t6y", "iloveyou2024", "Password1234",
])
def test_common_breached_and_dutch_passwords_are_refused(password):
    """Finding 3: the passwords the tester got through, and more of their kind."""
    assert password_problems(password, name="Piet Janssen", email="piet@test.example")


@pytest.mark.parametrize("password", [
    "zonnebloem-kastanje-2042", "paars-olifant-fietst-7", "Mijn fiets is blauw en snel", "k7#Pq2!vXz9@Lm4w",
])
def test_strong_passwords_are_accepted(password):
    assert not password_problems(password, name="Piet Janssen", email="piet@test.example")


def test_context_words_are_refused():
    assert password_problems("kastanje-veerkracht-42", name="Piet Janssen")
    assert password_problems("kastanje-janssen-boom-42", name="Piet Janssen")
    assert password_problems("kastanje-pietje-boom-42", email="pietje@test.example")

