"""Account management by the manager: create, edit, disable/enable, access-review export."""
import csv
import io
import itertools

from sqlalchemy import func, select

from programme.accounts.models import User
from programme.accounts.operations import create_user, find_user
from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from tests.conftest import PASSWORD, csrf_token, form_version
from tests.editing_helpers import last_audit, signed_in

_counter = itertools.count(1)


def _new_user(app, role="owner", name="Tijdelijke Gebruiker", body=None):
    email = f"tmp{next(_counter)}-{role}@admin.test.example"
    with app.app_context():
        user = create_user(email, name, role, PASSWORD, body=body)
        _db.session.commit()
        return user.id, email


def _snapshot(app):
    with app.app_context():
        return [(u.id, u.email, u.name, u.role, u.body, u.is_active, u.session_token)
                for u in _db.session.scalars(select(User).order_by(User.id))]


def _post_new(client, **fields):
    """The new-account form posted with `fields`."""
    page = client.get("/accounts/nieuw")
    return client.post("/accounts/nieuw", data={**fields, "csrf_token": csrf_token(page)})


def _token(client, path="/accounts"):
    return csrf_token(client.get(path))


def test_manager_lists_users_with_role_and_status(app):
    html = signed_in(app).get("/accounts").get_data(as_text=True)
    assert "Accounts" in html and "manager@test.example" in html
    assert "Lezer GS/PS" in html and "Actief" in html


def test_manager_creates_a_user_and_it_is_audited(app):
    response = _post_new(signed_in(app), email="nieuw.lid@admin.test.example", name="Nieuw Lid", role="reader",
                         body="PS", password="lantaarn-appelboom-7781")
    assert response.status_code == 302
    with app.app_context():
        user = find_user("nieuw.lid@admin.test.example")
        assert user.role == "reader" and user.body == "PS"
        manager_id = find_user("manager@test.example").id
        user_id = user.id
    entry = last_audit(app, "user.create", user_id)
    assert entry.actor_id == manager_id
    assert entry.new_values["role"] == "reader" and entry.new_values["body"] == "PS"


def test_weak_password_and_missing_body_get_dutch_errors_next_to_the_field(app):
    client = signed_in(app)
    response = _post_new(client, email="zwak@admin.test.example", name="Zwak Wachtwoord", role="reader", body="",
                         password="kort")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Er is een probleem" in html
    assert "Gebruik minimaal 12 tekens." in html and 'id="password-error"' in html
    assert "Kies voor een lezer GS of PS." in html
    response = _post_new(client, email="manager@test.example", name="Dubbel", role="owner",
                         password="brabant-veerkracht-2040")
    html = response.get_data(as_text=True)
    assert "Er bestaat al een account met dit e-mailadres." in html
    assert "Gebruik geen woorden uit uw naam" in html
    with app.app_context():
        assert find_user("zwak@admin.test.example") is None


def test_manager_edits_role_name_and_body_with_audit(app):
    user_id, _email = _new_user(app, role="owner", name="Wordt Lezer")
    client = signed_in(app)
    page = client.get(f"/accounts/{user_id}/bewerken")
    assert page.status_code == 200
    response = client.post(f"/accounts/{user_id}/bewerken", data={
        "name": "Is Nu Lezer", "role": "reader", "body": "GS", "csrf_token": csrf_token(page),
        "version": form_version(page)})
    assert response.status_code == 302
    with app.app_context():
        user = _db.session.get(User, user_id)
        assert (user.name, user.role, user.body) == ("Is Nu Lezer", "reader", "GS")
    entry = last_audit(app, "user.update", user_id)
    assert entry.old_values == {"name": "Wordt Lezer", "role": "owner", "body": None}
    assert entry.new_values == {"name": "Is Nu Lezer", "role": "reader", "body": "GS"}
    assert entry.actor_label == "manager@test.example"


