"""Reports in a real browser (Debian's headless Chromium): the programme manager asks for a report,
watches its progress (the page polls the status with its static script) and downloads the PDF; a GS
reader downloads it from the archive; an initiative owner is refused. Every page is checked with
axe-core (WCAG 2.1 A/AA) and for console errors.

The scheduler process builds reports; here a background thread running process_queue() stands in
for it, started once the build is queued."""
import hashlib
import re
import threading
from datetime import date
from pathlib import Path

import pytest
from programme.core.extensions import db as _db
from programme.reports.models import ReportBuild
from programme.reports.models import FAILED, PENDING, SENT
from programme.reports.kinds import PS_HALF_YEARLY
from programme.reports import operations
from programme.reports.operations import create_schedule
from programme.reports.worker.builds import process_queue
from tests.report_helpers import clean_reports, make_report  # noqa: F401  (fixture)

from tests.browser_support import check_page, new_page, sign_in

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_reports")]

BUILD_TIMEOUT_MS = 90_000


def _build_in_background(app, results: list) -> threading.Thread:
    def work():
        with app.app_context():
            try:
                results.append(process_queue())
            finally:
                _db.session.remove()

    thread = threading.Thread(target=work, name="report-worker", daemon=True)
    thread.start()
    return thread


def _fill_the_other_pages(app) -> None:
    """An earlier report with every delivery state, a recipient and a schedule, so that axe also
    checks the tables and buttons of the archive, the recipients and the schedules."""
    make_report(app, PS_HALF_YEARLY, title="Eerdere PS-rapportage", period_code="2026-H1", deliveries=[
        ("verzonden@ps.test.example", SENT, 1, None),
        ("mislukt@ps.test.example", FAILED, 5, "Het adres is door de mailserver geweigerd (550 Onbekend)"),
        ("wacht@ps.test.example", PENDING, 1, "De mailserver is niet bereikbaar")])
    with app.app_context():
        operations.add_recipient(PS_HALF_YEARLY, "griffie@ps.test.example", "Griffie")
        create_schedule("PS na elk halfjaar (browsertest)", PS_HALF_YEARLY, 30, 7, date(2026, 1, 1))
        _db.session.commit()


def _download(page, link) -> tuple[str, bytes]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _manager_asks_watches_and_downloads(app, page, live_server, axe, artifacts):
    """Returns the new report's SHA-256 and file name."""
    sign_in(page, live_server, "manager")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Rapportages").click()
    page.wait_for_url(re.compile(r"/rapportages$"))
    assert page.get_by_role("button", name="Opnieuw versturen naar mislukt@ps.test.example").is_visible()
    check_page(page, axe, artifacts, "rapportages-archief")

    page.get_by_role("navigation", name="Rapportages").get_by_role("link", name="Rapportage aanvragen").click()
    page.wait_for_url(re.compile(r"/rapportages/aanvragen$"))
    check_page(page, axe, artifacts, "rapportages-aanvragen")
    page.get_by_label("Soort rapportage").select_option(label="Voortgangsrapportage GS (kwartaal)")
    period_label = page.get_by_label("Periode").locator("option:checked").inner_text()
    page.get_by_role("button", name="Rapportage aanvragen").click()
    page.wait_for_url(re.compile(r"/rapportages/opdrachten/\d+$"))
    build_id = int(page.url.rsplit("/", 1)[1])

    # Queued: the progress bar, the live region and the link for a browser without script.
    assert period_label in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("status").filter(has_text="In de wachtrij").is_visible()
    assert page.get_by_role("progressbar").get_attribute("value") == "0"
    assert page.get_by_role("link", name="Vernieuwen").is_visible()
    check_page(page, axe, artifacts, "rapportages-opdracht-wachtrij")

    # Remember every text the live region shows while the page polls.
    page.evaluate("""() => {
        window.seenMessages = [];
        const region = document.getElementById('build-message');
        new MutationObserver(() => window.seenMessages.push(region.textContent))
            .observe(region, {childList: true, characterData: true, subtree: true});
    }""")
    results: list = []
    worker = _build_in_background(app, results)
    pdf_link = page.get_by_role("link", name="PDF downloaden")
    pdf_link.wait_for(state="visible", timeout=BUILD_TIMEOUT_MS)
    worker.join(timeout=BUILD_TIMEOUT_MS / 1000)
    with app.app_context():
        build = _db.session.get(ReportBuild, build_id)
        assert build.status == "done", f"{build.status}: {build.error}"
        report = build.report
        sha256, filename = report.sha256, report.filename

    assert page.get_by_role("progressbar").get_attribute("value") == "100"
    assert page.evaluate("() => window.seenMessages")[-1] == "Klaar: de rapportage staat in het archief."
    assert not page.get_by_role("link", name="Vernieuwen").is_visible()
    check_page(page, axe, artifacts, "rapportages-opdracht-klaar")

    name, data = _download(page, pdf_link)
    assert name == filename and data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == sha256

    # The other manager pages of reports.
    for path, shot in [("/rapportages/planning", "rapportages-planning"),
                       ("/rapportages/planning/nieuw", "rapportages-planning-nieuw"),
                       ("/rapportages/ontvangers", "rapportages-ontvangers"),
                       ("/rapportages/voorbeeld?soort=gs_kwartaal&periode=2026-K3", "rapportages-voorbeeld")]:
        page.goto(path)
        check_page(page, axe, artifacts, shot)
    return sha256, filename


def _reader_downloads_from_the_archive(page, live_server, axe, artifacts, sha256, filename):
    """A GS reader finds the report in the archive and downloads it."""
    sign_in(page, live_server, "reader")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Rapportages").click()
    page.wait_for_url(re.compile(r"/rapportages$"))
    assert page.get_by_role("navigation", name="Rapportages").count() == 0  # no manager pages
    check_page(page, axe, artifacts, "rapportages-archief-lezer")
    page.get_by_role("link", name="Bekijk de actuele stand als webpagina").click()
    page.wait_for_url(re.compile(r"/rapportages/voorbeeld"))
    assert page.locator("figure.chart svg[role=img]").count() >= 1
    check_page(page, axe, artifacts, "rapportages-voorbeeld-lezer")
    page.goto("/rapportages")
    card = page.locator("article.report-card").filter(has_text=sha256)
    assert card.count() == 1
    name, data = _download(page, card.get_by_role("link", name=re.compile("^PDF downloaden")))
    assert name == filename and hashlib.sha256(data).hexdigest() == sha256


def _owner_is_refused(page, live_server, axe, artifacts):
    """An initiative owner has no link and gets the generic 403 page."""
    sign_in(page, live_server, "owner")
    assert page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Rapportages").count() == 0
    response = page.goto("/rapportages")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Geen toegang"
    # The 403 of the document itself is expected; only other console errors count.
    page.problems[:] = [p for p in page.problems if "403" not in p]
    check_page(page, axe, artifacts, "rapportages-geweigerd")


@pytest.mark.slow
def test_manager_asks_watches_and_downloads_reader_downloads_owner_is_refused(
        app, contexts, live_server, axe, artifacts):
    _fill_the_other_pages(app)
    # Each person has a browser context (a session) of their own; nobody signs out.
    sha256, filename = _manager_asks_watches_and_downloads(
        app, new_page(contexts(accept_downloads=True)), live_server, axe, artifacts)
    _reader_downloads_from_the_archive(new_page(contexts(accept_downloads=True)), live_server, axe, artifacts,
                                       sha256, filename)
    _owner_is_refused(new_page(contexts()), live_server, axe, artifacts)
