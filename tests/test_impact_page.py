"""The Impact page: the three levels, each chart with its table, for every signed-in user."""
import re

from sqlalchemy import select

from programme.dashboard.impact import impact_levels
from programme.monitor import resilience
from programme.monitor.models import MonitorIndicator
from tests.conftest import count_statements
from tests.editing_helpers import signed_in


def test_impact_page_shows_the_three_levels_with_tables(app):
    client = signed_in(app, "reader")
    response = client.get("/impact")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for heading in ("a. De ontwikkeling van sociale veerkracht in Brabant", "b. De impact van het programma",
                    "c. De impact per initiatief", "Toetsingskader"):
        assert heading in page
    # (a) Brabant per edition, the regions on a map with a table, the horizon areas
    assert "Brabant: aandeel inwoners veerkrachtig, deels en niet veerkrachtig per editie" in page
    assert 'class="choropleth"' in page and "Aandeel veerkrachtige inwoners per COROP-regio" in page
    assert "Aandeel veerkrachtig per COROP-regio en editie" in page
    for area in ("West-Brabant", "Midden-Brabant", "Noordoost-Brabant", "Zuidoost-Brabant", "Oosterhout",
                 "Waalwijk", "Meierijstad"):
        assert f'<th scope="row">{area}' in page
    assert "57%" in page or "57 %" in page  # Brabant 2018, veerkrachtig (seed 000, Tabel 1)
    # (b) horizon indicators, (c) initiatives with the status of their indicators
    assert "Promotietrajecten" in page and "Per initiatief de status van zijn indicatoren" in page
    assert "1.1.3 Sociale Stad" in page
    # every table has a caption and column headers with a scope; every chart a text alternative
    tables = re.findall(r"<table.*?</table>", page, re.S)
    assert len(tables) >= 5
    for table in tables:
        assert "<caption" in table and 'scope="col"' in table
    assert page.count('role="img"') >= 3 and "Tekstversie van de grafiek" in page
    assert 'href="/impact" aria-current="page"' in page  # in the navigation, the current item


def test_resilience_levels_from_the_seeded_monitor(db):
    data = resilience.resilience()
    assert [e.year for e in data.editions] == [2018]  # 2016 measured resilience with other categories
    assert [e.year for e in data.other_editions] == [2016]
    brabant = data.brabant.shares[0].values
    assert (brabant["resilience_yes"], brabant["resilience_partly"], brabant["resilience_not"]) == (57, 31, 12)
    assert [s.area.name for s in data.horizon][0] == "West-Brabant"
    assert {s.area.name for s in data.horizon} >= {"Oss", "Waalwijk", "Bergen op Zoom", "Roosendaal"}
    drawn = resilience.region_map(data)
    assert "West-Brabant: 56" in drawn.svg and drawn.alt.startswith("Aandeel veerkrachtige inwoners")


def test_impact_page_queries_do_not_grow_with_initiatives(db):
    from programme.impact.models import ImpactIndicator, ImpactTarget
    from programme.initiatives.models import Initiative

    def statements():
        db.session.expire_all()
        return count_statements(impact_levels)

    before = statements()
    happiness = db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == "happiness"))
    for n in range(12):
        initiative = Initiative(number=f"8.8.{n}", name=f"Proef {n}", line="crossover", resources=[happiness])
        db.session.add(initiative)
        db.session.flush()
        db.session.add(ImpactIndicator(code=f"proef-{n}", initiative_id=initiative.id, name=f"Proef {n}",
                                       unit="count", targets=[ImpactTarget(period_label="2027", target_value=5)]))
    db.session.flush()
    after = statements()
    assert after <= before + 2, (before, after)


def test_gs_report_holds_the_map_with_a_text_alternative_and_the_toetsingskader(app, db):
    import io

    from pypdf import PdfReader

    from programme.accounts.operations import find_user
    from programme.initiatives import operations as initiative_ops
    from programme.initiatives.models import Initiative
    from programme.reports.kinds import GS_QUARTERLY
    from programme.reports.rendering.content import build_content
    from programme.reports.rendering.pdf import render_html, render_pdf
    from programme.reports.spans import parse_span

    helmond = db.session.scalar(select(Initiative).where(Initiative.number == "1.1.3"))
    happiness = db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == "happiness"))
    initiative_ops.set_resources(helmond, [happiness.id], find_user("manager@test.example"))
    report = build_content(GS_QUARTERLY, parse_span("2019-K4"))
    drawn = report.charts["resilience_map"]
    assert "<title" in drawn.svg and "West-Brabant: 56" in drawn.svg  # a title per region, vector SVG
    html = render_html(report)
    assert f'alt="{drawn.alt[:60]}' in html and 'class="map"' in html  # the image carries its text alternative
    assert "Aandeel veerkrachtig per COROP-regio en editie van de monitor" in html
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(report))).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Sociale veerkracht per COROP-regio" in text and "Kaart van de 4 COROP-regio" in text
    assert "Toetsingskader: werken de initiatieven aan wat er het meest toe doet?" in text
    assert "Hulpbronnen die er het meest toe doen en waar geen initiatief aan werkt" in text
    assert "Voelt zich (heel) gelukkig" in text
