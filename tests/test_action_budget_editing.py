"""The manager edits actions per prestatie (with their planning) and budget lines of actions and
initiatives; the budget page keeps computing and reconciling its totals from the lines."""
import itertools
import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from programme.accounts.operations import find_user
from programme.budget import operations as line_ops
from programme.budget import queries as budget_queries
from programme.budget.models import BudgetLine, BudgetYears, FundingSource
from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from programme.plan import operations as action_ops
from programme.plan.models import Action, ActionPlanning, Deliverable
from programme.progress.models import ProgressRound, ProgressUpdate
from programme.progress.update_items import Spending
from tests.conftest import csrf_token
from tests.editing_helpers import (archive_and_bring_back, assert_saved_meanwhile_is_stale, conflicting_saves,
                                   form_data, last_audit, remove_data, signed_in)

SEEDED_TOTALS = {"2017": Decimal("5600000"), "2018/2019": Decimal("11200000")}
_numbers = itertools.count(1)


def _deliverable_id(app, code="leren") -> int:
    with app.app_context():
        return _db.session.scalar(select(Deliverable.id).where(Deliverable.code == code))


def _period_id(app, code="2017") -> int:
    with app.app_context():
        return _db.session.scalar(select(BudgetYears.id).where(BudgetYears.code == code))


def _new_action(app, code="leren") -> int:
    with app.app_context():
        deliverable = _db.session.get(Deliverable, _deliverable_id(app, code))
        action = action_ops.create_action(deliverable, {"name": f"Proefactie {uuid.uuid4().hex[:8]}",
                                                        "statement": "Iets proberen."})
        action_ops.add_planning(action, {"period_label": "2017", "text": "Opstarten"})
        _db.session.commit()
        return action.id


def _new_initiative(app) -> int:
    with app.app_context():
        item = Initiative(number=f"98.{next(_numbers)}.{uuid.uuid4().int % 1000}", name="Proefinitiatief begroting",
                          line="crossover", status="active")
        _db.session.add(item)
        _db.session.commit()
        return item.id


def _new_line(app, *, action_id=None, initiative_id=None, amount="1000.00") -> int:
    with app.app_context():
        line = line_ops.create_line(
            {"period_id": _period_id(app), "funding_source_id": None, "amount": Decimal(amount)},
            action=_db.session.get(Action, action_id) if action_id else None,
            initiative=_db.session.get(Initiative, initiative_id) if initiative_id else None)
        _db.session.commit()
        return line.id


def _add_spending(app, line_id, initiative_id) -> None:
    """A draft progress update of the initiative reporting spending on the line."""
    with app.app_context():
        code = f"T{uuid.uuid4().hex[:8]}"
        period = ProgressRound(code=code, label=f"Testperiode {code}", starts_on=date(2091, 1, 1),
                                 ends_on=date(2091, 3, 31))
        _db.session.add(period)
        _db.session.flush()
        update_ = ProgressUpdate(initiative_id=initiative_id, period_id=period.id,
                                 author_id=find_user("manager@test.example").id)
        update_.spending.append(Spending(budget_line_id=line_id, committed=Decimal("100"), spent=Decimal("50")))
        _db.session.add(update_)
        _db.session.commit()


def _action(app, action_id):
    with app.app_context():
        _db.session.expire_all()
        item = _db.session.get(Action, action_id)
        return (item.name, item.statement, item.position, item.is_archived, item.version,
                [(p.id, p.period_label, p.text, p.version) for p in item.plannings])


def _line(app, line_id):
    with app.app_context():
        _db.session.expire_all()
        item = _db.session.get(BudgetLine, line_id)
        if item is None:
            return None
        return (item.period_id, item.funding_source_id, item.amount, item.description, item.version)


def _count(app, model) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(model))


def _totals(app):
    with app.app_context():
        table = budget_queries.budget_table()
        checks = budget_queries.reconciliation(table)
        return table.totals, {(c.subject, c.period): c.value for c in checks if c.subject.startswith("TOTAAL")}


