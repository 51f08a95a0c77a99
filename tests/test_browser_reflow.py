"""Every page at 390 px wide, as each role, in Chromium (WCAG 1.4.10 reflow): the page does not scroll
sideways, nothing sticks out of it except inside a scroll box, every box that scrolls is a named,
focusable region, and axe-core finds no violation. The pages are those of the app's url_map (see
tests/page_walk.py). Screenshots of the main pages at 1280 and 390 px go to test-artifacts/."""
import pytest

from tests.browser_support import AXE_OPTIONS, axe_report, new_context, new_page, sign_in
from tests.conftest import USERS
from tests.page_walk import page_urls, sample_content

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}

# What sticks out at this width: elements reaching past the right edge that are not inside a box that
# clips or scrolls, and scroll boxes that scroll but cannot be reached by keyboard or have no name.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
      + ' «' + (el.innerText || el.value || '').trim().slice(0, 40) + '»';
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const sticksOut = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.right > width + 1 && !clipped(el);
  };
  const sticking = [];  // the outermost element that sticks out, not each of its descendants
  for (const el of document.body.querySelectorAll('*')) {
    if (sticksOut(el) && !(el.parentElement && el.parentElement !== document.body && sticksOut(el.parentElement))) {
      sticking.push(describe(el) + ' reikt tot ' + Math.round(el.getBoundingClientRect().right) + ' px');
    }
  }
  const unreachable = [];
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (!['auto', 'scroll'].includes(style.overflowX) || el.scrollWidth <= el.clientWidth + 1) continue;
    const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (el.tabIndex < 0 || el.getAttribute('role') !== 'region' || !named) unreachable.push(describe(el));
  }
  return {pageWidth: document.documentElement.scrollWidth, width, sticking: sticking.slice(0, 15), unreachable};
}"""


@pytest.fixture()
def urls(app, live_server):
    with sample_content(app) as prefer:
        with app.app_context():
            found = page_urls(app, prefer)
        yield found + [f"/voortgang/{prefer['other_update_id']}"]


@pytest.mark.parametrize("role", sorted(USERS))
def test_every_page_reflows_at_390_px(browser, live_server, axe, urls, role):
    context = new_context(browser, live_server, viewport=PHONE)
    problems, pages = [], 0
    try:
        page = new_page(context)
        sign_in(page, live_server, role)
        for url in urls:
            head = context.request.get(url, max_redirects=0)  # the context's cookies: what this role gets
            if "text/html" not in (head.headers.get("content-type") or ""):
                continue  # a download (CSV, PDF, Excel, evidence) or JSON, not a page
            page.goto(url)
            pages += 1
            page.wait_for_load_state("load")
            found = page.evaluate(MEASURE)
            if found["pageWidth"] > PHONE["width"]:
                problems.append(f"{url}: de pagina is {found['pageWidth']} px breed")
            problems += [f"{url}: steekt uit: {s}" for s in found["sticking"]]
            problems += [f"{url}: scrollvak niet bereikbaar of zonder naam: {s}" for s in found["unreachable"]]
            results = axe.run(page, options=AXE_OPTIONS)
            if results.violations_count:
                problems.append(f"{url}: axe-core:\n{axe_report(results)}")
            page.problems[:] = [p for p in page.problems if " 40" not in p]  # a 403/404 page is expected
            problems += [f"{url}: {p}" for p in page.problems]
            page.problems.clear()
    finally:
        context.close()
    assert pages > 20
    assert problems == [], "\n".join(problems)


MAIN_PAGES = {"overzicht": "/", "monitor": "/monitor", "begroting": "/begroting", "voortgang": "/voortgang"}


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_main_pages(browser, live_server, app, artifacts, urls, width):
    """For a human to look at: the main pages as the manager, wide and narrow."""
    from sqlalchemy import select

    from programme.core.extensions import db
    from programme.initiatives.models import Initiative
    with app.app_context():
        initiative = db.session.scalar(select(Initiative.id).where(Initiative.number == "1.1.5"))
    context = new_context(browser, live_server, viewport={"width": width, "height": 900})
    try:
        page = new_page(context)
        sign_in(page, live_server)
        shown = {**MAIN_PAGES, "initiatief": f"/initiatieven/{initiative}",
                 "voortgangsbericht": next(u for u in urls if u.startswith("/voortgang/") and u[11:].isdigit())}
        for name, url in shown.items():
            page.goto(url)
            page.wait_for_load_state("load")
            page.screenshot(path=str(artifacts / f"breedte-{width}-{name}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    finally:
        context.close()
