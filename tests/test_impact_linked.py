"""Monitor-linked impact indicators: the baseline from the monitor, later editions as context measurements,
owners' values as contribution measurements, the chart, the status rule, the pages and who may link."""
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.core.operations import RuleError
from programme.impact import operations as ops
from programme.impact.charts import indicator_chart
from programme.impact.models import ImpactIndicator, ImpactMeasurement, ImpactTarget
from programme.impact.tracks import BEHIND, NO_DATA, ON_TRACK, Point, period_end, status_of, track_of
from programme.initiatives.models import Initiative
from tests.conftest import csrf_token, login
from tests.conftest import count_queries
from tests.trend_helpers import area, later_edition, monitor_indicator, stored

D = Decimal


def _edition_id(year: int) -> int:
    from programme.monitor.models import MonitorEdition
    return _db.session.scalar(select(MonitorEdition.id).where(MonitorEdition.year == year))


def _link_data(code="resilience_yes", area_name="Oss", year=2018, **extra) -> dict:
    return {"name": "Veerkracht in Oss", "description": None, "unit": None, "higher_is_better": False,
            "monitor_indicator_id": monitor_indicator(code).id, "baseline_value": D("1"), "baseline_text": "getypt",
            "baseline_edition_id": _edition_id(year), "baseline_area_id": area(area_name).id, **extra}


def _slowcare() -> Initiative:
    return _db.session.scalar(select(Initiative).where(Initiative.number == "1.1.8"))


def test_linking_fills_the_baseline_from_the_monitor(db):
    indicator = ops.create_indicator(_slowcare(), _link_data())
    assert indicator.baseline_value == stored(2018, "Oss", "resilience_yes")  # not the typed 1
    assert indicator.baseline_text == "Monitor Sociale Veerkracht 2018: Wel veerkrachtig (>gemiddelde van 3,6), Oss"
    assert indicator.unit == "percent" and indicator.higher_is_better is True  # from the monitor indicator
    track = track_of(indicator)
    assert track.is_linked and track.baseline.value == indicator.baseline_value and track.baseline.label == "2018"
    assert track.context == []  # no later edition yet
    with pytest.raises(RuleError) as refused:  # the monitor has no value for this area in this edition
        ops.create_indicator(_slowcare(), _link_data(code="happiness"))
    assert refused.value.field == "baseline_area_id" and "geeft geen waarde" in refused.value.message
    with pytest.raises(RuleError) as incomplete:
        ops.create_indicator(_slowcare(), _link_data(baseline_area_id=None))
    assert incomplete.value.field == "baseline_area_id"


def test_a_later_edition_becomes_a_context_measurement_beside_contributions(app):
    with app.app_context():
        oss = stored(2018, "Oss", "resilience_yes")
        indicator = ops.create_indicator(_slowcare(), _link_data())
        _db.session.add(ImpactTarget(indicator=indicator, period_label="2022", target_value=oss + 4))
        _db.session.add(ImpactMeasurement(indicator=indicator, value=oss + 1, measured_on=date(2019, 7, 1),
                                          source_text="Voortgangsbericht"))
        _db.session.commit()
        indicator_id = indicator.id
    with later_edition(app, 2020, {("Oss", "resilience_yes"): str(oss + 3), ("Brabant", "resilience_yes"): "59"}):
        with app.app_context():
            track = track_of(_db.session.get(ImpactIndicator, indicator_id))
            assert [(p.label, p.value, p.kind) for p in track.context] == [("2020", oss + 3, "monitor")]
            assert [(p.value, p.kind) for p in track.contributions] == [(oss + 1, "bijdrage")]
            assert [p.label for p in track.actuals] == ["1 juli 2019", "2020"]
            assert [p.label for p in track.brabant] == ["2018", "2020"] and track.brabant[-1].value == 59
            # 2020.5 lies 5/7 of the way from 2018.5 to the end of 2022: expected oss + 4 * 5/7 = oss + 2.86
            assert track.target.label == "2022" and track.status == ON_TRACK
            chart = indicator_chart(track)
            svg = chart.svg
            assert re.search(rf'data-kind="monitor" data-moment="2020.50" data-value="{oss + 3}"', svg)
            assert re.search(rf'data-kind="bijdrage" data-moment="2019.50" data-value="{oss + 1}', svg)
            assert 'data-kind="streefwaarde" data-moment="2023.00"' in svg and 'data-kind="nulmeting"' in svg
            assert svg.count('data-kind="brabant"') == 2
            assert "<title>Contextmeting (monitor) 2020: " in svg and "<desc id=" in svg
            assert "Contextmetingen uit de monitor voor Oss: 2020: " in chart.alt
            assert "Status: op koers." in chart.alt
            assert chart.img().startswith('<img class="chart" src="data:image/svg+xml;base64,')
        # the value is read, not copied: withdrawn or corrected, the track follows the monitor
    with app.app_context():
        assert track_of(_db.session.get(ImpactIndicator, indicator_id)).context == []


