"""The initiative form in Chromium: axe-core finds nothing at 1280 and 390 px, the page fits 390 px, and the
filter boxes narrow the grouped checkbox lists as the user types (static/js/checkbox-filter.js) without
dropping a checked box that is filtered out."""
import pytest
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from tests.browser_support import check_page

pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser


def _initiative(app, number: str) -> Initiative:
    with app.app_context():
        item = _db.session.scalar(select(Initiative).where(Initiative.number == number))
        return item.id, item.version, sorted(area.id for area in item.figure_areas)


def _visible_labels(page, field: str) -> list[str]:
    return page.locator(f"#{field}-groups li:visible label").all_inner_texts()


def _visible_groups(page, field: str) -> list[str]:
    return page.locator(f"#{field}-groups .checkbox-group:visible > legend").all_inner_texts()


def test_edit_page_is_accessible_at_both_widths_and_the_filters_narrow_the_lists(app, page, axe, artifacts):
    initiative_id, version, areas = _initiative(app, "1.1.8")
    page.goto(f"/initiatieven/{initiative_id}/bewerken")
    check_page(page, axe, artifacts, "initiatief-bewerken-1280")

    all_areas = _visible_labels(page, "areas")
    assert len(all_areas) > 20
    area_filter = page.get_by_label("Gebieden filteren")
    assert area_filter.is_visible()  # shown by the script

    area_filter.fill("oss")
    assert _visible_labels(page, "areas") == ["Oss"]
    assert _visible_groups(page, "areas") == ["Middelgrote gemeenten (M7)"]
    assert page.locator("#areas-filter-count").inner_text() == f"1 van {len(all_areas)} gebieden getoond"

    area_filter.fill("m7")  # a group's name shows the whole group
    assert len(_visible_labels(page, "areas")) == 7
    area_filter.fill("hertogenbosch")  # case does not matter
    assert _visible_labels(page, "areas") == ["'s-Hertogenbosch"]
    area_filter.fill("xyz")
    assert _visible_labels(page, "areas") == [] and _visible_groups(page, "areas") == []
    assert page.locator("#areas-filter-count").inner_text() == "Geen gebieden gevonden"

    partner_filter = page.get_by_label("Organisaties filteren")
    partner_filter.fill("coop")
    assert _visible_labels(page, "partners") == ["Coöperatie Midden-Brabant Glas"]
    partner_filter.fill("team")
    teams = _visible_labels(page, "partners")
    assert teams and all("team" in label.lower() for label in teams)
    assert _visible_groups(page, "partners") == ["Provinciaal team"]

    # Enter in the filter does not submit the form
    partner_filter.press("Enter")
    assert page.url.endswith(f"/initiatieven/{initiative_id}/bewerken")

    # a checked box that the filter hides (Oss) is still saved: saving changes nothing
    area_filter.fill("breda")
    assert _visible_labels(page, "areas") == ["Breda"]
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(f"**/initiatieven/{initiative_id}")
    assert "Er was niets gewijzigd." in page.locator("main").inner_text()
    assert _initiative(app, "1.1.8") == (initiative_id, version, areas)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/initiatieven/{initiative_id}/bewerken")
    page.get_by_label("Gebieden filteren").fill("brabant")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    check_page(page, axe, artifacts, "initiatief-bewerken-390")
