"""The read views: Dutch, formatted, complete, and safe headers."""
import re

from sqlalchemy import select

from programme.initiatives.models import Initiative


def _initiative_id(app, number):
    from programme.core.extensions import db
    with app.app_context():
        return db.session.scalar(select(Initiative.id).where(Initiative.number == number))


def test_dashboard_shows_the_programme(login_as):
    client = login_as("reader")
    html = client.get("/").get_data(as_text=True)
    assert "€ 5.600.000" in html and "€ 11.200.000" in html
    assert "€ 2.099.021" in html and "€ 1.120.372" in html
    assert "+ € 33.979" in html and "- € 54.372" in html
    assert "Gebiedsgericht" in html and "Cross-over" in html
    assert "Lopend" in html
    # The horizon row of a counted programme indicator: no baseline in the source, target 2, no measurement yet.
    row = re.search(r'<th scope="row">Promotietrajecten</th>(.*?)</tr>', html, re.S)
    assert row, "no horizon row for Promotietrajecten"
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]
    assert cells == ["geen nulmeting in de bron", "2", "nog geen meting"], cells


def test_budget_page_has_source_table_and_reconciliation(login_as):
    html = login_as("owner").get("/begroting").get_data(as_text=True)
    for text in ("Aansluiten bij concrete initiatieven", "€ 3.700.000", "€ 7.400.000", "€ 50.000",
                 "Monitor Sociale Veerkracht 2.0", "€ 1.800.000", "€ 133.000", "€ 66.000",
                 "Stelpost Statenvoorstel", "- € 200.000", "TOTAAL (berekend)"):
        assert text in html, text


def test_initiatives_list_and_filters(app, login_as):
    client = login_as("reader")
    html = client.get("/initiatieven").get_data(as_text=True)
    assert "11 initiatieven gevonden" in html
    html = client.get("/initiatieven?lijn=gebiedsgericht").get_data(as_text=True)
    assert "Sociale Stad" in html and "Dorpsmolen" not in html
    html = client.get("/initiatieven?lijn=crossover").get_data(as_text=True)
    assert "Dorpsmolen" in html and "Sociale Stad" not in html
    from programme.core.extensions import db
    from programme.monitor.models import Area
    with app.app_context():
        west = db.session.scalar(select(Area.id).where(Area.name == "West-Brabant"))
        helmond = db.session.scalar(select(Area.id).where(Area.name == "Helmond"))
    html = client.get(f"/initiatieven?gebied={west}").get_data(as_text=True)
    assert "Toekomstvisie Altena" in html and "Sociale Stad" not in html
    html = client.get(f"/initiatieven?gebied={helmond}").get_data(as_text=True)
    assert "1 initiatief gevonden" in html
    html = client.get("/initiatieven?status=completed").get_data(as_text=True)
    assert "0 initiatieven gevonden" in html
    # nonsense filter values are ignored, not errors
    response = client.get("/initiatieven?lijn=<script>&gebied=abc&thema=-1")
    assert response.status_code == 200 and "11 initiatieven gevonden" in response.text
    assert "<script>&" not in response.text and "&lt;script&gt;" not in response.text  # not echoed back


def test_initiative_detail_shows_everything(app, login_as):
    client = login_as("owner")
    html = client.get(f"/initiatieven/{_initiative_id(app, '1.1.3')}").get_data(as_text=True)
    for text in ("1.1.3 Sociale Stad", "Opgave", "Helmond is in Brabant de stad met de meeste",
                 "Gemeente Helmond", "Leervragen", "Rol van provincie, ZET en Zorgbelang",
                 "Monitor Sociale Veerkracht in het gebied", "Verschillen in de bron"):
        assert text in html, text
    assert "16%" in html  # Helmond: share not resilient, beside Brabant
    assert "12%" in html


def test_initiative_without_own_figures_shows_its_region(app, login_as):
    html = login_as("reader").get(f"/initiatieven/{_initiative_id(app, '1.1.6')}").get_data(as_text=True)
    assert "Zundert" in html and "cijfers van West-Brabant" in html


def test_unknown_initiative_is_a_dutch_404(login_as):
    response = login_as("reader").get("/initiatieven/99999")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_monitor_page_per_area_beside_brabant(app, login_as):
    client = login_as("reader")
    html = client.get("/monitor").get_data(as_text=True)
    for text in ("West-Brabant", "Zuidoost-Brabant", "57%", "0,48", "Top 10 gemeenten", "Waar de bronnen verschillen"):
        assert text in html, text
    from programme.core.extensions import db
    from programme.monitor.models import Area
    with app.app_context():
        helmond = db.session.scalar(select(Area.id).where(Area.name == "Helmond"))
    html = client.get(f"/monitor?gebied={helmond}&editie=2018").get_data(as_text=True)
    assert "Helmond" in html and "16%" in html and "Zuidoost-Brabant" in html
    response = client.get("/monitor?editie=2016")
    assert response.status_code == 200 and "2016" in response.text and "West-Brabant" in response.text


def test_security_headers(login_as):
    response = login_as("reader").get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_error_pages_are_generic_and_dutch(app, login_as, monkeypatch):
    client = login_as("reader")
    response = client.get("/bestaat-niet")
    assert response.status_code == 404 and "Pagina niet gevonden" in response.get_data(as_text=True)

    def boom(*_args, **_kwargs):
        raise RuntimeError("geheime interne details")

    monkeypatch.setattr("programme.budget.queries.budget_table", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/begroting")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Er ging iets mis" in html and "geheime" not in html
