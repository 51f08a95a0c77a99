"""The review workflow over HTTP: the manager's queue, submit, return with a comment, approve,
correct, and a closed period that stops it all with a Dutch message."""
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate, ProgressRound
from tests.progress_helpers import client_for, new_draft, post_form, state

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures


# ---------------------------------------------------------------- review queue

def test_manager_sees_review_queue_and_periods(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    ctx(lambda u: ops.submit(_db.session.get(ProgressUpdate, update_id), u["owner"]))
    html = client_for(app, "manager").get(f"/voortgang?periode={ids.period}").get_data(as_text=True)
    assert "Te beoordelen" in html and f"/voortgang/{update_id}" in html and "Rapportageperiodes" in html


# ---------------------------------------------------------------- workflow actions

def test_submit_return_approve_correct(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    owner, manager = client_for(app, "owner"), client_for(app, "manager")
    view = f"/voortgang/{update_id}"
    assert post_form(owner, f"{view}/indienen", view).status_code == 302
    assert "Het voortgangsbericht is ingediend" in owner.get(view).get_data(as_text=True)
    response = post_form(manager, f"{view}/terugsturen", view, comment="")
    assert "Schrijf bij het terugsturen wat er moet worden aangepast." in manager.get(view).get_data(as_text=True)
    response = post_form(manager, f"{view}/terugsturen", view, comment="Graag de resultaten in cijfers.")
    assert response.status_code == 302
    html = owner.get(view).get_data(as_text=True)
    assert "Teruggestuurd" in html and "Graag de resultaten in cijfers." in html
    assert "Graag de resultaten in cijfers." in owner.get(f"{view}/bewerken").get_data(as_text=True)
    post_form(owner, f"{view}/indienen", view)
    assert post_form(manager, f"{view}/goedkeuren", view, comment="Mooi werk").status_code == 302
    with app.app_context():
        assert _db.session.get(ProgressUpdate, update_id).status == "approved"
    response = post_form(owner, f"{view}/corrigeren", view)
    assert response.status_code == 302 and "/bewerken" in response.location
    with app.app_context():
        revisions = _db.session.scalars(select(ProgressUpdate).where(
            ProgressUpdate.initiative_id == ids.initiative).order_by(ProgressUpdate.revision)).all()
        assert [(r.revision, r.status) for r in revisions] == [(1, "approved"), (2, "draft")]
    html = owner.get(view).get_data(as_text=True)
    assert "Versie 2" in html and "niet de nieuwste versie" in html


def test_closed_period_shows_the_dutch_message(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    ctx(lambda u: ops.close_period(_db.session.get(ProgressRound, ids.period), u["manager"]))
    client = client_for(app, "owner")
    before = state(app)
    view = f"/voortgang/{update_id}"
    response = post_form(client, f"{view}/indienen", view)
    assert response.status_code == 303  # See Other: refused, the reason is flashed on the update's page
    html = client.get(view).get_data(as_text=True)
    assert "is gesloten door Test Manager" in html
    response = client.get(f"{view}/bewerken")
    assert response.status_code == 302
    assert "is gesloten" in client.get(view).get_data(as_text=True)
    assert state(app) == before
