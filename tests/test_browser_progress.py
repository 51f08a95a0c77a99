"""A progress update's whole life through the real pages in headless Chromium: the owner of 1.1.3 writes
an update (traffic light, texts, an indicator value, a lesson on a learning question, spending on a budget
line, a PDF as evidence) and submits it; the manager returns it with a comment; the owner sees the
comment, corrects and resubmits; the manager approves. Budget follow-up then shows the money and the
learning log the lesson. Every page visited is checked with axe-core and saved as a screenshot
(test-artifacts/voortgang-*.png); the audit trail must hold every step with the right actor.

Owner and manager each have a browser context (and so a session) of their own; nobody signs out, as
that would end the user's sessions in every context (tests/browser_support.py).
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from programme.budget.models import BudgetLine, BudgetYears
from programme.core.formatting import money
from programme.core.extensions import db as _db
from programme.impact.models import ImpactIndicator
from programme.initiatives.models import Initiative
from programme.progress import operations as ops
from programme.progress.queries import line_label
from programme.progress.followup import budget_follow_up
from programme.progress.models import ProgressUpdate
from tests.browser_support import check_page, new_page
from tests.conftest import PASSWORD, USERS
from tests.progress_helpers import (PDF, SCENARIO_AUDIT, audit_steps, last_audit_id, unique)

pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser

SPENT = Decimal("1500.00")
COMMITTED = Decimal("2500.00")
LESSON = "Bewoners komen eerder als een buurvrouw hen persoonlijk uitnodigt."
COMMENT = "Graag ook het aantal bereikte bewoners in de resultaten."


@dataclass
class Setup:
    initiative_id: int
    initiative: str  # "1.1.3 Sociale Stad"
    period_id: int
    period: str
    question_id: int
    question: str
    indicator: str  # the legend of the indicator's group in the edit form
    line: str  # the legend of the budget line's group in the edit form
    line_row: int  # the line's row in budget follow-up for the initiative
    spent: Decimal  # what budget follow-up should show as spent on that line afterwards
    created_indicator: int | None
    created_line: int | None


@pytest.fixture()
def setup(app):
    """An open period around today; an impact indicator and a budget line for 1.1.3 where it has none.
    Committed (the browser's server must see it); the database gets its seeded rows back afterwards."""
    with app.app_context():
        initiative = _db.session.scalar(select(Initiative).where(Initiative.number == "1.1.3"))
        code = unique("BT")
        period = ops.add_period(code, f"Testperiode browser {code[-4:]}", date.today() - timedelta(days=30),
                                date.today() + timedelta(days=60))
        indicator = _db.session.scalar(select(ImpactIndicator).where(
            ImpactIndicator.initiative_id == initiative.id, ImpactIndicator.is_archived.is_(False))
            .order_by(ImpactIndicator.position, ImpactIndicator.id))
        created_indicator = indicator is None
        if created_indicator:
            indicator = ImpactIndicator(code=unique("bt-"), name="Bewoners bereikt", initiative_id=initiative.id)
            _db.session.add(indicator)
        line = _db.session.scalar(select(BudgetLine).where(BudgetLine.initiative_id == initiative.id)
                                  .order_by(BudgetLine.period_id, BudgetLine.id))
        created_line = line is None
        if created_line:
            budget_period = _db.session.scalar(select(BudgetYears).order_by(BudgetYears.first_year.desc()))
            line = BudgetLine(initiative_id=initiative.id, period_id=budget_period.id, amount=Decimal("20000.00"),
                              description="Ontmoetingen in de wijk")
            _db.session.add(line)
        _db.session.flush()
        rows = budget_follow_up(initiative).lines
        row = next(i for i, r in enumerate(rows) if r.budget_line.id == line.id)
        question = initiative.learning_questions[0]
        result = Setup(initiative.id, str(initiative), period.id, period.label, question.id, question.question,
                       indicator.name + (f" ({indicator.unit})" if indicator.unit else ""), line_label(line), row,
                       rows[row].spent + SPENT, indicator.id if created_indicator else None,
                       line.id if created_line else None)
        _db.session.commit()
    return result


class Actor:
    """One user in a browser context of their own, signed in through the sign-in page."""

    def __init__(self, contexts, role, axe, artifacts):
        self.role, self.axe, self.artifacts = role, axe, artifacts
        self.page = new_page(contexts())

    def check(self, name: str) -> None:
        check_page(self.page, self.axe, self.artifacts, f"voortgang-{name}")

    def sign_in(self) -> None:
        page = self.page
        page.goto("/aanmelden")
        self.check(f"{self.role}-aanmelden")
        page.get_by_label("E-mailadres").fill(USERS[self.role][0])
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Aanmelden").click()
        page.wait_for_url(re.compile(r"/$"))
        self.assert_signed_in()
        self.check(f"{self.role}-overzicht")

    def assert_signed_in(self) -> None:
        assert USERS[self.role][1] in self.page.locator(".user-box").inner_text()

    def menu(self, name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=name).click()

    def open_progress(self, setup: Setup) -> None:
        """Voortgang in the main menu, on the scenario's period."""
        page = self.page
        self.menu("Voortgang")
        if page.get_by_label("Periode", exact=True).count():  # more than one open period
            page.get_by_label("Periode", exact=True).select_option(label=setup.period)
            page.get_by_role("button", name="Toon").click()
            page.wait_for_url(re.compile(r"periode="))
        assert setup.period in page.locator("#te-doen").inner_text()

    def click(self, role: str, name: str, flash: str | None = None, url: str | None = None) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role(role, name=name, exact=True).click()
        if url:
            assert re.search(url, self.page.url), self.page.url
        if flash:
            assert flash in self.page.locator(".flashes").inner_text()


def write_update(owner: Actor, setup: Setup) -> None:
    page = owner.page
    page.get_by_role("radio", name="Aandacht nodig").check()
    page.get_by_label("Toelichting op het stoplicht").fill("De zaal in de Annawijk is pas in juni vrij.")
    page.get_by_label("Wat is er gedaan?").fill("Drie ontmoetingsavonden en een buurtlunch georganiseerd.")
    page.get_by_label("Resultaten", exact=True).fill("Nieuwe bewoners sloten aan bij de buurtlunch.")
    page.get_by_label("Volgende stappen").fill("Een vaste ontmoetingsplek zoeken.")
    lesson = page.get_by_role("group", name="Les 1")
    lesson.get_by_label("Leervraag").select_option(str(setup.question_id))
    lesson.get_by_label("Wat heeft u geleerd?").fill(LESSON)
    indicator = page.get_by_role("group", name=setup.indicator)
    indicator.get_by_label("Waarde").fill("42")
    indicator.get_by_label("Meetdatum").fill(date.today().isoformat())
    indicator.get_by_label("Bron").fill("Presentielijsten")
    spending = page.get_by_role("group", name=setup.line)
    spending.get_by_label("Verplicht in deze periode (€)").fill("2.500")
    spending.get_by_label("Besteed in deze periode (€)").fill("1.500,00")


@pytest.mark.slow
def test_owner_writes_manager_returns_owner_corrects_manager_approves(app, contexts, axe, artifacts, setup):
    with app.app_context():
        start = last_audit_id()
    owner = Actor(contexts, "owner", axe, artifacts)
    manager = Actor(contexts, "manager", axe, artifacts)

    # The owner signs in and opens what is due.
    owner.sign_in()
    owner.open_progress(setup)
    row = owner.page.get_by_role("row", name=re.compile(re.escape(setup.initiative)))
    assert "Nog niet begonnen" in row.inner_text() and "actie nodig" in row.inner_text()
    owner.check("01-eigenaar-te-doen")

    # ... writes the update, saves it, adds a PDF and submits.
    owner.click("button", f"Bericht schrijven voor {setup.initiative}", flash="concept", url=r"/bewerken$")
    update_id = int(re.search(r"/voortgang/(\d+)/bewerken", owner.page.url).group(1))
    owner.check("02-eigenaar-nieuw-concept")
    write_update(owner, setup)
    owner.click("button", "Opslaan", flash="Het voortgangsbericht is opgeslagen.", url=rf"/voortgang/{update_id}$")
    text = owner.page.locator("main").inner_text()
    assert "Aandacht nodig" in text and LESSON in text and "€ 1.500" in text and "42" in text
    owner.check("03-eigenaar-opgeslagen")
    owner.click("link", "Bewerken", url=r"/bewerken$")
    owner.page.get_by_label("Bestand").set_input_files(
        {"name": "verslag-ontmoetingsavonden.pdf", "mimeType": "application/pdf", "buffer": PDF})
    owner.click("button", "Uploaden", flash="Het bestand verslag-ontmoetingsavonden.pdf is toegevoegd.")
    assert owner.page.get_by_role("link", name="verslag-ontmoetingsavonden.pdf").is_visible()
    owner.check("04-eigenaar-bewijsstuk")
    owner.click("link", "Annuleren", url=rf"/voortgang/{update_id}$")
    owner.click("button", "Indienen", flash="Het voortgangsbericht is ingediend bij de programmamanager.")
    assert owner.page.locator("dl.facts").get_by_text("Ingediend").is_visible()
    owner.check("05-eigenaar-ingediend")

    # The manager signs in (a session of their own), finds it in the queue and returns it.
    manager.sign_in()
    manager.open_progress(setup)
    queue = manager.page.get_by_role("region", name="Te beoordelen")
    manager.check("06-manager-te-beoordelen")
    with manager.page.expect_navigation():
        queue.get_by_role("link", name=setup.initiative).click()
    assert manager.page.url.endswith(f"/voortgang/{update_id}")
    manager.check("07-manager-bericht")
    manager.page.get_by_label("Wat moet er worden aangepast?").fill(COMMENT)
    manager.click("button", "Terugsturen", flash="Het voortgangsbericht is teruggestuurd naar de eigenaar.")
    manager.check("08-manager-teruggestuurd")

    # The owner (still signed in: the manager's sign-in did not touch the owner's session) sees the
    # comment, corrects the update and submits it again.
    owner.open_progress(setup)
    owner.assert_signed_in()
    row = owner.page.get_by_role("row", name=re.compile(re.escape(setup.initiative)))
    assert "Teruggestuurd" in row.inner_text() and "actie nodig" in row.inner_text()
    owner.check("09-eigenaar-teruggestuurd")
    owner.click("link", f"Verder schrijven voor {setup.initiative}", url=r"/bewerken$")
    assert COMMENT in owner.page.locator(".review-comment").inner_text()
    owner.check("10-eigenaar-opmerking")
    owner.page.get_by_label("Resultaten", exact=True).fill(
        "Nieuwe bewoners sloten aan bij de buurtlunch: 42 bewoners bereikt.")
    owner.click("button", "Opslaan", flash="Het voortgangsbericht is opgeslagen.")
    assert COMMENT in owner.page.locator(".review-comment").inner_text()  # stays visible until approval
    owner.click("button", "Indienen", flash="Het voortgangsbericht is ingediend")
    owner.check("11-eigenaar-opnieuw-ingediend")

    # The manager approves.
    manager.open_progress(setup)
    manager.assert_signed_in()
    with manager.page.expect_navigation():
        manager.page.get_by_role("region", name="Te beoordelen").get_by_role("link", name=setup.initiative).click()
    assert "42 bewoners bereikt" in manager.page.locator("main").inner_text()
    manager.click("button", "Goedkeuren", flash="Het voortgangsbericht is goedgekeurd.")
    assert manager.page.locator("dl.facts").get_by_text("Goedgekeurd").is_visible()
    manager.check("12-manager-goedgekeurd")

    # Budget follow-up shows the spent amount on the line.
    manager.menu("Voortgang")
    manager.click("link", "Opvolging begroting", url=r"/begroting/opvolging$")
    manager.check("13-opvolging-begroting")
    manager.page.get_by_label("Initiatief").select_option(label=setup.initiative)
    manager.click("button", "Filteren", url=rf"initiatief={setup.initiative_id}")
    cells = manager.page.locator("table").nth(1).locator("tbody tr").nth(setup.line_row).locator("td")
    assert cells.nth(5).inner_text() == money(setup.spent)  # Besteed
    manager.check("14-opvolging-begroting-initiatief")

    # The learning log shows the lesson under its learning question, for 1.1.3 and for the programme.
    owner.menu("Voortgang")
    owner.click("link", "Leerlog", url=r"/voortgang/leerlog$")
    owner.page.get_by_label("Initiatief").select_option(label=setup.initiative)
    owner.click("button", "Filteren", url=rf"initiatief={setup.initiative_id}")
    question = owner.page.locator(".learning-question", has=owner.page.get_by_role("heading", level=3))
    block = question.filter(has_text=LESSON)
    assert block.count() == 1
    heading, expected = (" ".join(text.split()) for text in (block.get_by_role("heading", level=3).inner_text(),
                                                             setup.question))
    assert heading == expected[:1].upper() + expected[1:]
    assert setup.period in block.inner_text() and "Open" in block.inner_text()
    owner.check("15-leerlog-initiatief")
    owner.click("link", "Hele programma", url=r"/voortgang/leerlog$")
    assert LESSON in owner.page.locator(f"section[aria-labelledby='initiatief-{setup.initiative_id}']").inner_text()
    owner.check("16-leerlog-programma")

    # The update's own page: final, with its history.
    owner.page.goto(f"/voortgang/{update_id}")
    owner.check("17-eigenaar-goedgekeurd-bericht")
    owner.assert_signed_in()
    manager.assert_signed_in()

    # Every step is in the audit trail, in order, with the right actor.
    with app.app_context():
        assert _db.session.get(ProgressUpdate, update_id).status == "approved"
        assert audit_steps(update_id, start) == SCENARIO_AUDIT