def test_disabling_ends_the_users_session_and_enabling_restores_sign_in(app):
    user_id, email = _new_user(app, role="owner", name="Wordt Uitgezet")
    victim = app.test_client()
    page = victim.get("/aanmelden")
    assert victim.post("/aanmelden", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf_token(page)}).status_code == 302
    assert victim.get("/initiatieven").status_code == 200

    client = signed_in(app)
    response = client.post(f"/accounts/{user_id}/uitschakelen", data={"csrf_token": _token(client)})
    assert response.status_code == 302
    response = victim.get("/initiatieven")
    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]
    entry = last_audit(app, "user.disable", user_id)
    assert entry.old_values == {"is_active": True} and entry.new_values == {"is_active": False}

    response = client.post(f"/accounts/{user_id}/inschakelen", data={"csrf_token": _token(client)})
    assert response.status_code == 302
    with app.app_context():
        assert _db.session.get(User, user_id).is_active is True
    assert last_audit(app, "user.enable", user_id) is not None


def test_manager_may_not_disable_or_demote_themselves(app):
    client = signed_in(app)
    with app.app_context():
        me = find_user("manager@test.example").id
    before = _snapshot(app)
    client.post(f"/accounts/{me}/uitschakelen", data={"csrf_token": _token(client)})
    page = client.get(f"/accounts/{me}/bewerken")
    response = client.post(f"/accounts/{me}/bewerken", data={
        "name": "Test Manager", "role": "owner", "body": "", "csrf_token": csrf_token(page),
        "version": form_version(page)})
    assert "U kunt uw eigen rol niet wijzigen" in response.get_data(as_text=True)
    assert _snapshot(app) == before
    assert client.get("/accounts").status_code == 200  # still signed in


def test_owner_and_reader_get_403_on_every_account_route_and_nothing_changes(app):
    user_id, _email = _new_user(app)
    before = _snapshot(app)
    with app.app_context():
        refusals = _db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.result == "refused"))
    for role in ("owner", "reader"):
        client = signed_in(app, role)
        token = _token(client, "/")
        assert client.get("/accounts").status_code == 403
        assert client.get("/accounts/nieuw").status_code == 403
        assert client.get("/accounts/export.csv").status_code == 403
        assert client.get(f"/accounts/{user_id}/bewerken").status_code == 403
        assert client.post("/accounts/nieuw", data={
            "email": f"hack-{role}@admin.test.example", "name": "Hack", "role": "manager",
            "password": "lantaarn-appelboom-7781", "csrf_token": token}).status_code == 403
        assert client.post(f"/accounts/{user_id}/bewerken", data={
            "name": "Hack", "role": "manager", "csrf_token": token}).status_code == 403
        assert client.post(f"/accounts/{user_id}/uitschakelen", data={"csrf_token": token}).status_code == 403
        assert client.post(f"/accounts/{user_id}/inschakelen", data={"csrf_token": token}).status_code == 403
    assert _snapshot(app) == before
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.result == "refused")) >= refusals + 16


def test_forged_ids_and_missing_csrf(app):
    client = signed_in(app)
    assert client.get("/accounts/999999/bewerken").status_code == 404
    assert client.post("/accounts/999999/uitschakelen", data={"csrf_token": _token(client)}).status_code == 404
    user_id, _email = _new_user(app)
    before = _snapshot(app)
    assert client.post(f"/accounts/{user_id}/uitschakelen").status_code == 400
    assert client.post(f"/accounts/{user_id}/bewerken", data={"name": "X", "role": "manager"}).status_code == 400
    # a role that does not exist is refused by the form
    page = client.get(f"/accounts/{user_id}/bewerken")
    response = client.post(f"/accounts/{user_id}/bewerken", data={
        "name": "X", "role": "superuser", "csrf_token": csrf_token(page)})
    assert response.status_code == 200
    assert _snapshot(app) == before


def test_access_review_export_escapes_cells(app):
    user_id, _email = _new_user(app, role="owner", name="=cmd() Test")
    response = signed_in(app).get("/accounts/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["E-mailadres", "Naam", "Rol"]
    names = {row[1] for row in rows[1:]}
    assert "'=cmd() Test" in names and "=cmd() Test" not in names
    owner = next(row for row in rows if row[0] == "owner@test.example")
    assert owner[2] == "Initiatiefnemer" and "1.1.3" in owner[6]
