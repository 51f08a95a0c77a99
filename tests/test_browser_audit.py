"""The audit pages in headless Chromium at 1280 and 390 px: the content fits the window (nothing forces
the page wider; long values wrap) and axe finds no WCAG 2.1 A/AA violations. Screenshots in
test-artifacts/audit-*.png."""
from datetime import date
from decimal import Decimal

import pytest

from programme.core.extensions import db as _db
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate
from tests.browser_support import check_page, new_context, new_page, sign_in
from tests.progress_helpers import content, ctx, ids, new_draft, world_of  # noqa: F401

pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser

LONG_NOTE = ("Tellingen van twee bijeenkomsten samengevoegd; de presentielijst van de tweede avond ontbrak "
             "en is later aangevuld door de wijkcoördinator " * 4)


@pytest.mark.parametrize("width", [1280, 390])
def test_audit_pages_fit_their_width(browser, live_server, axe, artifacts, ctx, ids, width):  # noqa: F811
    update_id = new_draft(ctx, ids)

    def _change(users):
        world = world_of(ids)
        update = _db.session.get(ProgressUpdate, update_id)
        ops.update_draft(update, content(world, indicator_values=[{
            "impact_indicator": world.indicator, "value": Decimal("40"), "measured_on": date(2090, 3, 15),
            "source": "https://www.example.org/een/heel/lang/adres/zonder/spaties/" + "x" * 80,
            "note": LONG_NOTE}]), users["owner"])
        ops.submit(update, users["owner"])
    ctx(_change)

    context = new_context(browser, live_server, viewport={"width": width, "height": 900})
    try:
        page = new_page(context)
        sign_in(page, live_server)
        for path, name in ((f"/audit?initiatief={ids.initiative}", "programma"),
                           (f"/initiatieven/{ids.initiative}/audit", "initiatief")):
            page.goto(f"{live_server}{path}")
            assert "Notitie: Tellingen" in page.locator("main").inner_text()
            check_page(page, axe, artifacts, f"audit-{name}-{width}")
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner, f"{path} is {scroll} px breed in een venster van {inner} px"
    finally:
        context.close()
