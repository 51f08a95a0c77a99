"""The monitor's map: a pure SVG choropleth, and the map page with the same figures in a table."""
import re
from decimal import Decimal

from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.monitor import geo
from programme.monitor.maps import choropleth, legend_for
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator, MonitorValue
from tests.conftest import count_queries

D = Decimal


def _titles(svg: str) -> dict[str, str]:
    """Area name -> the text after the colon in its <title>."""
    return dict(re.findall(r"<path [^>]*><title>([^<:]+): ([^<]*)</title></path>", svg))


def test_the_2018_map_has_the_municipalities_that_merged_later():
    shapes = geo.shapes("municipality", 2018)
    drawn = choropleth(shapes, {"GM0788": D("3.45"), "GM0738": D("61")}, title="Test", unit="percent")
    titles = _titles(drawn.svg)
    assert len(titles) == 64 and titles["Haaren"] == "3,45%" and titles["Aalburg"] == "61%"
    assert {"Werkendam", "Woudrichem"} <= set(titles) and "Altena" not in titles
    assert "Bron: CBS/Kadaster, 2018" in drawn.svg


def test_the_current_map_shows_the_current_municipalities():
    titles = _titles(choropleth(geo.shapes("municipality", 2026), {}, title="Test").svg)
    assert len(titles) == 56 and {"Altena", "Maashorst", "Land van Cuijk", "Meierijstad"} <= set(titles)
    assert not {"Haaren", "Aalburg", "Uden", "Boxmeer"} & set(titles)


def test_every_area_has_a_title_areas_without_value_are_hatched():
    shapes = geo.shapes("corop", 2018)
    drawn = choropleth(shapes, {"CR33": D("3.4"), "CR34": D("1234.5"), "CR35": None}, title="Veerkracht",
                       level="corop", names={"CR33": "West-Brabant"}, element_id="k1")
    titles = _titles(drawn.svg)
    assert titles == {"West-Brabant": "3,4", "Midden-Noord-Brabant": "1.234,5",
                      "Noordoost-Noord-Brabant": "geen gegevens", "Zuidoost-Noord-Brabant": "geen gegevens"}
    hatched = re.findall(r'<path d="[^"]+" fill="url\(#k1-geen-gegevens\)"><title>([^:]+):', drawn.svg)
    assert hatched == ["Noordoost-Noord-Brabant", "Zuidoost-Noord-Brabant"]
    assert '<pattern id="k1-geen-gegevens"' in drawn.svg
    assert re.search(r'fill="url\(#k1-geen-gegevens\)"[^>]*/><text x="30" y="13">geen gegevens</text>', drawn.svg)
    assert 'role="img" aria-labelledby="k1-titel k1-beschrijving"' in drawn.svg
    assert '<title id="k1-titel">Veerkracht</title>' in drawn.svg and 'id="k1-beschrijving"' in drawn.svg
    assert "Geen gegevens voor 2 van de 4 COROP-regio’s" in drawn.alt and drawn.alt.startswith("Veerkracht. ")
    assert drawn.img().startswith('<img class="map" src="data:image/svg+xml;base64,')


def test_legend_states_its_class_breaks():
    legend = legend_for([D(v) for v in range(1, 11)], "percent")
    assert legend.breaks == (1, 3, 5, 6, 8, 10) and len(legend.colours) == 5
    assert legend.labels() == ["1% tot 3%", "3% tot 5%", "5% tot 6%", "6% tot 8%", "8% tot en met 10%"]
    assert [legend.class_of(D(v)) for v in (1, 2, 3, 8, 10)] == [0, 0, 1, 4, 4] and legend.class_of(None) is None
    fixed = legend_for([D(2)], breaks=[D(0), D("2.5"), D(5)])
    assert fixed.method == "vaste grenzen" and fixed.labels() == ["0 tot 2,5", "2,5 tot en met 5"]
    few = legend_for([D(56), D(56), D(60), None])  # four regions, two values: a class per value
    assert few.labels() == ["56", "60"] and few.class_of(D(60)) == 1
    values = {s.code: D(i) for i, s in enumerate(geo.shapes("municipality", 2018))}
    svg = choropleth(geo.shapes("municipality", 2018), values, title="T").svg
    for label in legend_for(values.values()).labels():
        assert f">{label}</text>" in svg
    assert "geen gegevens</text>" not in svg  # no hatch in the legend when every area has a value


