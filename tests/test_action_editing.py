"""The manager edits actions per prestatie and their planning; others get 403, a concurrent edit 409.

Owners and readers get 403 on every action and budget-line screen, and the second of two concurrent edits
of an action, its planning or one of its budget lines is refused with the input kept. The budget lines
themselves are in test_budget_line_editing.py.
"""
import re
from decimal import Decimal

from sqlalchemy import select

from programme.budget.models import BudgetLine
from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from programme.plan.models import Action, ActionPlanning
from tests.action_budget_helpers import (SEEDED_TOTALS, action_state, budget_period_id, budget_totals,
                                         deliverable_id_of, line_state, new_action, new_initiative, new_line,
                                         row_count)
from tests.conftest import csrf_token
from tests.editing_helpers import (archive_and_bring_back, conflicting_saves, form_data, last_audit, remove_data,
                                   signed_in)


def test_manager_creates_and_edits_an_action_and_its_planning(app):
    deliverable_id = deliverable_id_of(app)
    client = signed_in(app)
    assert f"/prestaties/{deliverable_id}/acties/nieuw" in client.get("/begroting").get_data(as_text=True)
    page = client.get(f"/prestaties/{deliverable_id}/acties/nieuw")
    response = client.post(f"/prestaties/{deliverable_id}/acties/nieuw", data=form_data(
        page, name="Proefactie wijkbezoek", statement="We bezoeken drie wijken."))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    action_id = int(re.search(r"/acties/(\d+)/bewerken", response.headers["Location"]).group(1))
    name, statement, position, archived, version, plannings = action_state(app, action_id)
    assert (name, statement, archived, version, plannings) == (
        "Proefactie wijkbezoek", "We bezoeken drie wijken.", False, 1, [])
    entry = last_audit(app, "action.create", action_id)
    assert entry.new_values["name"] == "Proefactie wijkbezoek" and entry.new_values["deliverable"]
    assert budget_totals(app)[0] == SEEDED_TOTALS  # an action without lines adds nothing

    path = f"/acties/{action_id}/bewerken"
    page = client.get(path)
    response = client.post(path, data=form_data(page, name="Proefactie wijkbezoeken", position="20"))
    assert response.status_code == 302
    assert action_state(app, action_id)[:5] == ("Proefactie wijkbezoeken", "We bezoeken drie wijken.", 20, False, 2)
    entry = last_audit(app, "action.update", action_id)
    assert entry.old_values == {"name": "Proefactie wijkbezoek", "position": position}
    assert entry.new_values == {"name": "Proefactie wijkbezoeken", "position": 20}
    # Dutch messages, nothing changed: a name the prestatie already has, a position that is no number
    with app.app_context():
        taken = _db.session.scalar(select(Action.name).where(Action.deliverable_id == deliverable_id,
                                                             Action.id != action_id))
    page = client.get(path)
    for changes, message in (({"name": taken}, "al een actie met deze naam"),
                             ({"position": "drie"}, "Vul een geheel getal"), ({"name": ""}, "Vul de naam")):
        response = client.post(path, data=form_data(page, **changes))
        assert response.status_code == 200 and message in response.get_data(as_text=True), message
    assert action_state(app, action_id)[4] == 2

    # planning: add, refuse a bad or taken period, edit, remove
    new = f"/acties/{action_id}/planning/nieuw"
    page = client.get(new)
    assert client.post(new, data=form_data(page, period_label="2018/2019", text="Uitvoeren")).status_code == 302
    for changes, message in (({"period_label": "2019/2018"}, "na het eerste jaar"),
                             ({"period_label": "volgend jaar"}, "Vul een geldige periode in."),
                             ({"period_label": "2018/2019"}, "al een planning voor deze periode"),
                             ({"text": ""}, "Vul de planning in.")):
        data = form_data(page, **{"period_label": "2020", "text": "Afronden", **changes})
        response = client.post(new, data=data)
        assert response.status_code == 200 and message in response.get_data(as_text=True), message
    planning_id, label, body, planning_version = action_state(app, action_id)[5][0]
    assert (label, body, planning_version) == ("2018/2019", "Uitvoeren", 1)
    assert last_audit(app, "action_planning.create", planning_id).new_values == {"period_label": "2018/2019",
                                                                            "text": "Uitvoeren"}
    edit = f"/acties/{action_id}/planning/{planning_id}/bewerken"
    page = client.get(edit)
    assert client.post(edit, data=form_data(page, text="Uitvoeren in drie wijken")).status_code == 302
    assert last_audit(app, "action_planning.update", planning_id).new_values == {"text": "Uitvoeren in drie wijken"}
    page = client.get(edit)
    assert client.post(f"/acties/{action_id}/planning/{planning_id}/verwijderen",
                       data=remove_data(page)).status_code == 302
    assert action_state(app, action_id)[5] == []
    assert last_audit(app, "action_planning.delete", planning_id).old_values["text"] == "Uitvoeren in drie wijken"


def test_an_archived_action_stays_on_the_budget_page(app):
    action_id = new_action(app)

    def on_the_budget_page(client):
        html = client.get("/begroting").get_data(as_text=True)
        assert re.search(r"Proefactie \w+ <span class=\"badge badge-stopped\">gearchiveerd</span>", html)

    archive_and_bring_back(app, f"/acties/{action_id}", "action", action_id, lambda: action_state(app, action_id)[3],
                           while_archived=on_the_budget_page)



