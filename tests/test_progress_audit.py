"""The audit trail of one progress update through its whole review, driven over HTTP like the browser
scenario (tests/test_browser_progress.py): every step is recorded, in order, with the right actor."""

from sqlalchemy import select

from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.progress.models import ProgressUpdate
from tests.conftest import csrf_token
from tests.progress_helpers import (SCENARIO_AUDIT, audit_steps, client_for, edit_data, last_audit_id,
                                    post_form, upload)

pytest_plugins = ["tests.progress_helpers"]  # the ids fixture


def test_every_step_of_the_review_is_audited_with_its_actor(app, ids):
    owner, manager = client_for(app, "owner"), client_for(app, "manager")
    with app.app_context():
        start = last_audit_id()

    # The owner writes: a draft, its content, a piece of evidence; then submits.
    page = owner.get(f"/initiatieven/{ids.initiative}/voortgang/nieuw?periode={ids.period}")
    response = owner.post(f"/initiatieven/{ids.initiative}/voortgang/nieuw",
                          data={"csrf_token": csrf_token(page), "period_id": str(ids.period)})
    assert response.status_code == 302
    with app.app_context():
        update_id = _db.session.scalar(select(ProgressUpdate.id).where(ProgressUpdate.initiative_id == ids.initiative))
    view = f"/voortgang/{update_id}"
    assert owner.post(f"{view}/bewerken", data=edit_data(owner, update_id, ids)).status_code == 302
    assert upload(owner, update_id, "verslag.pdf").status_code == 302
    assert post_form(owner, f"{view}/indienen", view).status_code == 302

    # The manager returns it with a comment; the owner sees it, corrects and resubmits.
    assert post_form(manager, f"{view}/terugsturen", view, comment="Graag het aantal deelnemers.").status_code == 302
    assert "Graag het aantal deelnemers." in owner.get(f"{view}/bewerken").get_data(as_text=True)
    data = edit_data(owner, update_id, ids, results="31 deelnemers.")
    assert owner.post(f"{view}/bewerken", data=data).status_code == 302
    assert post_form(owner, f"{view}/indienen", view).status_code == 302

    # The manager approves.
    assert post_form(manager, f"{view}/goedkeuren", view).status_code == 302

    with app.app_context():
        assert _db.session.get(ProgressUpdate, update_id).status == "approved"
        assert audit_steps(update_id, start) == SCENARIO_AUDIT
        entries = _db.session.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "ProgressUpdate", AuditEntry.object_id == update_id, AuditEntry.id > start)
            .order_by(AuditEntry.id)).all()
        by_action = {e.action: e for e in entries}
        assert by_action["progress_update.return"].message == "Graag het aantal deelnemers."
        assert by_action["progress_update.add_evidence"].new_values["name"] == "verslag.pdf"
        corrected = [e for e in entries if e.action == "progress_update.update"][-1]
        assert (corrected.old_values["results"], corrected.new_values["results"]) == (
            "25 deelnemers.", "31 deelnemers.")
    # The history on the update's page tells the same story.
    html = owner.get(view).get_data(as_text=True)
    history = html[html.index("<h2>Geschiedenis</h2>"):]
    steps = ("Aangemaakt", "Bewijsstuk toegevoegd", "Teruggestuurd", "Goedgekeurd")
    positions = [history.index(word) for word in steps]
    assert positions == sorted(positions)
