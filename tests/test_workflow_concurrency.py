"""Issue 11, findings 4, 5 and 6, with real parallel requests against four web workers on PostgreSQL:
parallel workflow actions give one success and Dutch refusals (never a 500), two saves of one edit form
give one save and one conflict screen, and a save without a valid version is refused. And the 500 page
renders after a database error."""
from functools import partial
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select, text

from programme import create_app
from programme.accounts.models import User
from programme.accounts.operations import create_user, find_user
from programme.core import errors
from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.initiatives.models import LearningQuestion
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate
from programme.reports.kinds import GS_QUARTERLY
from programme.reports.models import ReportSchedule
from programme.reports import operations
from tests.conftest import PASSWORD, USERS, login
from tests.http_workers import Browser, on_postgres, parallel
from tests.progress_helpers import last_audit_id, new_draft

pytest_plugins = ["tests.progress_helpers", "tests.http_workers"]

PARALLEL = 10
INCOMPLETE = "Het formulier is onvolledig; laad de pagina opnieuw."


def _entries(app, action: str, after: int, **where) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.id > after)
        for name, value in where.items():
            query = query.where(getattr(AuditEntry, name) == value)
        return list(_db.session.scalars(query))


# ---------------------------------------------------------------- finding 4: workflow actions

def _submitted(ctx, ids) -> int:
    update_id = new_draft(ctx, ids)
    ctx(lambda u: ops.submit(_db.session.get(ProgressUpdate, update_id), u["owner"]))
    return update_id


def _approved(ctx, ids) -> int:
    update_id = _submitted(ctx, ids)
    ctx(lambda u: ops.approve(_db.session.get(ProgressUpdate, update_id), u["manager"]))
    return update_id


# action: (path, role, set-up, audit action, status after, the Dutch refusal the others get)
WORKFLOW = {
    "submit": ("indienen", "owner", new_draft, "progress_update.submit", "submitted",
               "Dit voortgangsbericht is ingediend; alleen een concept of een teruggestuurd bericht kan worden "
               "gewijzigd."),
    "approve": ("goedkeuren", "manager", _submitted, "progress_update.approve", "approved",
                "Dit voortgangsbericht is goedgekeurd en staat vast."),
    "return": ("terugsturen", "manager", _submitted, "progress_update.return", "returned",
               "Dit voortgangsbericht is teruggestuurd, niet ingediend;"),
    "correct": ("corrigeren", "owner", _approved, "progress_update.correct", "approved",
                "Er is al een nieuwere versie (versie 2, concept) van dit voortgangsbericht."),
}


@on_postgres
@pytest.mark.parametrize("action", WORKFLOW)
def test_parallel_workflow_action_succeeds_once_and_refuses_the_rest_in_dutch(app, workers, ids, ctx, action):
    """Finding 4: ten parallel submits (approvals, returns, corrections) of one update from four workers:
    exactly one 302, nine 303s whose page flashes why in Dutch, one change and one audit entry."""
    path, role, make, audit_action, status_after, refusal = WORKFLOW[action]
    update_id = make(ctx, ids)
    with app.app_context():
        before = last_audit_id()
    browser = Browser(workers[0]).sign_in(role)
    view = f"/voortgang/{update_id}"
    data = {"csrf_token": browser.get(view).field("csrf_token"), "comment": "Vul de resultaten aan."}
    copies = [browser.copy(workers[n % len(workers)]) for n in range(PARALLEL)]
    responses = parallel([lambda c=c: c.post(f"{view}/{path}", data) for c in copies])

    assert sorted(r.status for r in responses) == [302] + [303] * (PARALLEL - 1)
    for copy, response in zip(copies, responses, strict=True):
        if response.status == 303:
            assert response.location == view
            flashed = copy.get(view).flashes("error")
            assert len(flashed) == 1 and refusal in flashed[0], flashed
    with app.app_context():
        revisions = _db.session.scalars(select(ProgressUpdate).where(
            ProgressUpdate.initiative_id == ids.initiative, ProgressUpdate.period_id == ids.period)
            .order_by(ProgressUpdate.revision)).all()
        assert _db.session.get(ProgressUpdate, update_id).status == status_after
        assert [(u.revision, u.status) for u in revisions] == (
            [(1, "approved"), (2, "draft")] if action == "correct" else [(1, status_after)])
    assert len(_entries(app, audit_action, before, initiative_id=ids.initiative)) == 1


