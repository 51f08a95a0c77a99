"""The follow-up pages over HTTP with an approved update: the learning log and budget follow-up
(the learning log's grouping per question is in test_learning_log.py)."""
from programme.core.extensions import db as _db
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate
from tests.progress_helpers import client_for, new_draft

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures


# ---------------------------------------------------------------- follow-up pages

def test_learning_log_and_budget_follow_up(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    ctx(lambda u: ops.approve(ops.submit(_db.session.get(ProgressUpdate, update_id), u["owner"]), u["manager"]))
    client = client_for(app, "reader")
    html = client.get(f"/voortgang/leerlog?initiatief={ids.initiative}").get_data(as_text=True)
    assert "Bewoners komen als buren ze vragen." in html and "Wat werkt in de wijk?" in html
    html = client.get(f"/voortgang/leerlog?leervraag={ids.other_question}").get_data(as_text=True)
    assert "Bewoners komen als buren ze vragen." not in html
    response = client.get("/voortgang/leerlog?initiatief=abc")  # a nonsense filter is ignored
    assert response.status_code == 200 and "Bewoners komen als buren ze vragen." in response.text
    html = client.get(f"/begroting/opvolging?initiatief={ids.initiative}").get_data(as_text=True)
    assert "€ 2.000" in html and "€ 1.500" in html and "€ 8.500" in html  # committed, spent, remaining
    response = client.get("/begroting/opvolging")
    assert response.status_code == 200
    assert "Testinitiatief A" in response.text and "€ 1.500" in response.text
