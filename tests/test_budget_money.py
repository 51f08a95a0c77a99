"""Money means one thing everywhere: each reconciliation difference has one sign and one wording on
the dashboard, the budget page, the PDF report and its Excel export; totals compare like with like;
an initiative's budget line rolls up into a prestatie; budget years can be added and reconcile per year."""
import html as html_lib
import io
import re
import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from programme.budget import operations as budget_ops
from programme.budget import queries as budget_queries
from programme.budget.models import BudgetLine, BudgetYears, FundingSource
from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from programme.plan.models import Deliverable
from programme.progress.followup import budget_follow_up
from programme.reports.rendering.content import build_content
from programme.reports.rendering.excel import workbook_bytes
from programme.reports.rendering.finance import finance
from programme.reports.kinds import GS_QUARTERLY
from programme.reports.rendering.pdf import render_pdf
from programme.reports.spans import parse_span
from tests.editing_helpers import form_data, last_audit, signed_in
from tests.progress_helpers import approved, make_world

# From seed 002 (Figuur 3, footnote and second table) and seed 004 (Financiën): ZET allocated
# € 2.133.000 against € 2.099.021, Zorgbelang € 1.066.000 against € 1.120.372, and the
# Statenvoorstel reserves € 11 miljoen against the agenda's € 11.200.000 for 2018/2019.
EXPECTED = {
    ("ZET", "2017"): (Decimal("33979"), "+ € 33.979", "meer toegewezen dan begroot"),
    ("Zorgbelang", "2017"): (Decimal("-54372"), "- € 54.372", "minder toegewezen dan begroot"),
    ("Stelpost Statenvoorstel", "2018/2019"): (Decimal("-200000"), "- € 200.000", "minder gereserveerd dan begroot"),
}


