"""The initiatives' areas on the monitor's map: outlined as they were in the map's year, offered on the map page
by the initiatives layer, shown on an initiative's page, and named in the table beside the map."""
import re

from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.impact import operations as impact_ops
from programme.initiatives import map_overlay
from programme.initiatives.models import Initiative
from programme.monitor import overlays
from programme.monitor.models import MonitorEdition
from tests.trend_helpers import area, later_edition, monitor_indicator

ALTENA = "1.1.5 Toekomstvisie Altena"


def _initiative(number: str) -> Initiative:
    return _db.session.scalar(select(Initiative).where(Initiative.number == number))


def _outlined_paths(html: str, element: str = "") -> int:
    svg = html[html.index(f'aria-labelledby="{element}'):] if element else html
    return re.search(r'<g class="outline"[^>]*><g [^>]*>(.*?)</g>', svg).group(1).count("<path")


def _row(html: str, name: str) -> str:
    """The table row headed `name`, with its heading (where the notes and the reason for the outline are)."""
    return re.search(rf'<th scope="row">{re.escape(name)}(?:<span[^>]*>[^<]*</span>)*</th>(.*?)</tr>', html,
                     re.S).group(0)


def test_an_initiative_is_outlined_with_the_municipalities_of_the_maps_year(db):
    altena = _initiative("1.1.5")  # the source names Aalburg, Werkendam and Woudrichem (and West-Brabant)
    in_2018 = map_overlay.outline_of([altena], 2018, "municipality", "Gebied")
    assert in_2018.reasons == {"GM0738": [ALTENA], "GM0870": [ALTENA], "GM0874": [ALTENA]}
    assert in_2018.elsewhere == ["West-Brabant (COROP-regio) van 1.1.5"]
    in_2022 = map_overlay.outline_of([altena], 2022, "municipality", "Gebied")
    assert in_2022.reasons == {"GM1959": [f"{ALTENA} (genoemd als Aalburg, Werkendam en Woudrichem)"]}
    regions = map_overlay.outline_of([altena], 2018, "corop", "Gebied")
    assert regions.reasons == {"CR33": [ALTENA]}
    assert regions.elsewhere == [f"{name} (gemeente) van 1.1.5" for name in ("Aalburg", "Werkendam", "Woudrichem")]
    several = map_overlay.outline_of([_initiative(n) for n in ("1.1.2", "1.1.5", "1.1.6")], 2018, "corop", "G")
    assert several.reasons["CR33"] == ["1.1.2 Eenzaamheid", ALTENA, "1.1.6 In dialoog over VAB’s"]


def test_the_initiatives_layer_provides_the_overlay(app, db):
    with app.test_request_context():
        values = dict(overlays.choices())
        assert values[map_overlay.ALL] == "Gebieden van alle initiatieven"
        assert values[f"{map_overlay.ONE}{_initiative('1.1.8').id}"] == "1.1.8 Slowcare"
        assert f"{map_overlay.ONE}{_initiative('1.1.1').id}" not in values  # no area: nothing to outline
        everything = overlays.outline(map_overlay.ALL, 2018, "municipality")
        assert {"GM0828", "GM0794", "GM0772", "GM1728", "GM1674", "GM0879", "GM0738"} <= everything.codes
        assert overlays.outline("onbekend", 2018, "municipality") is None
        assert overlays.outline(f"{map_overlay.ONE}999999", 2018, "municipality") is None
        assert overlays.outline("", 2018, "municipality") is None