# ---------------------------------------------------------------- findings 5 and 6: edit forms

@dataclass
class Form:
    path: str
    values: dict  # what the form posts besides csrf_token, version and the changing field
    field: str  # the field each save changes
    stored: object  # (app) -> (value of field, version)
    action: str  # the audit action of a save


def _account_form(app) -> Form:
    with app.app_context():
        user = create_user(f"bewerkt-{uuid.uuid4().hex[:8]}@test.example", "Eerste Naam", "owner", PASSWORD)
        _db.session.commit()
        user_id = user.id

    def stored(app):
        with app.app_context():
            user = _db.session.get(User, user_id)
            return user.name, user.version
    return Form(f"/accounts/{user_id}/bewerken", {"role": "owner", "body": ""}, "name", stored, "user.update")


def _question_form(app, ids) -> Form:
    def stored(app):
        with app.app_context():
            item = _db.session.get(LearningQuestion, ids.question)
            return item.question, item.version
    return Form(f"/initiatieven/{ids.initiative}/leervragen/{ids.question}/bewerken",
                {"context": "", "status": "open"}, "question", stored, "learning_question.update")


@pytest.fixture()
def schedule_id(app):
    with app.app_context():
        manager = find_user(USERS["manager"][0])
        schedule = operations.create_schedule(f"Planning {uuid.uuid4().hex[:6]}", GS_QUARTERLY, 117, 3,
                                             date(2026, 1, 1), user=manager)
        operations.deactivate(schedule, user=manager)  # stays out of the way of other schedules
        _db.session.commit()
        return schedule.id


def _schedule_form(app, schedule_id) -> Form:
    def stored(app):
        with app.app_context():
            schedule = _db.session.get(ReportSchedule, schedule_id)
            return schedule.name, schedule.version
    return Form(f"/rapportages/planning/{schedule_id}/bewerken",
                {"days_after_period": "117", "hour": "3", "starts_on": "2026-01-01"}, "name", stored,
                "report_schedule.update")


@pytest.fixture(params=["account", "learning_question", "schedule"])
def form(request, app, ids, schedule_id) -> Form:
    return {"account": lambda: _account_form(app), "learning_question": lambda: _question_form(app, ids),
            "schedule": lambda: _schedule_form(app, schedule_id)}[request.param]()


@on_postgres
def test_two_parallel_saves_of_one_form_give_one_save_and_one_conflict_screen(app, workers, form):
    """Finding 5: two managers open the same edit form and save at once: one save is kept, the other
    gets 409 with the conflict screen (the stored value beside theirs), and nothing is overwritten."""
    _value, version = form.stored(app)
    with app.app_context():
        before = last_audit_id()
    browsers = [Browser(workers[n]).sign_in("manager") for n in range(2)]
    pages = [b.get(form.path) for b in browsers]
    assert [p.status for p in pages] == [200, 200]
    assert {p.field("version") for p in pages} == {str(version)}
    names = ["Opgeslagen door A", "Opgeslagen door B"]
    responses = parallel([
        lambda b=b, p=p, name=name: b.post(form.path, {**form.values, form.field: name, "version": p.field("version"),
                                                       "csrf_token": p.field("csrf_token")})
        for b, p, name in zip(browsers, pages, names, strict=True)])

    assert sorted(r.status for r in responses) == [302, 409]
    winner = names[[r.status for r in responses].index(302)]
    loser, conflict = next((n, r) for n, r in zip(names, responses, strict=True) if r.status == 409)
    assert "Niet opgeslagen:" in conflict.body and "Nu opgeslagen" in conflict.body
    assert winner in conflict.body and loser in conflict.body  # stored beside theirs
    assert conflict.field("version") == str(version + 1)  # saving again is a deliberate overwrite
    assert form.stored(app) == (winner, version + 1)
    assert sorted(e.result for e in _entries(app, form.action, before)) == ["ok", "refused"]


INVALID_VERSIONS = [None, "abc", "", "-1", "1.5"]