def _row_texts(page: str) -> list[str]:
    """Each table row of a page as plain text."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    return [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _difference_sheet(content):
    archived = SimpleNamespace(
        title=content.title, kind_label="Voortgangsrapportage GS", period_label=content.span.label, version=1,
        made_by_label="Test", created_dt=content.generated_dt, filename="test.pdf", sha256="0" * 64,
        data_version="test", tables=[table.as_json() for table in content.tables])
    workbook = load_workbook(io.BytesIO(workbook_bytes(archived)))
    sheet = next(s for s in workbook.worksheets if s.cell(1, 1).value == "Onderwerp")
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_each_difference_reads_the_same_on_dashboard_budget_page_pdf_and_excel(app, db, login_as):
    client = login_as("reader")
    dashboard = _row_texts(client.get("/").get_data(as_text=True))
    budget_page = _row_texts(client.get("/begroting").get_data(as_text=True))
    content = build_content(GS_QUARTERLY, parse_span("2026-K3"))
    pdf_text = _pdf_text(render_pdf(content))
    excel_rows = _difference_sheet(content)

    for (subject, period), (value, signed, words) in EXPECTED.items():
        # The one definition in the budget domain.
        domain = next(d for d in content.money.differences if d.subject.startswith(subject) and d.period == period)
        assert (domain.value, domain.signed, domain.words) == (value, signed, words)
        assert domain.sentence == f"{signed[2:]} {words}"
        # Budget page: the row of this difference shows the signed amount and its words.
        row = next(r for r in budget_page if r.startswith(f"{subject}") and f" {period} " in r)
        assert f"{signed} {words}" in row, row
        # PDF: the same amount, sign and words in the differences table of the finance section.
        assert re.search(rf"{re.escape(subject)}.{{0,120}}?{re.escape(period)}.{{0,120}}?{re.escape(signed)} "
                         rf"{re.escape(words)}", pdf_text), subject
        # Excel: the difference as a number with the same sign, and the same words.
        cells = next(r for r in excel_rows if r["Onderwerp"].startswith(subject) and r["Periode"] == period)
        assert isinstance(cells["Verschil"], (int, float, Decimal)) and Decimal(str(cells["Verschil"])) == value
        assert cells["Betekenis"] == f"{signed[2:]} {words}"
    for subject in ("ZET", "Zorgbelang"):
        value, signed, words = EXPECTED[(subject, "2017")]
        row = next(r for r in dashboard if r.startswith(f"{subject} 2017 "))
        assert f"{signed} {words}" in row, row
    # The opposite sign appears nowhere.
    assert "- € 33.979" not in pdf_text and "+ € 54.372" not in pdf_text
    assert not any("- € 33.979" in r or "+ € 54.372" in r for r in dashboard + budget_page)


def test_totals_compare_initiatives_spending_with_their_own_budget_lines(db):
    world = make_world(db)
    leren = db.session.scalar(select(Deliverable).where(Deliverable.code == "leren"))
    world.line_province.deliverable_id = leren.id
    approved(world)  # spends € 1.500 (and commits € 2.000) on line_province
    db.session.flush()
    money = finance(parse_span("2090-K1"), {})
    initiative_budget = sum(db.session.scalars(
        select(BudgetLine.amount).where(BudgetLine.initiative_id.is_not(None))), Decimal("0"))
    programme_budget = sum(budget_queries.budget_table().totals.values(), Decimal("0"))
    # The total: initiatives' spending against initiatives' budget lines, not against Figuur 3.
    assert money.total.budgeted == initiative_budget != programme_budget
    assert money.total.spent == Decimal("1500")  # what content() in progress_helpers spends
    assert money.total.remaining == initiative_budget - Decimal("1500")
    assert money.programme_budget == programme_budget  # context only
    # Per prestatie: the tied line with its spending; nothing of Figuur 3 as its budget.
    row = next(r for r in money.deliverables if r.label == leren.name)
    assert (row.budgeted, row.committed, row.spent) == (world.line_province.amount, Decimal("2000"), Decimal("1500"))
    untied = next(r for r in money.deliverables if r.label == "Niet aan een prestatie gekoppeld")
    assert untied.budgeted == initiative_budget - world.line_province.amount and untied.spent == 0
    # Per funding source and per budget period the same like-with-like budget.
    assert sum((r.budgeted for r in money.sources), Decimal("0")) == initiative_budget
    assert sum((r.budgeted for r in money.budget_periods), Decimal("0")) == initiative_budget
    # The budget page's roll-up per prestatie and period, with the follow-up's amounts.
    amounts = {r.budget_line.id: (r.committed, r.spent) for r in budget_follow_up().lines}
    rollup = budget_queries.deliverable_rollup(amounts=amounts)
    cell = next(r for r in rollup.rows if r.deliverable == leren).cells[world.line_province.period.code]
    assert (cell.assigned, cell.spent, cell.remaining) == (
        world.line_province.amount, Decimal("1500"), world.line_province.amount - Decimal("1500"))
    assert cell.comparison.reference == next(
        r for r in budget_queries.budget_table().rows if r.deliverable == leren).totals[world.line_province.period.code]


# ---------------------------------------------------------------- tying a line to a prestatie (HTTP)

@pytest.fixture()
def initiative_line(app):
    """A committed initiative with one budget line."""
    with app.app_context():
        initiative = Initiative(number=f"97.{uuid.uuid4().int % 10**9}", name="Proefinitiatief koppeling",
                                line="crossover", status="active")
        _db.session.add(initiative)
        _db.session.flush()
        period = _db.session.scalar(select(BudgetYears).where(BudgetYears.code == "2017"))
        line = BudgetLine(initiative_id=initiative.id, period_id=period.id, amount=Decimal("25000"))
        _db.session.add(line)
        _db.session.commit()
        return SimpleNamespace(initiative=initiative.id, line=line.id)


def _deliverables(app):
    with app.app_context():
        rows = _db.session.scalars(select(Deliverable).order_by(Deliverable.position)).all()
        return [SimpleNamespace(id=d.id, name=d.name, actions=[a.id for a in d.actions]) for d in rows[:2]]


def _tie(app, line_id):
    with app.app_context():
        line = _db.session.get(BudgetLine, line_id)
        return line.deliverable_id, line.deliverable_action_id, line.version


def test_initiative_line_is_tied_to_a_prestatie_and_action_and_rolls_up(app, initiative_line):
    first, second = _deliverables(app)
    client = signed_in(app)
    page = client.get(f"/begroting/posten/{initiative_line.line}/bewerken")
    text = page.get_data(as_text=True)
    assert 'name="deliverable_id"' in text and "<optgroup" in text and first.name in text
    response = client.post(f"/begroting/posten/{initiative_line.line}/bewerken",
                           data=form_data(page, deliverable_id=first.id, deliverable_action_id=first.actions[0]))
    assert response.status_code == 302
    assert _tie(app, initiative_line.line)[:2] == (first.id, first.actions[0])
    entry = last_audit(app, "budget_line.update", initiative_line.line)
    assert entry.new_values["deliverable_id"] == first.name and "deliverable_action_id" in entry.new_values
    # It rolls up into the prestatie's figures on the budget page.
    with app.app_context():
        rollup = budget_queries.deliverable_rollup()
        cell = next(r for r in rollup.rows if r.deliverable and r.deliverable.id == first.id).cells["2017"]
        assert cell.assigned >= Decimal("25000")
    listing = client.get(f"/begroting/initiatieven/{initiative_line.initiative}").get_data(as_text=True)
    assert first.name in listing


def test_forged_action_of_another_prestatie_is_refused_and_changes_nothing(app, initiative_line):
    first, second = _deliverables(app)
    client = signed_in(app)
    before = _tie(app, initiative_line.line)
    with app.app_context():
        audits = _db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "budget_line.update",
                                                                           AuditEntry.result == "ok"))
    page = client.get(f"/begroting/posten/{initiative_line.line}/bewerken")
    response = client.post(f"/begroting/posten/{initiative_line.line}/bewerken",
                           data=form_data(page, amount="99999", deliverable_id=first.id,
                                          deliverable_action_id=second.actions[0]))
    assert response.status_code == 200
    assert "Deze actie hoort niet bij de gekozen prestatie" in response.get_data(as_text=True)
    assert _tie(app, initiative_line.line) == before
    with app.app_context():
        assert _db.session.get(BudgetLine, initiative_line.line).amount == Decimal("25000")
        assert _db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "budget_line.update", AuditEntry.result == "ok")) == audits
    # An action without its prestatie is refused too, in Dutch.
    response = client.post(f"/begroting/posten/{initiative_line.line}/bewerken",
                           data=form_data(page, deliverable_id="", deliverable_action_id=first.actions[0]))
    assert "Kies eerst de prestatie" in response.get_data(as_text=True)
    assert _tie(app, initiative_line.line) == before


# ---------------------------------------------------------------- budget years

def test_manager_adds_budget_years_and_reconciles_per_year(app):
    client = signed_in(app)
    page = client.get("/begroting/perioden")
    assert "2018/2019" in page.get_data(as_text=True)
    response = client.post("/begroting/perioden", data=form_data(page, first_year="2020", last_year=""))
    assert response.status_code == 302
    with app.app_context():
        period = _db.session.scalar(select(BudgetYears).where(BudgetYears.code == "2020"))
        assert (period.label, period.years) == ("2020", 1)
        period_id = period.id
    assert last_audit(app, "budget_years.create", period_id).new_values["label"] == "2020"
    # Overlapping years and nonsense are refused in Dutch; nothing is added.
    for data, message in (({"first_year": "2019"}, "vallen al (deels) in de begrotingsperiode 2018/2019"),
                          ({"first_year": "2021", "last_year": "2020"}, "kan niet voor het eerste jaar"),
                          ({"first_year": "twintig"}, "jaartal van vier cijfers"),
                          ({"first_year": "2099"}, "tot en met 2040")):
        response = client.post("/begroting/perioden", data=form_data(page, **{"last_year": "", **data}))
        assert response.status_code == 400 and message in html_lib.unescape(response.get_data(as_text=True)), data
    with app.app_context():
        assert _db.session.scalar(select(func.count(BudgetYears.id))) == 3
    # The new year is a column of the budget and can be budgeted on an action.
    with app.app_context():
        leren = _db.session.scalar(select(Deliverable).where(Deliverable.code == "leren"))
        action_id = leren.actions[0].id
    page = client.get(f"/begroting/acties/{action_id}/posten/nieuw")
    assert f'value="{period_id}"' in page.get_data(as_text=True)
    assert client.post(f"/begroting/acties/{action_id}/posten/nieuw",
                       data=form_data(page, period_id=period_id, amount="1.000.000")).status_code == 302
    # ZET's allocation for 2020 is compared with one year of its budget, per year.
    page = client.get(f"/begroting/perioden/{period_id}/toewijzing")
    with app.app_context():
        zet = _db.session.scalar(select(FundingSource).where(FundingSource.code == "zet"))
        zet_id, annual = zet.id, zet.annual_budget
    response = client.post(f"/begroting/perioden/{period_id}/toewijzing",
                           data=form_data(page, **{f"a_{zet_id}_{leren.id}": "2.100.000"}))
    assert response.status_code == 302
    with app.app_context():
        table = budget_queries.budget_table()
        assert table.totals["2020"] == Decimal("1000000")
        items = {(i.funding_source.code, i.period.code): i for i in budget_queries.organisation_allocations()}
        zet_2020 = items["zet", "2020"].comparison
        assert (zet_2020.measured, zet_2020.reference) == (Decimal("2100000"), annual)
        assert zet_2020.sentence == f"€ {2100000 - annual:,.0f}".replace(",", ".") + " meer toegewezen dan begroot"
        assert items["zet", "2017"].difference == Decimal("33979")  # the other years are untouched
        assert items["zorgbelang", "2020"].comparison is None  # not yet divided over the prestaties
        assert last_audit(app, "allocation.create").new_values["amount"] == 2100000  # a number; shown as € 2.100.000
    budget_page = _row_texts(client.get("/begroting").get_data(as_text=True))
    assert any(r.startswith("ZET 2020 ") and "meer toegewezen dan begroot" in r for r in budget_page)
    # A period in use is not removed; an unused one is.
    response = client.post(f"/begroting/perioden/{period_id}/verwijderen", data=form_data(page))
    assert response.status_code == 302
    with app.app_context():
        assert _db.session.get(BudgetYears, period_id) is not None
    page = client.get("/begroting/perioden")
    client.post("/begroting/perioden", data=form_data(page, first_year="2021", last_year="2022"))
    with app.app_context():
        added = _db.session.scalar(select(BudgetYears).where(BudgetYears.code == "2021/2022"))
        assert added.years == 2
        added_id = added.id
    client.post(f"/begroting/perioden/{added_id}/verwijderen", data=form_data(client.get("/begroting/perioden")))
    with app.app_context():
        assert _db.session.get(BudgetYears, added_id) is None


def test_readers_cannot_manage_budget_periods(app):
    client = signed_in(app, "reader")
    assert client.get("/begroting/perioden").status_code in (403, 404)
    assert client.post("/begroting/perioden", data={"first_year": "2020"}).status_code in (400, 403, 404)


def test_line_tie_rules_without_http(db):
    world = make_world(db)
    first, second = db.session.scalars(select(Deliverable).order_by(Deliverable.position).limit(2)).all()
    data = {"period_id": world.line_zet.period_id, "funding_source_id": world.line_zet.funding_source_id,
            "amount": world.line_zet.amount, "description": "test"}
    with pytest.raises(budget_ops.RuleError, match="hoort niet bij de gekozen prestatie"):
        budget_ops.update_line(world.line_zet, {**data, "deliverable_id": first.id,
                                                    "deliverable_action_id": second.actions[0].id},
                                   expected_version=world.line_zet.version)
    assert world.line_zet.deliverable_id is None
    assert budget_ops.update_line(world.line_zet, {**data, "deliverable_id": second.id,
                                                       "deliverable_action_id": second.actions[0].id},
                                      expected_version=world.line_zet.version)
    assert world.line_zet.rolls_up_to == second
