"""Sign-in, sign-out, sessions, CSRF and the password rules."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from programme.accounts.operations import AccountError, create_user, find_user
from programme.accounts.passwords import hasher, password_problems
from programme.core.audit import AuditEntry
from tests.conftest import PASSWORD, USERS, csrf_token, login


def test_anonymous_users_are_sent_to_login(client):
    for path in ("/", "/initiatieven", "/begroting", "/monitor", "/initiatieven/1"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/aanmelden?next=")


def test_login_page_is_dutch_and_has_csrf(client):
    page = client.get("/aanmelden")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="nl">' in html and "Aanmelden" in html and "E-mailadres" in html
    assert csrf_token(page)


def test_login_and_logout(client):
    response = login(client, "manager")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "Test Manager" in home.text and "Afmelden" in home.text
    token = csrf_token(client.get("/"))
    assert client.post("/afmelden", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_logout_ends_the_session_on_the_server(app, client):
    login(client, "reader")
    cookie = client.get_cookie("session").value
    client.post("/afmelden", data={"csrf_token": csrf_token(client.get("/"))})
    # Replaying the old cookie does not bring the session back.
    other = app.test_client()
    other.set_cookie("session", cookie)
    assert other.get("/").status_code == 302


def test_wrong_password_gives_a_generic_error_and_is_audited(app, client):
    response = login(client, "reader", password="helemaal-niet-goed-123")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Aanmelden is niet gelukt" in html
    unknown = client.post("/aanmelden", data={"email": "niemand@test.example", "password": "x" * 14,
                                              "csrf_token": csrf_token(client.get("/aanmelden"))})
    # The same message for an unknown account: no user enumeration.
    assert "Aanmelden is niet gelukt" in unknown.get_data(as_text=True)
    with app.app_context():
        from programme.core.extensions import db
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.result == "failed")).all()
        assert actions.count("user.sign_in_fail") >= 2


def test_login_without_csrf_is_refused(client):
    response = client.post("/aanmelden", data={"email": USERS["manager"][0], "password": PASSWORD})
    assert response.status_code == 400
    assert "beveiligingscontrole" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in


def test_logout_without_csrf_is_refused(client, login_as):
    login_as("manager")
    assert client.post("/afmelden").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


@pytest.mark.parametrize("target", [
    "https://evil.example", "//evil.example/x", "http://evil.example", "/\\evil.example", " https://evil.example",
    "javascript:alert(1)",
])
def test_next_only_goes_to_the_apps_own_paths(client, target):
    page = client.get("/aanmelden")
    response = client.post(f"/aanmelden?next={target}", data={
        "email": USERS["manager"][0], "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_to_own_path_is_followed(client):
    page = client.get("/aanmelden")
    response = client.post("/aanmelden?next=/begroting", data={
        "email": USERS["manager"][0], "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert response.headers["Location"] == "/begroting"


def test_passwords_are_hashed_with_argon2id(app):
    with app.app_context():
        user = find_user(USERS["manager"][0])
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_old_hashes_are_rehashed_at_sign_in(app, client):
    from argon2 import PasswordHasher, Type

    from programme.core.extensions import db
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
    with app.app_context():
        user = create_user("rehash@test.example", "Her Hash", "reader", PASSWORD)
        user.password_hash = weak.hash(PASSWORD)
        db.session.commit()
    response = client.post("/aanmelden", data={"email": "rehash@test.example", "password": PASSWORD,
                                               "csrf_token": csrf_token(client.get("/aanmelden"))})
    assert response.status_code == 302
    with app.app_context():
        assert not hasher.check_needs_rehash(find_user("rehash@test.example").password_hash)


def test_account_locks_after_ten_failures(app, client):
    from programme.core.extensions import db
    with app.app_context():
        create_user("lock@test.example", "Slot Gebruiker", "reader", PASSWORD)
        db.session.commit()
    for _ in range(10):
        client.post("/aanmelden", data={"email": "lock@test.example", "password": "verkeerd-wachtwoord-x",
                                        "csrf_token": csrf_token(client.get("/aanmelden"))})
    response = client.post("/aanmelden", data={"email": "lock@test.example", "password": PASSWORD,
                                               "csrf_token": csrf_token(client.get("/aanmelden"))})
    assert response.status_code == 401  # even the right password is refused while locked
    with app.app_context():
        assert find_user("lock@test.example").locked_until > datetime.now(UTC)


def test_disabled_user_cannot_sign_in_and_loses_sessions(app, client):
    from programme.accounts.operations import end_sessions
    from programme.core.extensions import db
    with app.app_context():
        create_user("disabled@test.example", "Uit Gezet", "reader", PASSWORD)
        db.session.commit()
    client.post("/aanmelden", data={"email": "disabled@test.example", "password": PASSWORD,
                                    "csrf_token": csrf_token(client.get("/aanmelden"))})
    assert client.get("/").status_code == 200
    with app.app_context():
        user = find_user("disabled@test.example")
        user.is_active = False
        end_sessions(user)
        db.session.commit()
    assert client.get("/").status_code == 302


def test_idle_session_expires(app, client, login_as):
    login_as("reader")
    with client.session_transaction() as session:
        session["last_seen"] = datetime.now(UTC).timestamp() - 31 * 60
    response = client.get("/")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]


def test_password_policy(app):
    assert password_problems("kort")
    assert password_problems("brabantbrabant123", name="Jan")
    assert password_problems("janssen-is-mijn-naam", name="Piet Janssen")
    assert password_problems("aaaaaaaaaaaaaaaa")
    assert not password_problems("paars-olifant-fietst-7", name="Piet Janssen")
    assert not password_problems("fiets-boom-3-" * 5)  # long passphrases are fine
    with app.app_context(), pytest.raises(AccountError):
        create_user("policy@test.example", "Pol Icy", "reader", "veerkracht2024!")


def test_session_cookie_flags(client):
    response = login(client, "manager")
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
