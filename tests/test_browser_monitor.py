"""A monitor edition's way through the real pages in headless Chromium, as the programme manager: import the
example edition file (upload, the validation report, the preview, confirm), publish it, open the map and switch
indicator (with the initiatives' areas outlined), and open an initiative to see its trend with the new edition
and its areas on the map. Every page visited is checked with axe-core (0 violations) and saved as a screenshot
(test-artifacts/monitor-*.png). The edition is removed again afterwards (the audit trail stays)."""
import re

import pytest
from sqlalchemy import delete, func, select

from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from programme.monitor.models import MonitorEdition, MonitorImport, MonitorValue
from programme.seed.example_monitor import FILE
from tests.browser_support import check_page, main_text

pytest_plugins = ["tests.browser_support"]
pytestmark = pytest.mark.browser

YEAR = 2022
NAME = "Monitor Sociale Veerkracht 2022 (voorbeeld, geen echte meting)"


def _remove_edition() -> None:
    edition_ids = _db.session.scalars(select(MonitorEdition.id).where(MonitorEdition.year == YEAR)).all()
    for edition_id in edition_ids:
        _db.session.execute(delete(MonitorValue).where(MonitorValue.edition_id == edition_id))
        _db.session.execute(delete(MonitorImport).where(MonitorImport.edition_id == edition_id))
        _db.session.execute(delete(MonitorEdition).where(MonitorEdition.id == edition_id))
    _db.session.commit()


@pytest.fixture()
def slowcare(app):
    """The initiative to open (1.1.8 Slowcare, in Oss); no edition 2022 before or after the test."""
    with app.app_context():
        assert _db.session.scalar(select(MonitorEdition).where(MonitorEdition.year == YEAR)) is None
        initiative_id = _db.session.scalar(select(Initiative.id).where(Initiative.number == "1.1.8"))
    try:
        yield initiative_id
    finally:
        with app.app_context():
            _remove_edition()


def test_manager_imports_an_edition_and_follows_it_on_the_map_and_an_initiative(app, page, axe, artifacts, slowcare):
    page.goto("/monitor/edities")
    check_page(page, axe, artifacts, "monitor-edities")
    page.get_by_role("link", name="Waarden importeren").click()
    page.wait_for_url("**/monitor/import")
    check_page(page, axe, artifacts, "monitor-import-upload")

    page.get_by_label("Bestand (CSV of Excel)").set_input_files(str(FILE))
    page.get_by_label("breed (tabellenboek", exact=False).check()
    page.get_by_label("Editie (jaar)").fill(str(YEAR))
    page.get_by_label("Naam van de editie").fill(NAME)
    page.get_by_role("button", name="Uploaden en controleren").click()
    page.wait_for_url(re.compile(r".*/monitor/import/[^/]+$"))
    report = main_text(page)
    assert "Controle van het bestand" in report and FILE.name in report
    assert "nieuwe editie, als concept" in report and "Geen problemen gevonden: alle 253 waarden zijn geldig." in report
    check_page(page, axe, artifacts, "monitor-import-controle")

    page.get_by_role("link", name="Verder naar het voorbeeld").click()
    page.wait_for_url(re.compile(r".*/monitor/import/[^/]+/voorbeeld$"))
    assert "253 nieuwe waarden" in main_text(page)
    check_page(page, axe, artifacts, "monitor-import-voorbeeld")
    page.get_by_role("button", name="Importeren").click()
    page.wait_for_url(re.compile(r".*/monitor/edities#editie-2022$"))
    assert f"Geïmporteerd in {NAME}: 253 toegevoegd, 0 gewijzigd, 0 ongewijzigd." in main_text(page)
    page.get_by_role("button", name=f"Editie {YEAR} publiceren").click()
    page.wait_for_url(re.compile(r".*/monitor/edities#editie-2022$"))
    assert f"De editie {YEAR} is gepubliceerd." in main_text(page)
    check_page(page, axe, artifacts, "monitor-edities-gepubliceerd")
    with app.app_context():
        edition = _db.session.scalar(select(MonitorEdition).where(MonitorEdition.year == YEAR))
        count = _db.session.scalar(select(func.count(MonitorValue.id)).where(MonitorValue.edition_id == edition.id))
        assert edition.status == "published" and count == 253

    page.goto("/monitor")
    page.get_by_role("link", name="Bekijk de cijfers op een kaart").click()
    page.wait_for_url("**/monitor/kaart?editie=2022")
    assert page.locator("#kaart-kop").inner_text() == f"Niet veerkrachtig (<3), per gemeente, {NAME}"
    check_page(page, axe, artifacts, "monitor-kaart")
    page.locator("#k-indicator").select_option("resilience_yes")
    page.locator("#k-omlijnen").select_option("initiatieven")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(re.compile(r".*indicator=resilience_yes.*omlijnen=initiatieven"))
    assert page.locator("#kaart-kop").inner_text() == f"Wel veerkrachtig (>gemiddelde van 3,6), per gemeente, {NAME}"
    assert page.locator("svg.choropleth title", has_text="Meierijstad: 66%").count() == 1
    assert page.locator("svg.choropleth g.outline path").count() > 0
    row = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile("^Oss")))
    assert "Omlijnd: 1.1.8 Slowcare" in row.inner_text()
    check_page(page, axe, artifacts, "monitor-kaart-omlijnd")

    page.goto(f"/initiatieven/{slowcare}")
    trend = page.get_by_role("region", name="Ontwikkeling in Oss per editie van de monitor, met Brabant ernaast")
    assert "2022" in trend.locator("thead").inner_text()
    resilient = trend.locator("tr", has=page.get_by_role("rowheader", name=re.compile("^Wel veerkrachtig")))
    assert re.search(r"60%\s+61%\s+\+1 procentpunt\s+▲?\s*beter", resilient.inner_text())
    area_map = page.locator("section", has=page.locator("h2#kaart"))
    assert area_map.locator("svg.choropleth g.outline > g:last-child path").count() == 1  # Oss (under it, its halo)
    outlined = area_map.get_by_role("region", name=re.compile("de omlijnde gebieden"))
    assert "Omlijnd: 1.1.8 Slowcare" in outlined.inner_text()
    check_page(page, axe, artifacts, "monitor-initiatief")
