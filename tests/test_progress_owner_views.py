"""Progress pages for the owner over HTTP: what is due, starting a draft, editing it (Dutch amounts,
errors next to the fields, stale edits, forged ids in the form) and what a reader may see. Each test
builds its own committed world (tests.progress_helpers) and removes it afterwards."""
import re

import pytest
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate
from tests.conftest import csrf_token
from tests.progress_helpers import client_for, edit_data, new_draft, state

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures


# ---------------------------------------------------------------- overview and new drafts

def test_owner_sees_what_is_due_and_starts_a_draft(app, ids):
    client = client_for(app, "owner")
    html = client.get(f"/voortgang?periode={ids.period}").get_data(as_text=True)
    assert "Testinitiatief A" in html and "Nog niet begonnen" in html and "Testinitiatief B" not in html
    assert "Leerlog" in html and "Opvolging begroting" in html
    page = client.get(f"/initiatieven/{ids.initiative}/voortgang/nieuw?periode={ids.period}")
    assert page.status_code == 200 and "<label for=\"period_id\">Periode</label>" in page.get_data(as_text=True)
    response = client.post(f"/initiatieven/{ids.initiative}/voortgang/nieuw",
                           data={"csrf_token": csrf_token(page), "period_id": str(ids.period)})
    assert response.status_code == 302 and "/bewerken" in response.location
    with app.app_context():
        created = _db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.initiative_id == ids.initiative))
        assert created.status == "draft" and created.period_id == ids.period
    html = client.get(f"/voortgang?periode={ids.period}").get_data(as_text=True)
    assert "Verder schrijven" in html


def test_reader_sees_only_approved_updates(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    ctx(lambda u: ops.approve(ops.submit(_db.session.get(ProgressUpdate, update_id), u["owner"]), u["manager"]))
    client = client_for(app, "reader")
    html = client.get("/voortgang").get_data(as_text=True)
    assert "Goedgekeurde voortgangsberichten" in html and f"/voortgang/{update_id}" in html
    assert "Bericht schrijven" not in html and "Te beoordelen" not in html
    view = client.get(f"/voortgang/{update_id}").get_data(as_text=True)
    assert "Bewoners komen als buren ze vragen." in view and "Vrijwilligers haken af" in view
    assert "Indienen" not in view and "Goedkeuren" not in view and "Corrigeren" not in view


# ---------------------------------------------------------------- editing

def test_owner_edits_an_update_with_dutch_amounts(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    response = client.post(f"/voortgang/{update_id}/bewerken", data=edit_data(client, update_id, ids))
    assert response.status_code == 302, re.findall(r"error-summary.*?</div>", response.get_data(as_text=True), re.S)
    with app.app_context():
        upd = _db.session.get(ProgressUpdate, update_id)
        assert upd.traffic_light == "aandacht" and upd.done == "Twee bijeenkomsten."
        assert [(s.budget_line_id, str(s.committed), str(s.spent)) for s in upd.spending] == [
            (ids.line_province, "1234.56", "1000.00")]
        assert [str(v.value.normalize()) for v in upd.indicator_values] == ["12.5"]
        assert [(x.learning_question_id, x.text) for x in upd.lessons] == [
            (ids.question, "Persoonlijk uitnodigen werkt.")]
        assert [(r.likelihood, r.impact) for r in upd.risks] == [("laag", "middel")]
    html = client.get(f"/voortgang/{update_id}").get_data(as_text=True)
    assert "€ 1.234,56" in html and "Aandacht nodig" in html and "12,5" in html and "Gewijzigd" in html
    form = client.get(f"/voortgang/{update_id}/bewerken").get_data(as_text=True)
    assert 'value="1.234,56"' in form and "<legend>Stoplicht</legend>" in form and "<legend>Les 1</legend>" in form


def test_negative_amount_is_a_dutch_error_next_to_the_field(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    before = state(app)
    response = client.post(f"/voortgang/{update_id}/bewerken",
                           data=edit_data(client, update_id, ids, **{"spending-0-committed": "-5"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="spending-0-committed-error"' in html and "Een bedrag kan niet negatief zijn." in html
    assert 'href="#spending-0-committed"' in html  # in the error summary
    assert 'value="-5"' in html and "Minder vrijwilligers dan gedacht." in html  # input kept
    assert state(app) == before


def test_incomplete_rows_get_dutch_errors(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    before = state(app)
    html = client.post(f"/voortgang/{update_id}/bewerken", data=edit_data(
        client, update_id, ids, **{"risks-1-description": "Alleen een beschrijving",
                                   "indicator_values-0-measured_on": "",
                                   "lessons-1-learning_question": str(ids.question)})
    ).get_data(as_text=True)
    assert "Kies de kans: laag, middel of hoog." in html and "Vul de meetdatum van Deelnemers in." in html
    assert "Schrijf de les op" in html
    assert state(app) == before


def test_stale_version_keeps_input_and_shows_both_values(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    data = edit_data(client, update_id, ids, done="Mijn eigen tekst over wat gedaan is.")
    ctx(lambda u: ops.update_draft(_db.session.get(ProgressUpdate, update_id),
                                   {"done": "Tekst van de collega."}, u["manager"]))
    before = state(app)
    response = client.post(f"/voortgang/{update_id}/bewerken", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Iemand anders heeft dit voortgangsbericht gewijzigd" in html
    assert "Mijn eigen tekst over wat gedaan is." in html and "Tekst van de collega." in html
    assert "Nu opgeslagen" in html and "Uw invoer" in html
    assert state(app) == before
    # The form now carries the current version: saving again is a conscious overwrite.
    with app.app_context():
        current = _db.session.get(ProgressUpdate, update_id).version
    assert f'value="{current}"' in html


@pytest.mark.parametrize("field, value, status", [
    ("spending-0-budget_line_id", "other_line", 403),
    ("indicator_values-0-indicator_id", "other_indicator", 403),
    ("lessons-0-learning_question", "other_question", 403),
    ("spending-0-budget_line_id", "999999999", 404),
    ("lessons-0-learning_question", "999999999", 404),
])
def test_forged_ids_in_form_fields(app, ids, ctx, field, value, status):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    data = edit_data(client, update_id, ids, **{field: str(getattr(ids, value, value))})
    before = state(app)
    assert client.post(f"/voortgang/{update_id}/bewerken", data=data).status_code == status
    assert state(app) == before
