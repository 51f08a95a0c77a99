"""The app in a real browser: headless Debian Chromium signs in, walks the main pages and checks each
with axe-core (WCAG 2.1 A/AA), the keyboard (skip link) and the console (no errors, so no CSP
violations). Each page is saved as a full-page screenshot in test-artifacts/ for a human to look at.
The server, the browser and the checks are in tests/browser_support.py.
"""
import re
import subprocess

import pytest

from tests.browser_support import CHROMIUM, check_page, main_text, new_page
from tests.conftest import PASSWORD, USERS

pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser


# --- tests ------------------------------------------------------------------------------------

def test_the_browser_is_debians_chromium(browser):
    """Guards against a silent switch to a Playwright-downloaded browser."""
    result = subprocess.run(  # noqa: S603 (a fixed path and argument)
        [str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=60, check=True)
    version = re.search(r"Chromium (\d+(?:\.\d+)+)", result.stdout)
    assert version, result.stdout
    assert browser.version == version.group(1)


def test_sign_in_from_the_start_page(browser, live_server, axe, artifacts):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    try:
        page = new_page(context)
        page.goto("/")
        page.wait_for_url(re.compile(r"/aanmelden(\?|$)"))
        assert page.get_by_role("heading", level=1).inner_text() == "Aanmelden"
        check_page(page, axe, artifacts, "aanmelden")

        page.get_by_label("E-mailadres").fill(USERS["manager"][0])
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Aanmelden").click()
        page.wait_for_url(f"{live_server}/")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Programma Versterken Sociale Veerkracht")
        assert USERS["manager"][1] in page.locator(".user-box").inner_text()
        assert page.problems == [], "\n".join(page.problems)
    finally:
        context.close()


def test_wrong_password_shows_an_accessible_error(browser, live_server, axe, artifacts):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    try:
        page = new_page(context)
        page.goto("/aanmelden")
        page.get_by_label("E-mailadres").fill(USERS["reader"][0])
        page.get_by_label("Wachtwoord").fill("niet-het-wachtwoord")
        page.get_by_role("button", name="Aanmelden").click()
        page.wait_for_load_state("load")
        assert "Aanmelden is niet gelukt" in page.get_by_role("alert").inner_text()
        # A 401 response for the document is expected here; only real console errors count.
        page.problems[:] = [p for p in page.problems if "401" not in p]
        check_page(page, axe, artifacts, "aanmelden-fout")
    finally:
        context.close()


def test_dashboard(page, axe, artifacts):
    page.goto("/")
    text = main_text(page)
    # ZET and Zorgbelang: allocated minus annual budget.
    rows = "#zet-zorgbelang ~ .table-scroll table tbody tr"
    zet = page.locator(rows, has_text="ZET").first.inner_text()
    zorgbelang = page.locator(rows, has_text="Zorgbelang").first.inner_text()
    assert "+ € 33.979" in zet
    assert "- € 54.372" in zorgbelang
    assert "€ 5.600.000" in text and "€ 11.200.000" in text
    check_page(page, axe, artifacts, "overzicht")


def test_initiatives_list_and_filter_by_line(page, axe, artifacts):
    page.goto("/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Initiatieven").click()
    page.wait_for_url(re.compile(r"/initiatieven$"))
    assert page.get_by_role("link", name="Initiatieven").get_attribute("aria-current") == "page"
    table = page.locator("table.initiatives")
    assert table.get_by_role("link", name="Sociale Stad").is_visible()
    assert table.get_by_role("link", name="Slowcare").is_visible()
    total = table.locator("tbody tr").count()
    check_page(page, axe, artifacts, "initiatieven")

    page.get_by_label("Uitvoeringslijn").select_option(label="Cross-over")
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url(re.compile(r"lijn=crossover"))
    assert page.get_by_label("Uitvoeringslijn").input_value() == "crossover"
    rows = table.locator("tbody tr")
    count = rows.count()
    assert 0 < count < total
    assert page.get_by_role("status").inner_text() == f"{count} initiatie{'f' if count == 1 else 'ven'} gevonden."
    for line in rows.locator("td:nth-child(3)").all_inner_texts():
        assert line in ("Cross-over", "Gebiedsgericht en cross-over")
    check_page(page, axe, artifacts, "initiatieven-crossover")


def test_initiative_detail(page, axe, artifacts):
    page.goto("/initiatieven")
    page.locator("table.initiatives").get_by_role("link", name="Sociale Stad").click()
    page.wait_for_url(re.compile(r"/initiatieven/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "1.1.3 Sociale Stad"
    facts = page.locator("dl.facts").inner_text()
    assert "Helmond" in facts
    assert USERS["owner"][1] in facts
    assert page.get_by_role("heading", name="Leervragen").is_visible()
    page.get_by_text("Volledige tekst van de leervraag").click()  # opens <details> for the screenshot
    assert page.get_by_text("Annawijk").first.is_visible()
    check_page(page, axe, artifacts, "initiatief-sociale-stad")


def test_budget(page, axe, artifacts):
    page.goto("/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Begroting").click()
    page.wait_for_url(re.compile(r"/begroting$"))
    total = page.locator("table.budget tfoot").inner_text()
    assert "€ 5.600.000" in total
    assert "€ 11.200.000" in total
    assert "+ € 33.979" in main_text(page)
    check_page(page, axe, artifacts, "begroting")


def test_monitor(page, axe, artifacts):
    page.goto("/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Monitor").click()
    page.wait_for_url(re.compile(r"/monitor$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Monitor Sociale Veerkracht")
    first_table = page.locator("table.monitor").first
    headers = first_table.locator("thead th").all_inner_texts()
    assert "Brabant" in headers
    brabant_column = headers.index("Brabant")
    resilient = first_table.locator("tbody tr", has_text="Wel veerkrachtig").locator("th, td").all_inner_texts()
    assert resilient[brabant_column] == "57%"  # Tabel 1: 12/31/57 for Brabant
    check_page(page, axe, artifacts, "monitor")


def test_monitor_for_a_municipality(page, axe, artifacts):
    page.goto("/monitor")
    gebied = page.get_by_label("Gebied")
    helmond = gebied.locator("option", has_text="Helmond").first.inner_text()
    gebied.select_option(label=helmond)
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(re.compile(r"gebied=\d+"))
    assert "Helmond" in page.get_by_label("Gebied").locator("option:checked").inner_text()
    headers = page.locator("table.monitor").first.locator("thead th").all_inner_texts()
    assert headers[1] == "Helmond"
    assert "Brabant" in headers
    check_page(page, axe, artifacts, "monitor-helmond")


@pytest.mark.parametrize("path", ["/aanmelden", "/", "/begroting", "/monitor"])
def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(browser, signed_in, live_server, path):
    # The sign-in page is tested signed out (a signed-in user is redirected away from it).
    context = signed_in if path != "/aanmelden" else browser.new_context(base_url=live_server)
    page = new_page(context)
    try:
        page.goto(path)
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.textContent.trim(), "
                                "document.activeElement.getAttribute('href')]")
        assert focused == ["Direct naar de inhoud", "#inhoud"]
        assert page.get_by_role("link", name="Direct naar de inhoud").is_visible()  # visible on focus
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "inhoud"
        assert page.evaluate("() => document.activeElement.tagName") == "MAIN"
        # Sequential navigation now starts at main: the next Tab reaches the first focusable element
        # in or after it (on a page with none, focus wraps round to the skip link).
        expected = page.evaluate("""() => {
            const main = document.getElementById('inhoud');
            const focusable = [...document.querySelectorAll(
                'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]')];
            const next = focusable.find(el => main.contains(el)
                || (main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING));
            return next ? next.outerHTML : document.querySelector('.skip-link').outerHTML;
        }""")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.outerHTML") == expected
        assert page.problems == [], "\n".join(page.problems)
    finally:
        page.close()
        if context is not signed_in:
            context.close()