def test_manager_creates_and_edits_an_action_and_its_planning(app):
    deliverable_id = _deliverable_id(app)
    client = signed_in(app)
    assert f"/prestaties/{deliverable_id}/acties/nieuw" in client.get("/begroting").get_data(as_text=True)
    page = client.get(f"/prestaties/{deliverable_id}/acties/nieuw")
    response = client.post(f"/prestaties/{deliverable_id}/acties/nieuw", data=form_data(
        page, name="Proefactie wijkbezoek", statement="We bezoeken drie wijken."))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    action_id = int(re.search(r"/acties/(\d+)/bewerken", response.headers["Location"]).group(1))
    name, statement, position, archived, version, plannings = _action(app, action_id)
    assert (name, statement, archived, version, plannings) == (
        "Proefactie wijkbezoek", "We bezoeken drie wijken.", False, 1, [])
    entry = last_audit(app, "action.create", action_id)
    assert entry.new_values["name"] == "Proefactie wijkbezoek" and entry.new_values["deliverable"]
    assert _totals(app)[0] == SEEDED_TOTALS  # an action without lines adds nothing

    path = f"/acties/{action_id}/bewerken"
    page = client.get(path)
    response = client.post(path, data=form_data(page, name="Proefactie wijkbezoeken", position="20"))
    assert response.status_code == 302
    assert _action(app, action_id)[:5] == ("Proefactie wijkbezoeken", "We bezoeken drie wijken.", 20, False, 2)
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
    assert _action(app, action_id)[4] == 2

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
    planning_id, label, body, planning_version = _action(app, action_id)[5][0]
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
    assert _action(app, action_id)[5] == []
    assert last_audit(app, "action_planning.delete", planning_id).old_values["text"] == "Uitvoeren in drie wijken"


def test_an_archived_action_stays_on_the_budget_page(app):
    action_id = _new_action(app)

    def on_the_budget_page(client):
        html = client.get("/begroting").get_data(as_text=True)
        assert re.search(r"Proefactie \w+ <span class=\"badge badge-stopped\">gearchiveerd</span>", html)

    archive_and_bring_back(app, f"/acties/{action_id}", "action", action_id, lambda: _action(app, action_id)[3],
                           while_archived=on_the_budget_page)