def test_outline_of_given_municipalities_and_escaped_names():
    shapes = geo.shapes("municipality", 2018)
    drawn = choropleth(shapes, {}, title="<Kaart & co>", outline={"GM0738", "GM0870", "GM0874"},
                       outline_label="Toekomstvisie Altena")
    outline = re.search(r'<g class="outline"[^>]*><g [^>]*>(.*?)</g>', drawn.svg).group(1)
    assert outline.count("<path") == 3
    assert ">Toekomstvisie Altena</text>" in drawn.svg
    assert "Toekomstvisie Altena: Aalburg, Werkendam en Woudrichem." in drawn.alt
    assert "&lt;Kaart &amp; co&gt;" in drawn.svg and "&#39;s-Hertogenbosch: geen gegevens" in drawn.svg


def _map_url(year=2018, level="gemeente", indicator="resilience_yes"):
    return f"/monitor/kaart?editie={year}&niveau={level}&indicator={indicator}"


def test_the_map_page_shows_the_map_and_its_table(login_as):
    client = login_as("reader")
    response = client.get(_map_url())
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert "Helmond: 50%" in html  # the map's title of the area ...
    table = html[html.index('<table>'):html.index('</table>')]
    assert re.search(r'<th scope="row">Helmond</th>\s*<td class="num">50%</td>', table)  # ... and the table
    assert table.count('<th scope="row">') == 64 + 1  # every municipality of 2018, and Brabant
    assert "Aalburg" in table and "Per 2019 samengevoegd tot Altena, met Werkendam en Woudrichem." in table
    assert "gearceerd" in table and "Bron: CBS/Kadaster, 2018" in html
    corop = client.get(_map_url(level="corop")).get_data(as_text=True)
    assert "West-Brabant: 56%" in corop and "Gemeente" not in corop[corop.index('<table>'):]
    assert client.get("/monitor/kaart?editie=x&niveau=y&indicator=<z>").status_code == 200
    assert client.get("/monitor").get_data(as_text=True).count('href="/monitor/kaart?editie=2018"') == 1


def test_the_map_page_needs_a_signed_in_user(client):
    response = client.get(_map_url())
    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]


def test_an_edition_of_2026_is_drawn_with_the_municipalities_of_2026(app, login_as):
    client = login_as("manager")
    with app.app_context():
        edition = MonitorEdition(year=2026, name="Voorbeeldeditie 2026", publisher="test")
        _db.session.add(edition)
        _db.session.flush()
        altena = _db.session.scalar(select(Area).where(Area.name == "Altena"))
        indicator = _db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == "resilience_yes"))
        _db.session.add(MonitorValue(edition_id=edition.id, area_id=altena.id, indicator_id=indicator.id,
                                     value=D("58")))
        _db.session.commit()
    html = client.get(_map_url(year=2026)).get_data(as_text=True)
    titles = _titles(html)
    assert len(titles) == 56 and titles["Altena"] == "58%" and not {"Aalburg", "Haaren"} & set(titles)
    assert '<th scope="row">Aalburg' not in html and '<th scope="row">Haaren' not in html
    assert "Sinds 2019 ontstaan uit Aalburg, Werkendam en Woudrichem." in html
    assert "Bron: CBS/Kadaster, 2026" in html


def test_the_map_page_queries_do_not_grow_with_the_areas(app, login_as):
    client = login_as("reader")
    client.get(_map_url())  # warm up: the session's user and the cached boundary files
    municipalities = count_queries(app, client, _map_url(level="gemeente"))  # 64 areas
    assert municipalities == count_queries(app, client, _map_url(level="corop"))  # against 4