def _p(moment, value, kind="x"):
    return Point(moment, str(moment), D(value), kind)


def test_the_status_rule():
    base, target = _p(2018.5, 50), _p(2023.0, 59)  # 9 points to gain in 4.5 years: 2 a year
    assert status_of(None, target, _p(2020.5, 60), True) == NO_DATA
    assert status_of(base, None, _p(2020.5, 60), True) == NO_DATA
    assert status_of(base, target, None, True) == NO_DATA
    assert status_of(base, target, _p(2022.5, 59), True) == ON_TRACK  # reached
    assert status_of(base, target, _p(2020.5, 54), True) == ON_TRACK  # on the straight line (50 + 2 * 2)
    assert status_of(base, target, _p(2020.5, D("53.9")), True) == BEHIND  # short of the line
    assert status_of(base, target, _p(2024.5, 58), True) == BEHIND  # past the target's period, not reached
    lower_base, lower_target = _p(2018.5, 20), _p(2023.0, 11)  # lower is better
    assert status_of(lower_base, lower_target, _p(2020.5, 16), False) == ON_TRACK
    assert status_of(lower_base, lower_target, _p(2020.5, 17), False) == BEHIND
    assert status_of(lower_base, lower_target, _p(2019.0, 11), False) == ON_TRACK
    unknown = _p(0.0, 50)  # a typed baseline: the moment is unknown, moving the right way counts
    assert status_of(unknown, target, _p(2020.5, 51), True) == ON_TRACK
    assert status_of(unknown, target, _p(2020.5, 50), True) == BEHIND
    assert [period_end(x) for x in ("2019", "2026-K2", "2018/2019", "2018-2020", "zomer")] == [
        2020.0, 2026.5, 2020.0, 2021.0, None]


def test_the_indicator_page_and_the_list_render_with_constant_queries(app, login_as):
    client = login_as("manager")
    with app.app_context():
        horizon = _db.session.scalar(select(ImpactIndicator).where(
            ImpactIndicator.code == "horizon_veerkracht_monitor_2019")).id
    html = client.get(f"/indicatoren/{horizon}").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "Tekstversie van de grafiek" in html
    assert "Hoe de status wordt bepaald" in html and "rechte lijn van de nulmeting naar de streefwaarde" in html
    assert re.search(r"<caption>[^<]*nulmeting, streefwaarden en metingen", html)
    assert 'class="badge badge-' in html
    client.get("/indicatoren")
    before = count_queries(app, client, "/indicatoren")
    with app.app_context():
        slowcare = _slowcare()
        for index in range(3):
            ops.create_indicator(slowcare, _link_data(name=f"Q {index}"))
        _db.session.commit()
    assert count_queries(app, client, "/indicatoren") == before
    listing = client.get("/indicatoren").get_data(as_text=True)
    assert listing.count("gekoppeld aan de monitor") >= 4


