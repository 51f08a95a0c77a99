"""Second factor (TOTP) for programme managers: setting it up, signing in with it, turning it off."""
import re
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import or_, select

from programme.accounts import totp
from programme.accounts.operations import find_user
from programme.core.audit import AuditEntry
from tests.conftest import PASSWORD, csrf_token, fresh_account, login

IP = "192.0.2.33"  # TEST-NET-1: failures here do not count towards the shared client's 127.0.0.1


@pytest.fixture()
def clock(monkeypatch):
    """The TOTP clock, set by the test: codes of a given time step, without waiting."""
    now = [time.time()]
    monkeypatch.setattr(totp, "time", SimpleNamespace(time=lambda: now[0]))
    return now


@pytest.fixture()
def manager(app):
    """A manager of its own (the shared one never gets a second factor)."""
    return fresh_account(app, "totp", "Twee Stappen", "manager")


@pytest.fixture()
def web(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = IP
    return client


def password_step(client, email: str, next_path: str | None = None):
    page = client.get("/aanmelden")
    url = "/aanmelden" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page)})


def code_step(client, code: str):
    page = client.get("/aanmelden/code")
    return client.post("/aanmelden/code", data={"code": code, "csrf_token": csrf_token(page)})


def turn_on(client, email: str, clock) -> str:
    """Sign in, set up TOTP from the page and confirm it; the secret."""
    assert password_step(client, email).status_code == 302
    page = client.get("/account/tweestapsverificatie")
    assert "Tweestapsverificatie staat uit" in page.get_data(as_text=True)
    assert client.post("/account/tweestapsverificatie/instellen",
                       data={"csrf_token": csrf_token(page)}).status_code == 302
    page = client.get("/account/tweestapsverificatie")
    html = page.get_data(as_text=True)
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    response = client.post("/account/tweestapsverificatie/aanzetten", data={
        "code": totp.current_code(secret, clock[0]), "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    client.post("/afmelden", data={"csrf_token": csrf_token(client.get("/account/tweestapsverificatie"))})
    return secret


def test_codes_work_once_within_a_small_window():
    secret = totp.new_secret()
    now = 1_800_000_000.0
    step = int(now // 30)
    assert totp.matching_step(secret, totp.current_code(secret, now), now=now) == step
    assert totp.matching_step(secret, totp.current_code(secret, now - 30), now=now) == step - 1
    assert totp.matching_step(secret, totp.current_code(secret, now + 30), now=now) == step + 1
    assert totp.matching_step(secret, totp.current_code(secret, now - 90), now=now) is None
    # Reuse: a step at or before the last one used is refused.
    assert totp.matching_step(secret, totp.current_code(secret, now), after=step, now=now) is None
    assert totp.matching_step(secret, totp.current_code(secret, now - 30), after=step - 1, now=now) is None
    spaced = totp.current_code(secret, now)
    assert totp.matching_step(secret, f"{spaced[:3]} {spaced[3:]}", now=now) == step
    for wrong in ("", "abcdef", "12345", "1234567", None):
        assert totp.matching_step(secret, wrong, now=now) is None


def test_setup_page_shows_qr_and_secret_without_inline_script(app, web, manager, clock):
    assert password_step(web, manager).status_code == 302
    page = web.get("/account/tweestapsverificatie")
    # GET changes nothing: no secret until the button is pressed.
    assert "totp-secret" not in page.get_data(as_text=True)
    web.post("/account/tweestapsverificatie/instellen", data={"csrf_token": csrf_token(page)})
    response = web.get("/account/tweestapsverificatie")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'src="data:image/svg+xml' in html and "<script" not in html and "style=" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", html).group(0)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert '<label for="code">' in html
    # The secret travels in no cookie: the session holds only a nonce.
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    with web.session_transaction() as session:
        assert secret not in repr(dict(session))
    wrong = web.post("/account/tweestapsverificatie/aanzetten", data={"code": "000000",
                                                                      "csrf_token": csrf_token(response)})
    assert wrong.status_code == 400 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    with app.app_context():
        assert not find_user(manager).totp_enabled


def test_sign_in_asks_for_the_code_and_refuses_reuse(app, web, manager, clock):
    from programme.core.extensions import db

    secret = turn_on(web, manager, clock)
    with app.app_context():
        user = find_user(manager)
        assert user.totp_enabled and user.totp_secret == secret
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.totp_enable",
                                                              AuditEntry.object_id == user.id)).all()
        assert [e.result for e in entries] == ["ok"]
        assert secret not in repr([(e.old_values, e.new_values, e.message) for e in entries])

    response = password_step(web, manager, next_path="/begroting")
    assert response.status_code == 302 and response.headers["Location"] == "/aanmelden/code"
    # Not signed in yet: the password alone opens nothing.
    assert web.get("/begroting").headers["Location"].startswith("/aanmelden")
    page = web.get("/aanmelden/code")
    assert page.status_code == 200 and "Aanmelden: code" in page.get_data(as_text=True)
    wrong = code_step(web, "123456" if totp.current_code(secret, clock[0]) != "123456" else "654321")
    assert wrong.status_code == 401 and "niet juist" in wrong.get_data(as_text=True)
    with app.app_context():
        assert find_user(manager).failed_logins == 1
    clock[0] += 30  # the next step: the code used to turn TOTP on may not be used again
    code = totp.current_code(secret, clock[0])
    response = code_step(web, code)
    assert response.status_code == 302 and response.headers["Location"] == "/begroting"
    assert web.get("/begroting").status_code == 200
    with app.app_context():
        user = find_user(manager)
        assert user.failed_logins == 0 and user.last_login_dt is not None
        actions = db.session.scalars(select(AuditEntry.action).where(
            or_(AuditEntry.object_label == manager, AuditEntry.object_id == user.id)).order_by(AuditEntry.id)).all()
        assert actions[-3:] == ["user.sign_in_password", "user.sign_in_fail", "user.sign_in"]

    # The same code, again within its window, from another sign-in: refused.
    web.post("/afmelden", data={"csrf_token": csrf_token(web.get("/"))})
    password_step(web, manager)
    assert code_step(web, code).status_code == 401
    clock[0] += 30
    assert code_step(web, totp.current_code(secret, clock[0])).status_code == 302
    _turn_off(app, manager)


def test_failed_codes_lock_the_account(app, web, manager, clock):
    secret = turn_on(web, manager, clock)
    password_step(web, manager)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert code_step(web, "000000" if totp.current_code(secret, clock[0]) != "000000" else "111111"
                         ).status_code == 401
    clock[0] += 30
    # Even the right code is refused while the account is locked.
    assert code_step(web, totp.current_code(secret, clock[0])).status_code == 401
    with app.app_context():
        assert find_user(manager).locked_until is not None
    assert web.get("/").status_code == 302
    _turn_off(app, manager)


def test_code_step_expires_and_needs_the_password_first(app, web, manager, clock):
    secret = turn_on(web, manager, clock)
    # Without the password step there is nothing to enter a code for.
    fresh = app.test_client()
    assert fresh.get("/aanmelden/code").headers["Location"] == "/aanmelden"
    password_step(web, manager)
    with web.session_transaction() as session:
        pending = dict(session["pending_login"])
        pending["at"] -= app.config["LOGIN_CODE_TIMEOUT"].total_seconds() + 1
        session["pending_login"] = pending
    clock[0] += 30
    response = web.post("/aanmelden/code", data={"code": totp.current_code(secret, clock[0]),
                                                 "csrf_token": csrf_token(web.get("/aanmelden"))})
    assert response.status_code == 302 and response.headers["Location"] == "/aanmelden"
    assert web.get("/").status_code == 302
    _turn_off(app, manager)


def test_turn_off_needs_a_valid_code(app, web, manager, clock):
    secret = turn_on(web, manager, clock)
    password_step(web, manager)
    clock[0] += 30
    assert code_step(web, totp.current_code(secret, clock[0])).status_code == 302
    page = web.get("/account/tweestapsverificatie")
    assert "Tweestapsverificatie staat aan" in page.get_data(as_text=True)
    # The code just used to sign in does not turn it off either.
    refused = web.post("/account/tweestapsverificatie/uitzetten", data={
        "code": totp.current_code(secret, clock[0]), "csrf_token": csrf_token(page)})
    assert refused.status_code == 400
    clock[0] += 30
    response = web.post("/account/tweestapsverificatie/uitzetten", data={
        "code": totp.current_code(secret, clock[0]), "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with app.app_context():
        from programme.core.extensions import db

        user = find_user(manager)
        assert not user.totp_enabled and user.totp_last_step is None
        results = db.session.scalars(select(AuditEntry.result).where(
            AuditEntry.action == "user.totp_disable",
            or_(AuditEntry.object_label == manager, AuditEntry.object_id == user.id))).all()
        assert sorted(results) == ["failed", "ok"]
    # Signing in is one step again.
    web.post("/afmelden", data={"csrf_token": csrf_token(web.get("/"))})
    assert password_step(web, manager).headers["Location"] == "/"


def test_manager_resets_someone_elses_second_factor(app, client, web, manager, clock):
    from programme.core.extensions import db

    turn_on(web, manager, clock)
    with app.app_context():
        user_id = find_user(manager).id
    # An initiative owner may not.
    login(client, "owner")
    token = csrf_token(client.get("/"))
    assert client.post(f"/accounts/{user_id}/tweestapsverificatie-uitzetten",
                       data={"csrf_token": token}).status_code == 403
    client.post("/afmelden", data={"csrf_token": token})
    login(client, "manager")
    page = client.get(f"/accounts/{user_id}/bewerken")
    assert "Tweestapsverificatie uitzetten" in page.get_data(as_text=True)
    assert client.post(f"/accounts/{user_id}/tweestapsverificatie-uitzetten").status_code == 400  # no CSRF
    response = client.post(f"/accounts/{user_id}/tweestapsverificatie-uitzetten",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with app.app_context():
        assert not find_user(manager).totp_enabled
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.totp_reset")
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry.object_id == user_id and entry.actor_label == "manager@test.example"


def _turn_off(app, email: str) -> None:
    from programme.core.extensions import db

    with app.app_context():
        user = find_user(email)
        user.totp_secret = None
        user.totp_last_step = None
        user.locked_until = None
        user.failed_logins = 0
        db.session.commit()