def test_owner_and_reader_get_403_everywhere_and_nothing_changes(app):
    action_id = new_action(app)
    planning_id = action_state(app, action_id)[5][0][0]
    initiative_id = new_initiative(app)
    line_id = new_line(app, initiative_id=initiative_id)
    before = action_state(app, action_id), line_state(app, line_id)
    counts = [row_count(app, model) for model in (Action, ActionPlanning, BudgetLine)]
    deliverable_id, period_id = deliverable_id_of(app), budget_period_id(app)
    with app.app_context():
        owned = _db.session.scalar(select(Initiative.id).where(Initiative.number == "1.1.3"))
    line = {"period_id": period_id, "funding_source_id": "", "amount": "5", "version": "1"}
    gets = [f"/prestaties/{deliverable_id}/acties/nieuw", f"/acties/{action_id}/bewerken",
            f"/acties/{action_id}/planning/nieuw", f"/acties/{action_id}/planning/{planning_id}/bewerken",
            f"/begroting/initiatieven/{initiative_id}", f"/begroting/initiatieven/{owned}",
            f"/begroting/acties/{action_id}/posten/nieuw", f"/begroting/initiatieven/{owned}/posten/nieuw",
            f"/begroting/posten/{line_id}/bewerken"]
    posts = {
        f"/prestaties/{deliverable_id}/acties/nieuw": {"name": "Gekaapt"},
        f"/acties/{action_id}/bewerken": {"name": "Gekaapt", "version": "1"},
        f"/acties/{action_id}/archiveren": {}, f"/acties/{action_id}/dearchiveren": {},
        f"/acties/{action_id}/planning/nieuw": {"period_label": "2030", "text": "x"},
        f"/acties/{action_id}/planning/{planning_id}/bewerken": {"period_label": "2030", "text": "x", "version": "1"},
        f"/acties/{action_id}/planning/{planning_id}/verwijderen": {"version": "1"},
        f"/begroting/acties/{action_id}/posten/nieuw": line,
        f"/begroting/initiatieven/{owned}/posten/nieuw": line,
        f"/begroting/posten/{line_id}/bewerken": line,
        f"/begroting/posten/{line_id}/verwijderen": {"version": "1"},
    }
    for role in ("owner", "reader"):
        client = signed_in(app, role)
        token = csrf_token(client.get("/"))
        for path in gets:
            assert client.get(path).status_code == 403, (role, path)
        for path, data in posts.items():
            assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, (role, path)
        html = client.get("/begroting").get_data(as_text=True)
        assert "/acties/" not in html and "/prestaties/" not in html
        assert "/begroting/initiatieven/" not in client.get(f"/initiatieven/{owned}").get_data(as_text=True)
    assert (action_state(app, action_id), line_state(app, line_id)) == before
    assert [row_count(app, model) for model in (Action, ActionPlanning, BudgetLine)] == counts


def test_second_of_two_concurrent_edits_gets_409_with_input_kept(app, managers):
    action_id = new_action(app)
    response, _page = conflicting_saves(managers, f"/acties/{action_id}/bewerken", {"name": "Proefactie eerste"},
                                        {"name": "Proefactie tweede", "statement": "Mijn zin"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Iemand anders heeft deze actie opgeslagen" in html
    assert 'value="Proefactie tweede"' in html and "Mijn zin" in html and "Proefactie eerste" in html
    assert action_state(app, action_id)[0] == "Proefactie eerste"
    assert last_audit(app, "action.update").result == "refused"

    second = managers[1]
    planning_id = action_state(app, action_id)[5][0][0]
    path = f"/acties/{action_id}/planning/{planning_id}/bewerken"
    response, page_two = conflicting_saves(managers, path, {"text": "Eerst"}, {"text": "Daarna"})
    assert response.status_code == 409 and "Daarna" in response.get_data(as_text=True)
    response = second.post(f"/acties/{action_id}/planning/{planning_id}/verwijderen", data=remove_data(page_two))
    assert response.status_code == 409 and "Niet verwijderd" in response.get_data(as_text=True)
    assert action_state(app, action_id)[5][0][2] == "Eerst"

    line_id = new_line(app, action_id=action_id, amount="1000.00")
    path = f"/begroting/posten/{line_id}/bewerken"
    response, page_two = conflicting_saves(managers, path, {"amount": "1.500"},
                                           {"amount": "2.000,00", "description": "Mijn omschrijving"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'value="2.000,00"' in html and "Mijn omschrijving" in html
    assert "<td class=\"prose\">€ 1.500</td>" in html and "<td class=\"prose\">€ 2.000</td>" in html
    assert line_state(app, line_id)[2] == Decimal("1500")
    response = second.post(f"/begroting/posten/{line_id}/verwijderen", data=remove_data(page_two))
    assert response.status_code == 409 and line_state(app, line_id) is not None
    # after the conflict the form carries the stored version: saving again overwrites deliberately
    page = second.get(path)
    assert second.post(path, data=form_data(page, amount="2.000,00")).status_code == 302
    assert line_state(app, line_id)[2] == Decimal("2000")
