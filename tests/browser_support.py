"""What the browser tests share: the app behind a real HTTP server, Debian's headless Chromium, axe-core
and the checks run on every page (WCAG 2.0/2.1 A/AA, console errors, a full-page screenshot in
test-artifacts/ for a human to look at).

A browser test module loads the fixtures with `pytest_plugins = ["tests.browser_support"]` and imports
the helpers. Pytest registers the plugin after that import, hence PYTEST_DONT_REWRITE: without it pytest
warns that it can no longer rewrite the asserts here (they carry their own messages).

One live server serves every browser test of the session. Each user gets a browser context of their own
(its own cookie jar, so its own session) and no test signs out: signing out ends every session of that
user on the server, which would sign out the same user in another context.

The browser is Debian's `chromium` (apt), never a Playwright download. When it is missing the tests
fail, not skip: a browser check that silently disappears in CI is worse than none.
"""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, USERS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1280, "height": 900}


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live_server(app):
    """The session app behind a real HTTP server on a free port of 127.0.0.1, for all browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def browser(live_server):
    """Debian's headless Chromium, per module (Playwright's event loop does not outlive the module's
    tests). Depends on live_server so it closes before the server stops."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium ontbreekt: {CHROMIUM} bestaat niet. De browsertests draaien met Debian's "
            "chromium; installeer het met `make system-deps` (apt-get install chromium). "
            "Deze tests falen bewust in plaats van over te slaan.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(scope="module")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def signed_in(browser, live_server):
    """One browser context signed in as the programme manager, shared by a module's page tests."""
    context = new_context(browser, live_server)
    page = new_page(context)
    sign_in(page, live_server)
    page.close()
    try:
        yield context
    finally:
        context.close()


@pytest.fixture()
def page(signed_in):
    page = new_page(signed_in)
    try:
        yield page
    finally:
        page.close()


@pytest.fixture()
def contexts(browser, live_server):
    """Make browser contexts (each its own session) for one test; all closed afterwards."""
    made = []

    def _new(**options):
        made.append(new_context(browser, live_server, **options))
        return made[-1]

    try:
        yield _new
    finally:
        for context in made:
            context.close()


# --- helpers ----------------------------------------------------------------------------------

def new_context(browser, base_url: str, **options):
    return browser.new_context(**{"base_url": base_url, "viewport": VIEWPORT, "locale": "nl-NL", **options})


def new_page(context):
    """A page that records console errors and uncaught exceptions in page.problems."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.problems = []
    page.on("console", lambda msg: page.problems.append(f"console.{msg.type}: {msg.text} ({msg.location})")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.problems.append(f"uncaught exception: {exc}"))
    return page


def sign_in(page, base_url: str, role: str = "manager") -> None:
    page.goto(f"{base_url}/aanmelden")
    page.get_by_label("E-mailadres").fill(USERS[role][0])
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(f"{base_url}/")


def axe_report(results) -> str:
    lines = []
    for v in results.response["violations"]:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
                lines.append(f"      * {check['message']}")
    return "\n".join(lines)


def check_page(page, axe, artifacts: Path, name: str) -> None:
    """Screenshot first (so a failing page can still be looked at), then axe and the console."""
    page.wait_for_load_state("load")
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, (
        f"axe-core vond {results.violations_count} WCAG 2.1 A/AA-overtreding(en) op {name} "
        f"({page.url}):\n{axe_report(results)}")
    assert page.problems == [], f"fouten in de console op {name} ({page.url}):\n" + "\n".join(page.problems)


def main_text(page) -> str:
    return page.locator("main").inner_text()