def test_a_line_of_an_action_counts_in_the_totals_until_it_is_removed(app):
    action_id = _new_action(app)
    client = signed_in(app)
    page = client.get(f"/begroting/acties/{action_id}/posten/nieuw")
    response = client.post(f"/begroting/acties/{action_id}/posten/nieuw", data=form_data(
        page, period_id=_period_id(app), funding_source_id="", amount="€ 1.234,56", description="Extra wijk"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        line = _db.session.scalar(select(BudgetLine).where(BudgetLine.action_id == action_id))
        line_id = line.id
        assert (line.amount, line.funding_source_id, line.description) == (Decimal("1234.56"), None, "Extra wijk")
    entry = last_audit(app, "budget_line.create", line_id)
    assert entry.new_values["amount"] == 1234.56 and entry.new_values["period_id"] == "2017"
    totals, differences = _totals(app)
    assert totals["2017"] == Decimal("5601234.56")
    assert differences[("TOTAAL Figuur 3", "2017")] == Decimal("-1234.56")
    html = client.get("/begroting").get_data(as_text=True)
    assert "€ 5.601.234,56" in html

    page = client.get(f"/begroting/posten/{line_id}/bewerken")
    assert client.post(f"/begroting/posten/{line_id}/verwijderen", data=remove_data(page)).status_code == 302
    assert _line(app, line_id) is None
    assert last_audit(app, "budget_line.delete", line_id).old_values["amount"] == 1234.56
    totals, differences = _totals(app)
    assert totals == SEEDED_TOTALS and not any(differences.values())


def test_editing_a_seeded_line_shows_in_the_reconciliation(app):
    with app.app_context():
        line = _db.session.scalar(select(BudgetLine).join(BudgetLine.action).join(Deliverable).where(
            Deliverable.code == "leren", BudgetLine.period_id == _period_id(app)).order_by(BudgetLine.id))
        line_id, original = line.id, line.amount
    client = signed_in(app)
    try:
        page = client.get(f"/begroting/posten/{line_id}/bewerken")
        assert "Bron:" in page.get_data(as_text=True)
        response = client.post(f"/begroting/posten/{line_id}/bewerken",
                               data=form_data(page, amount=f"{original + 1000:.2f}"))
        assert response.status_code == 302 and "/acties/" in response.headers["Location"]
        assert _line(app, line_id)[2] == original + 1000
        totals, differences = _totals(app)
        assert totals["2017"] == SEEDED_TOTALS["2017"] + 1000
        assert differences[("TOTAAL Figuur 3", "2017")] == Decimal("-1000")
        entry = last_audit(app, "budget_line.update", line_id)
        assert list(entry.new_values) == ["amount"] and entry.initiative_id is None
    finally:
        with app.app_context():
            line = _db.session.get(BudgetLine, line_id)
            line_ops.update_line(line, {"period_id": line.period_id, "amount": original}, expected_version=line.version)
            _db.session.commit()
    totals, differences = _totals(app)
    assert totals == SEEDED_TOTALS and not any(differences.values())


def test_initiative_lines_are_listed_and_added_in_dutch_money(app):
    initiative_id = _new_initiative(app)
    client = signed_in(app)
    detail = client.get(f"/initiatieven/{initiative_id}").get_data(as_text=True)
    assert f"/begroting/initiatieven/{initiative_id}" in detail
    assert "nog geen begrotingsposten" in client.get(f"/begroting/initiatieven/{initiative_id}").get_data(as_text=True)
    with app.app_context():
        zet = _db.session.scalar(select(FundingSource.id).where(FundingSource.code == "zet"))
    path = f"/begroting/initiatieven/{initiative_id}/posten/nieuw"
    page = client.get(path)
    response = client.post(path, data=form_data(page, period_id=_period_id(app, "2018/2019"), funding_source_id=zet,
                                            amount="1234.56"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/begroting/initiatieven/{initiative_id}")
    with app.app_context():
        line = _db.session.scalar(select(BudgetLine).where(BudgetLine.initiative_id == initiative_id))
        assert (line.amount, line.funding_source_id, line.action_id) == (Decimal("1234.56"), zet, None)
        line_id = line.id
    entry = last_audit(app, "budget_line.create", line_id)
    assert entry.initiative_id == initiative_id and entry.new_values["funding_source_id"] == "ZET"
    html = client.get(f"/begroting/initiatieven/{initiative_id}").get_data(as_text=True)
    assert "€ 1.234,56" in html and f"/begroting/posten/{line_id}/bewerken" in html
    assert _totals(app)[0] == SEEDED_TOTALS  # initiative lines are not part of Figuur 3


def test_invalid_money_and_forged_choices_change_nothing(app):
    initiative_id = _new_initiative(app)
    line_id = _new_line(app, initiative_id=initiative_id)
    before, count = _line(app, line_id), _count(app, BudgetLine)
    client = signed_in(app)
    cases = (({"amount": "-5"}, "Een bedrag kan niet negatief zijn."),
             ({"amount": "1,234"}, "hoogstens twee cijfers achter de komma"),
             ({"amount": "999.999.999"}, "onwaarschijnlijk hoog"),
             ({"amount": "veel"}, "Vul een bedrag in euro’s in"),
             ({"amount": ""}, "Vul een bedrag in."),
             ({"amount": "   "}, "Vul een bedrag in."),
             ({"period_id": "999999"}, "Kies alleen uit de getoonde mogelijkheden."),
             ({"period_id": ""}, "Kies alleen uit de getoonde mogelijkheden."),
             ({"funding_source_id": "999999"}, "Kies alleen uit de getoonde mogelijkheden."),
             ({"funding_source_id": "zet"}, "Kies alleen uit de getoonde mogelijkheden."))
    for path in (f"/begroting/posten/{line_id}/bewerken", f"/begroting/initiatieven/{initiative_id}/posten/nieuw"):
        page = client.get(path)
        for changes, message in cases:
            response = client.post(path, data=form_data(page, **changes))
            html = response.get_data(as_text=True)
            assert response.status_code == 200 and message in html, (path, changes)
            assert "Er is een probleem" in html
    # a line that does not exist
    token = csrf_token(client.get(f"/begroting/posten/{line_id}/bewerken"))
    assert client.post("/begroting/posten/999999/bewerken", data={"csrf_token": token}).status_code == 404
    assert client.post("/begroting/posten/999999/verwijderen", data={"csrf_token": token,
                                                                     "version": "1"}).status_code == 404
    assert client.get("/begroting/acties/999999/posten/nieuw").status_code == 404
    # no CSRF token
    assert client.post(f"/begroting/posten/{line_id}/verwijderen", data={"version": "1"}).status_code == 400
    assert (_line(app, line_id), _count(app, BudgetLine)) == (before, count)


def test_a_line_with_spending_is_never_deleted_and_keeps_period_and_source(app):
    initiative_id = _new_initiative(app)
    line_id = _new_line(app, initiative_id=initiative_id)
    _add_spending(app, line_id, initiative_id)
    client = signed_in(app)
    path = f"/begroting/posten/{line_id}/bewerken"
    page = client.get(path)
    assert "Begrotingspost verwijderen" not in page.get_data(as_text=True)
    before = _line(app, line_id)
    response = client.post(f"/begroting/posten/{line_id}/verwijderen", data={
        "csrf_token": csrf_token(page), "version": str(before[4])}, follow_redirects=True)
    assert "wordt nooit verwijderd" in response.get_data(as_text=True)
    assert _line(app, line_id) == before
    entry = last_audit(app, "budget_line.delete")
    assert entry.result == "refused" and "besteding" in entry.message
    with app.app_context():
        zet = _db.session.scalar(select(FundingSource.id).where(FundingSource.code == "zet"))
    for changes, message in (({"period_id": _period_id(app, "2018/2019")}, "de periode ligt daarom vast"),
                             ({"funding_source_id": zet}, "de financieringsbron ligt daarom vast")):
        response = client.post(path, data=form_data(page, **changes))
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _line(app, line_id) == before
    assert client.post(path, data=form_data(page, amount="2.500")).status_code == 302
    assert _line(app, line_id)[2] == Decimal("2500")


def test_owner_and_reader_get_403_everywhere_and_nothing_changes(app):
    action_id = _new_action(app)
    planning_id = _action(app, action_id)[5][0][0]
    initiative_id = _new_initiative(app)
    line_id = _new_line(app, initiative_id=initiative_id)
    before = _action(app, action_id), _line(app, line_id)
    counts = [_count(app, model) for model in (Action, ActionPlanning, BudgetLine)]
    deliverable_id, period_id = _deliverable_id(app), _period_id(app)
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
    assert (_action(app, action_id), _line(app, line_id)) == before
    assert [_count(app, model) for model in (Action, ActionPlanning, BudgetLine)] == counts


def test_second_of_two_concurrent_edits_gets_409_with_input_kept(app, managers):
    action_id = _new_action(app)
    response, _page = conflicting_saves(managers, f"/acties/{action_id}/bewerken", {"name": "Proefactie eerste"},
                                        {"name": "Proefactie tweede", "statement": "Mijn zin"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Iemand anders heeft deze actie opgeslagen" in html
    assert 'value="Proefactie tweede"' in html and "Mijn zin" in html and "Proefactie eerste" in html
    assert _action(app, action_id)[0] == "Proefactie eerste"
    assert last_audit(app, "action.update").result == "refused"

    second = managers[1]
    planning_id = _action(app, action_id)[5][0][0]
    path = f"/acties/{action_id}/planning/{planning_id}/bewerken"
    response, page_two = conflicting_saves(managers, path, {"text": "Eerst"}, {"text": "Daarna"})
    assert response.status_code == 409 and "Daarna" in response.get_data(as_text=True)
    response = second.post(f"/acties/{action_id}/planning/{planning_id}/verwijderen", data=remove_data(page_two))
    assert response.status_code == 409 and "Niet verwijderd" in response.get_data(as_text=True)
    assert _action(app, action_id)[5][0][2] == "Eerst"

    line_id = _new_line(app, action_id=action_id, amount="1000.00")
    path = f"/begroting/posten/{line_id}/bewerken"
    response, page_two = conflicting_saves(managers, path, {"amount": "1.500"},
                                           {"amount": "2.000,00", "description": "Mijn omschrijving"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'value="2.000,00"' in html and "Mijn omschrijving" in html
    assert "<td class=\"prose\">€ 1.500</td>" in html and "<td class=\"prose\">€ 2.000</td>" in html
    assert _line(app, line_id)[2] == Decimal("1500")
    response = second.post(f"/begroting/posten/{line_id}/verwijderen", data=remove_data(page_two))
    assert response.status_code == 409 and _line(app, line_id) is not None
    # after the conflict the form carries the stored version: saving again overwrites deliberately
    page = second.get(path)
    assert second.post(path, data=form_data(page, amount="2.000,00")).status_code == 302
    assert _line(app, line_id)[2] == Decimal("2000")


@pytest.mark.committed  # another connection saves in between
def test_a_line_saved_between_check_and_flush_raises_stale_data(app):
    action_id = _new_action(app)
    line_id = _new_line(app, action_id=action_id)
    assert_saved_meanwhile_is_stale(app, BudgetLine, line_id, stored={"amount": Decimal("7")},
                                    save=line_ops.update_line,
                                    data_of=lambda line: {"period_id": line.period_id, "amount": Decimal("9")})
    assert _line(app, line_id)[2] == Decimal("7")