def _map(client, query: str) -> str:
    response = client.get(f"/monitor/kaart?indicator=resilience_yes&{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_map_page_outlines_all_initiatives_areas_and_says_which(app, login_as):
    client = login_as("reader")
    html = _map(client, "editie=2018&niveau=gemeente&omlijnen=initiatieven")
    assert '<option value="initiatieven" selected>Gebieden van alle initiatieven</option>' in html
    assert _outlined_paths(html) == 9  # Oss, Helmond, Eindhoven, Bladel, Roosendaal, Zundert and the three of Altena
    assert ">Gebied van een initiatief</text>" in html  # the legend
    assert "Omlijnd (gebied van een initiatief): Aalburg, Bladel, Eindhoven, Helmond, Oss, Roosendaal, Werkendam, " \
           "Woudrichem en Zundert." in html
    assert "Omlijnd: 1.1.8 Slowcare" in _row(html, "Oss") and "Omlijnd" not in _row(html, "Tilburg")
    assert f"Omlijnd: {ALTENA}" in _row(html, "Aalburg")
    assert "Niet op deze kaart per gemeente: West-Brabant (COROP-regio) van 1.1.2, 1.1.5 en 1.1.6." in html
    regions = _map(client, "editie=2018&niveau=corop&omlijnen=initiatieven")
    assert _outlined_paths(regions) == 1 and "Omlijnd: 1.1.2 Eenzaamheid; 1.1.5" in _row(regions, "West-Brabant")
    plain = _map(client, "editie=2018&niveau=gemeente&omlijnen=<iets>")  # unknown: nothing outlined, no column
    assert _outlined_paths(plain) == 0 and "Omlijnd" not in plain and 'selected>Gebieden van alle' not in plain


def test_the_current_map_outlines_the_merged_municipality_as_it_is_now(app, login_as):
    client = login_as("reader")
    with app.app_context():
        altena_id = _initiative("1.1.5").id
    with later_edition(app, 2026, {("Altena", "resilience_yes"): "58"}):
        html = _map(client, f"editie=2026&niveau=gemeente&omlijnen=initiatief-{altena_id}")
        assert _outlined_paths(html) == 1 and ">Gebied van initiatief 1.1.5</text>" in html
        row = _row(html, "Altena")
        assert "58%" in row and f"Omlijnd: {ALTENA} (genoemd als Aalburg, Werkendam en Woudrichem)" in row
        assert '<th scope="row">Aalburg' not in html


def test_the_initiative_page_shows_its_areas_on_the_map(app, login_as):
    client = login_as("reader")
    with app.app_context():
        slowcare, dementia = _initiative("1.1.8").id, _initiative("1.1.1").id
    html = client.get(f"/initiatieven/{slowcare}").get_data(as_text=True)
    section = html[html.index('<h2 id="kaart">'):]
    section = section[:section.index("</section>")]
    assert "Wel veerkrachtig (&gt;gemiddelde van 3,6), per gemeente, Monitor Sociale Veerkracht 2018" in section
    assert _outlined_paths(section, "initiatief-kaart") == 1 and ">Gebied van initiatief 1.1.8</text>" in section
    outlined = section[section.index('id="initiatief-kaart-omlijnd"'):section.index("</table>")]
    assert outlined.count('<th scope="row">') == 2  # Oss, and Brabant beside it
    assert "Omlijnd: 1.1.8 Slowcare" in _row(outlined, "Oss") and "<details>" in section
    assert (f'href="/monitor/kaart?indicator=resilience_yes&amp;editie=2018&amp;niveau=gemeente'
            f'&amp;omlijnen=initiatief-{slowcare}"') in section
    chosen = client.get(f"/initiatieven/{slowcare}?kaart=happiness").get_data(as_text=True)
    assert '<option value="happiness" selected>' in chosen and "Voelt zich (heel) gelukkig, per" in chosen
    none = client.get(f"/initiatieven/{dementia}").get_data(as_text=True)
    assert "Dit initiatief heeft geen gemeente of regio op de kaart van de monitor" in none


def test_the_initiative_map_shows_the_monitor_indicator_it_is_linked_to(db):
    slowcare = _initiative("1.1.8")
    indicators = [monitor_indicator("resilience_yes"), monitor_indicator("identity_bond_netherlands")]
    assert map_overlay.headline_indicator(slowcare, indicators, None).code == "resilience_yes"
    edition_id = _db.session.scalar(select(MonitorEdition.id).where(MonitorEdition.year == 2018))
    impact_ops.create_indicator(slowcare, {
        "name": "Binding in Oss", "description": None, "unit": None, "higher_is_better": True,
        "monitor_indicator_id": monitor_indicator("identity_bond_netherlands").id, "baseline_value": None,
        "baseline_text": None, "baseline_edition_id": edition_id, "baseline_area_id": area("Oss").id})
    _db.session.flush()
    _db.session.expire(slowcare, ["indicators"])
    linked = "identity_bond_netherlands"
    assert map_overlay.headline_indicator(slowcare, indicators, None).code == linked
    assert map_overlay.headline_indicator(slowcare, indicators, "resilience_yes").code == "resilience_yes"
    assert map_overlay.headline_indicator(slowcare, indicators, "<onbekend>").code == linked