@on_postgres
def test_saves_without_a_valid_version_are_refused(app, workers, form):
    """Finding 6: saves with no version, or a forged one, sent in parallel with one honest save: the
    honest one is kept, each of the others is refused with a Dutch message and changes nothing."""
    _value, version = form.stored(app)
    browser = Browser(workers[0]).sign_in("manager")
    page = browser.get(form.path)
    posts = []
    for n, forged in enumerate([page.field("version"), *INVALID_VERSIONS]):
        data = {**form.values, form.field: f"Poging {n}", "csrf_token": page.field("csrf_token")}
        if forged is not None:
            data["version"] = forged
        posts.append(partial(browser.copy(workers[n % len(workers)]).post, form.path, data))
    honest, *forged = parallel(posts)

    assert honest.status == 302
    for response in forged:
        assert response.status == 200 and INCOMPLETE in response.body
    assert form.stored(app) == ("Poging 0", version + 1)


@on_postgres
def test_progress_saves_without_a_valid_version_are_refused(app, workers, ids, ctx):
    """Finding 6 for the progress form: the same, on a draft."""
    update_id = new_draft(ctx, ids)
    with app.app_context():
        version = _db.session.get(ProgressUpdate, update_id).version
        before = last_audit_id()
    browser = Browser(workers[0]).sign_in("owner")
    path = f"/voortgang/{update_id}/bewerken"
    page = browser.get(path)
    assert page.field("version") == str(version)
    posts = []
    for n, forged in enumerate([page.field("version"), *INVALID_VERSIONS]):
        data = {"csrf_token": page.field("csrf_token"), "traffic_light": "op_koers", "done": f"Poging {n}",
                # the rows the page shows: an indicator's and each budget line's (empty)
                "indicator_values-0-indicator_id": str(ids.indicator),
                "spending-0-budget_line_id": str(ids.line_province), "spending-1-budget_line_id": str(ids.line_zet)}
        if forged is not None:
            data["version"] = forged
        posts.append(partial(browser.copy(workers[n % len(workers)]).post, path, data))
    honest, *forged = parallel(posts)

    assert honest.status == 302
    for response in forged:
        assert response.status == 422 and INCOMPLETE in response.body
    with app.app_context():
        update = _db.session.get(ProgressUpdate, update_id)
        assert update.done == "Poging 0" and update.version > version  # (one save may flush more than once)
    assert len(_entries(app, "progress_update.update", before, object_id=update_id)) == 1


# ---------------------------------------------------------------- finding 4: the 500 page

@pytest.fixture()
def failing_app(app):
    """An app that handles errors as production does, with routes that fail on the database."""
    broken = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False, "SECRET_KEY": app.config["SECRET_KEY"],
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @broken.route("/test/dubbele-gebruiker")
    def duplicate_user():  # an integrity error at flush leaves a session that must be rolled back
        _db.session.add(User(email=USERS["owner"][0], name="Dubbel", role="owner", password_hash="x"))
        _db.session.flush()

    @broken.route("/test/kapotte-query")
    def broken_query():  # on PostgreSQL the transaction is aborted: every next query fails until rollback
        _db.session.execute(text("SELECT * FROM no_such_table"))

    yield broken
    with broken.app_context():
        _db.engine.dispose()


@pytest.mark.parametrize("path", ["/test/dubbele-gebruiker", "/test/kapotte-query"])
def test_the_500_page_is_dutch_after_a_database_error(failing_app, path):
    client = failing_app.test_client()
    login(client, "manager")
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in html and "Internal Server Error" not in html
    assert "Test Manager" in html  # the full page, with the signed-in user read again after the rollback
    assert client.get("/").status_code == 200  # and the worker goes on


def test_the_500_page_needs_no_database_when_it_cannot_use_it(failing_app, monkeypatch):
    """When the full page cannot be rendered (the database is gone), a page that reads nothing from it."""
    client = failing_app.test_client()
    login(client, "manager")

    def unusable(*_args, **_kwargs):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(errors, "render_error", unusable)
    response = client.get("/test/kapotte-query")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in html and "Foutcode 500" in html and "Internal Server Error" not in html
    assert "Test Manager" not in html