def test_only_the_manager_links_an_indicator(app, login_as):
    with app.app_context():
        horizon = _db.session.scalar(select(ImpactIndicator).where(
            ImpactIndicator.code == "horizon_veerkracht_monitor_2019")).id
    owner = login_as("owner")
    assert owner.get(f"/indicatoren/{horizon}/bewerken").status_code == 403
    token = csrf_token(owner.get("/monitor"))
    assert owner.post(f"/indicatoren/{horizon}/bewerken", data={"csrf_token": token}).status_code == 403
    assert owner.post("/indicatoren/nieuw", data={"csrf_token": token}).status_code == 403
    assert owner.get(f"/indicatoren/{horizon}").status_code == 200  # reading a programme indicator is fine
    manager = app.test_client()
    login(manager, "manager")
    page = manager.get("/indicatoren/nieuw")
    with app.app_context():
        data = {"csrf_token": csrf_token(page), "initiative_id": str(_slowcare().id),
                "name": "Gekoppeld via scherm", "unit": "", "higher_is_better": "1",
                "monitor_indicator_id": str(monitor_indicator("resilience_yes").id),
                "baseline_value": "", "baseline_text": "", "baseline_edition_id": str(_edition_id(2018)),
                "baseline_area_id": str(area("Oss").id)}
    response = manager.post("/indicatoren/nieuw", data=data)
    assert response.status_code == 302
    with app.app_context():
        made = _db.session.scalar(select(ImpactIndicator).where(ImpactIndicator.name == "Gekoppeld via scherm"))
        assert made.baseline_value == stored(2018, "Oss", "resilience_yes")
    shown = manager.get(f"/indicatoren/{made.id}").get_data(as_text=True)
    assert "Bron: Monitor Sociale Veerkracht 2018, Oss" in shown
    assert "Contextmeting" not in shown.split("<tbody>")[1]


def test_the_gs_report_holds_the_chart_of_a_linked_indicator(app, db):
    import io

    from pypdf import PdfReader

    from programme.reports.kinds import GS_QUARTERLY
    from programme.reports.rendering.content import build_content
    from programme.reports.rendering.pdf import render_pdf
    from programme.reports.spans import parse_span

    report = build_content(GS_QUARTERLY, parse_span("2019-K4"))
    linked = dict(report.charts["linked"])
    chart = linked["Toename van sociale veerkracht in de monitor van 2019"]  # the seeded, linked programme indicator
    assert 'data-kind="nulmeting"' in chart.svg and "Nulmeting 57%" in chart.alt
    assert f'alt="{chart.alt[:40]}' in chart.img()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(report))).pages)
    assert "Figuur 2.1." in text and "contextmetingen uit de monitor" in text


def _figure_alts(pdf: bytes) -> list[str]:
    """The text alternatives (/Alt) of the Figure elements in the PDF's structure tree (PDF/UA)."""
    import io

    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    reader = PdfReader(io.BytesIO(pdf))
    alts, todo = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while todo:
        kids = todo.pop().get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, IndirectObject) and (element := kid.get_object()).get("/Type") != "/OBJR":
                if element.get("/S") == "/Figure" and "/Alt" in element:
                    alts.append(str(element["/Alt"]))
                todo.append(element)
    return alts


def test_the_gs_report_pdf_holds_an_initiatives_chart_with_its_text_alternative(app, db):
    """An initiative's monitor-linked indicator: its chart (baseline from the monitor, target, Brabant) is a
    figure of the GS report's PDF, tagged (PDF/UA) with the chart's text alternative, beside the programme's."""
    from programme.reports.kinds import GS_QUARTERLY
    from programme.reports.rendering.content import build_content
    from programme.reports.rendering.pdf import render_pdf
    from programme.reports.spans import parse_span

    indicator = ops.create_indicator(_slowcare(), _link_data(name="Veerkracht in Oss (PDF)", higher_is_better=True))
    db.session.add(ImpactTarget(indicator_id=indicator.id, period_label="2020", target_value=D("62")))
    db.session.flush()
    report = build_content(GS_QUARTERLY, parse_span("2019-K4"))
    chart = dict(report.charts["linked"])["1.1.8 Veerkracht in Oss (PDF)"]
    assert 'data-kind="nulmeting"' in chart.svg and "Nulmeting 60%" in chart.alt
    alts = _figure_alts(render_pdf(report))
    assert chart.alt in alts  # the initiative's chart, with its text alternative
    assert "Streefwaarden: 2020: 62%." in chart.alt and "Brabant: 2018: 57%." in chart.alt
    assert any(alt.startswith("Toename van sociale veerkracht in de monitor van 2019. Nulmeting 57%") for alt in alts)
