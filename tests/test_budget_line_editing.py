"""The manager edits the budget lines of actions and initiatives; the budget page's totals follow them.

Lines are added, edited and removed in Dutch money, invalid amounts and forged choices change nothing, a
line with spending is never deleted, and the totals and reconciliation of the budget page follow the lines.
"""
from decimal import Decimal

import pytest
from sqlalchemy import select

from programme.budget import operations as line_ops
from programme.budget.models import BudgetLine, FundingSource
from programme.core.extensions import db as _db
from programme.plan.models import Deliverable
from tests.action_budget_helpers import (SEEDED_TOTALS, add_spending, budget_period_id, budget_totals,
                                         line_state, new_action, new_initiative, new_line, row_count)
from tests.conftest import csrf_token
from tests.editing_helpers import assert_saved_meanwhile_is_stale, form_data, last_audit, remove_data, signed_in


def test_a_line_of_an_action_counts_in_the_totals_until_it_is_removed(app):
    action_id = new_action(app)
    client = signed_in(app)
    page = client.get(f"/begroting/acties/{action_id}/posten/nieuw")
    response = client.post(f"/begroting/acties/{action_id}/posten/nieuw", data=form_data(
        page, period_id=budget_period_id(app), funding_source_id="", amount="€ 1.234,56", description="Extra wijk"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        line = _db.session.scalar(select(BudgetLine).where(BudgetLine.action_id == action_id))
        line_id = line.id
        assert (line.amount, line.funding_source_id, line.description) == (Decimal("1234.56"), None, "Extra wijk")
    entry = last_audit(app, "budget_line.create", line_id)
    assert entry.new_values["amount"] == 1234.56 and entry.new_values["period_id"] == "2017"
    totals, differences = budget_totals(app)
    assert totals["2017"] == Decimal("5601234.56")
    assert differences[("TOTAAL Figuur 3", "2017")] == Decimal("-1234.56")
    html = client.get("/begroting").get_data(as_text=True)
    assert "€ 5.601.234,56" in html

    page = client.get(f"/begroting/posten/{line_id}/bewerken")
    assert client.post(f"/begroting/posten/{line_id}/verwijderen", data=remove_data(page)).status_code == 302
    assert line_state(app, line_id) is None
    assert last_audit(app, "budget_line.delete", line_id).old_values["amount"] == 1234.56
    totals, differences = budget_totals(app)
    assert totals == SEEDED_TOTALS and not any(differences.values())


def test_editing_a_seeded_line_shows_in_the_reconciliation(app):
    with app.app_context():
        line = _db.session.scalar(select(BudgetLine).join(BudgetLine.action).join(Deliverable).where(
            Deliverable.code == "leren", BudgetLine.period_id == budget_period_id(app)).order_by(BudgetLine.id))
        line_id, original = line.id, line.amount
    client = signed_in(app)
    try:
        page = client.get(f"/begroting/posten/{line_id}/bewerken")
        assert "Bron:" in page.get_data(as_text=True)
        response = client.post(f"/begroting/posten/{line_id}/bewerken",
                               data=form_data(page, amount=f"{original + 1000:.2f}"))
        assert response.status_code == 302 and "/acties/" in response.headers["Location"]
        assert line_state(app, line_id)[2] == original + 1000
        totals, differences = budget_totals(app)
        assert totals["2017"] == SEEDED_TOTALS["2017"] + 1000
        assert differences[("TOTAAL Figuur 3", "2017")] == Decimal("-1000")
        entry = last_audit(app, "budget_line.update", line_id)
        assert list(entry.new_values) == ["amount"] and entry.initiative_id is None
    finally:
        with app.app_context():
            line = _db.session.get(BudgetLine, line_id)
            line_ops.update_line(line, {"period_id": line.period_id, "amount": original}, expected_version=line.version)
            _db.session.commit()
    totals, differences = budget_totals(app)
    assert totals == SEEDED_TOTALS and not any(differences.values())


def test_initiative_lines_are_listed_and_added_in_dutch_money(app):
    initiative_id = new_initiative(app)
    client = signed_in(app)
    detail = client.get(f"/initiatieven/{initiative_id}").get_data(as_text=True)
    assert f"/begroting/initiatieven/{initiative_id}" in detail
    assert "nog geen begrotingsposten" in client.get(f"/begroting/initiatieven/{initiative_id}").get_data(as_text=True)
    with app.app_context():
        zet = _db.session.scalar(select(FundingSource.id).where(FundingSource.code == "zet"))
    path = f"/begroting/initiatieven/{initiative_id}/posten/nieuw"
    page = client.get(path)
    response = client.post(path, data=form_data(page, period_id=budget_period_id(app, "2018/2019"),
                                                funding_source_id=zet, amount="1234.56"))
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
    assert budget_totals(app)[0] == SEEDED_TOTALS  # initiative lines are not part of Figuur 3


def test_invalid_money_and_forged_choices_change_nothing(app):
    initiative_id = new_initiative(app)
    line_id = new_line(app, initiative_id=initiative_id)
    before, count = line_state(app, line_id), row_count(app, BudgetLine)
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
    assert (line_state(app, line_id), row_count(app, BudgetLine)) == (before, count)


def test_a_line_with_spending_is_never_deleted_and_keeps_period_and_source(app):
    initiative_id = new_initiative(app)
    line_id = new_line(app, initiative_id=initiative_id)
    add_spending(app, line_id, initiative_id)
    client = signed_in(app)
    path = f"/begroting/posten/{line_id}/bewerken"
    page = client.get(path)
    assert "Begrotingspost verwijderen" not in page.get_data(as_text=True)
    before = line_state(app, line_id)
    response = client.post(f"/begroting/posten/{line_id}/verwijderen", data={
        "csrf_token": csrf_token(page), "version": str(before[4])}, follow_redirects=True)
    assert "wordt nooit verwijderd" in response.get_data(as_text=True)
    assert line_state(app, line_id) == before
    entry = last_audit(app, "budget_line.delete")
    assert entry.result == "refused" and "besteding" in entry.message
    with app.app_context():
        zet = _db.session.scalar(select(FundingSource.id).where(FundingSource.code == "zet"))
    for changes, message in (({"period_id": budget_period_id(app, "2018/2019")}, "de periode ligt daarom vast"),
                             ({"funding_source_id": zet}, "de financieringsbron ligt daarom vast")):
        response = client.post(path, data=form_data(page, **changes))
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert line_state(app, line_id) == before
    assert client.post(path, data=form_data(page, amount="2.500")).status_code == 302
    assert line_state(app, line_id)[2] == Decimal("2500")



@pytest.mark.committed  # another connection saves in between
def test_a_line_saved_between_check_and_flush_raises_stale_data(app):
    action_id = new_action(app)
    line_id = new_line(app, action_id=action_id)
    assert_saved_meanwhile_is_stale(app, BudgetLine, line_id, stored={"amount": Decimal("7")},
                                    save=line_ops.update_line,
                                    data_of=lambda line: {"period_id": line.period_id, "amount": Decimal("9")})
    assert line_state(app, line_id)[2] == Decimal("7")
