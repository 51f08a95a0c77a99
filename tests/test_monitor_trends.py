"""Trends of the monitor: change per edition, direction within the threshold, Brabant beside it, area
changes between editions, the trend page, the initiative page, and the manager's threshold."""
import re
from decimal import Decimal

from sqlalchemy import select

from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.monitor import trends
from programme.monitor.models import MonitorIndicator
from tests.conftest import csrf_token, login
from tests.conftest import count_queries
from tests.trend_helpers import area, later_edition, monitor_indicator, stored

D = Decimal


def _indicator(unit="percent", higher=True, threshold=None):
    return MonitorIndicator(code="t", name="Test", resource="social", unit=unit, higher_is_better=higher,
                            trend_threshold=threshold)


def test_direction_within_the_threshold(app):
    percent = _indicator()
    assert trends.threshold_of(percent) == 1  # 1 percentage point by default
    assert [trends.direction(D(c), percent) for c in ("0.9", "-0.9", "1", "-1", "3")] == [
        "gelijk", "gelijk", "beter", "slechter", "beter"]
    assert trends.direction(None, percent) is None
    lower = _indicator(higher=False)
    assert [trends.direction(D(c), lower) for c in ("-2", "2", "0.5")] == ["beter", "slechter", "gelijk"]
    score = _indicator(unit="score")
    assert trends.threshold_of(score) == D("0.1")  # 0.1 on a 1-5 scale
    assert [trends.direction(D(c), score) for c in ("0.05", "0.1", "-0.2")] == ["gelijk", "beter", "slechter"]
    own = _indicator(threshold=D("2.5"))
    assert [trends.direction(D(c), own) for c in ("2", "-2.4", "2.5")] == ["gelijk", "gelijk", "beter"]
    assert "2,5 procentpunt" == trends.threshold_label(own) and "(standaard)" in trends.threshold_label(percent)
    no_direction = _indicator(higher=None)
    assert [trends.direction(D(c), no_direction) for c in ("2", "-2", "0")] == ["hoger", "lager", "gelijk"]


def test_trend_over_editions_with_brabant_and_changes(app, db):
    oss_2018, brabant_2018 = stored(2018, "Oss", "resilience_yes"), stored(2018, "Brabant", "resilience_yes")
    values = {("Oss", "resilience_yes"): str(oss_2018 + D("0.5")), ("Brabant", "resilience_yes"): "60",
              ("Oss", "resilience_not"): "20"}
    later = {("Oss", "resilience_yes"): str(oss_2018 + 3), ("Oss", "resilience_not"): "17"}
    with later_edition(app, 2020, values), later_edition(app, 2022, later):
        found = trends.trend(monitor_indicator("resilience_yes"), area("Oss"))
        years = [p.edition.year for p in found.points]
        assert years == [2016, 2018, 2020, 2022]
        p2016, p2018, p2020, p2022 = found.points
        assert p2016.value is None and found.baseline is p2018
        assert p2018.brabant == brabant_2018 and p2018.since_previous is None
        assert p2020.since_previous == D("0.5") and p2020.direction_previous == "gelijk"
        assert p2020.brabant == 60 and p2020.brabant_since_previous == 60 - brabant_2018
        assert p2022.since_previous == D("2.5") and p2022.previous.year == 2020
        assert p2022.since_baseline == 3 and p2022.direction_baseline == "beter"
        not_resilient = trends.trend(monitor_indicator("resilience_not"), area("Oss"))
        assert not_resilient.baseline.edition.year == 2020  # the first edition with a value for Oss
        last = not_resilient.points[-1]  # lower is better: 20% -> 17% not resilient
        assert last.since_previous == -3 and last.direction_previous == "beter" and last.since_baseline == -3


def test_a_merged_municipality_says_so_in_its_trend(app, db):
    with later_edition(app, 2024, {("Maashorst", "resilience_yes"): "55"}):
        uden = trends.trend(monitor_indicator("resilience_yes"), area("Uden"))
        last = uden.points[-1]
        assert last.value is None and "Uden bestond in 2024 niet meer; toen: Maashorst." in last.notes
        assert any("Per 2022 samengevoegd tot Maashorst" in note for note in last.notes)
        maashorst = trends.trend(monitor_indicator("resilience_yes"), area("Maashorst"))
        assert "Maashorst bestond in 2018 nog niet; toen: Landerd en Uden." in maashorst.points[1].notes
        assert maashorst.points[-1].value == 55 and maashorst.points[-1].since_previous is None


def _trend_url(indicator="resilience_yes", area_id=None, year=None):
    url = f"/monitor/ontwikkeling?indicator={indicator}"
    return url + (f"&gebied={area_id}" if area_id else "") + (f"&editie={year}" if year else "")


def test_the_trend_page_shows_editions_directions_and_brabant(app, login_as):
    client = login_as("reader")
    with app.app_context():
        oss_id, uden_id = area("Oss").id, area("Uden").id
        oss_2018 = stored(2018, "Oss", "resilience_yes")
    with later_edition(app, 2024, {("Oss", "resilience_yes"): str(oss_2018 + 2), ("Brabant", "resilience_yes"): "58",
                                   ("Maashorst", "resilience_yes"): "54"}):
        html = client.get(_trend_url(area_id=oss_id)).get_data(as_text=True)
        assert "(&gt;gemiddelde van 3,6) in Oss per editie, met Brabant ernaast</caption>" in html
        row = re.search(r'<th scope="row">Testeditie 2024[^<]*</th>(.*?)</tr>', html, re.S).group(1)
        assert "+2 procentpunt" in row and '<span aria-hidden="true">▲</span> beter' in row and "58%" in row
        assert 'name="editie"' in html and 'name="gebied"' in html and 'name="indicator"' in html
        assert "Alle indicatoren van Oss in Testeditie 2024" in html
        older = client.get(_trend_url(area_id=oss_id, year=2018)).get_data(as_text=True)
        assert "Testeditie 2024" not in older.split('id="gekozen"')[1]  # only editions up to the chosen one
        uden = client.get(_trend_url(area_id=uden_id)).get_data(as_text=True)
        assert "Uden bestond in 2024 niet meer; toen: Maashorst." in uden
        assert client.get("/monitor/ontwikkeling?indicator=<x>&gebied=abc&editie=zz").status_code == 200


def test_the_initiative_page_shows_the_trends_of_its_areas(app, login_as):
    client = login_as("reader")
    with app.app_context():
        from programme.initiatives.models import Initiative
        slowcare = _db.session.scalar(select(Initiative).where(Initiative.number == "1.1.8")).id
        oss_2018 = stored(2018, "Oss", "resilience_yes")
    with later_edition(app, 2024, {("Oss", "resilience_yes"): str(oss_2018 - 2)}):
        html = client.get(f"/initiatieven/{slowcare}").get_data(as_text=True)
        section = html[html.index('id="ontwikkeling"'):]
        assert "Ontwikkeling in Oss per editie van de monitor, met Brabant ernaast" in section
        row = re.search(r'<th scope="row">Wel veerkrachtig[^<]*</th>(.*?)</tr>', section, re.S).group(1)
        assert "−2 procentpunt" in row and "slechter" in row


def test_initiative_page_queries_do_not_grow_with_linked_indicators(app, login_as):
    from programme.impact.models import ImpactIndicator
    client = login_as("manager")
    with app.app_context():
        from programme.initiatives.models import Initiative
        slowcare = _db.session.scalar(select(Initiative).where(Initiative.number == "1.1.8")).id
    url = f"/initiatieven/{slowcare}"
    client.get(url)
    before = count_queries(app, client, url)
    with app.app_context():
        for index, code in enumerate(("identity_bond_netherlands", "trust_social", "social_contact")):
            _db.session.add(ImpactIndicator(code=f"q-{index}", initiative_id=slowcare, name=f"Q {index}",
                                            monitor_indicator_id=monitor_indicator(code).id))
        _db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Binding met Nederland" in html[html.index('id="ontwikkeling"'):]
    assert count_queries(app, client, url) == before


def test_the_manager_sets_a_threshold_others_may_not(app, login_as):
    with app.app_context():
        happiness = monitor_indicator("happiness").id
    url = f"/monitor/indicatoren/{happiness}/drempel"
    owner = login_as("owner")
    assert owner.get(url).status_code == 403
    token = csrf_token(owner.get("/monitor"))
    assert owner.post(url, data={"trend_threshold": "2", "csrf_token": token}).status_code == 403
    manager = app.test_client()
    login(manager, "manager")
    page = manager.get(url)
    assert page.status_code == 200 and "Laat leeg voor de standaard: 1." in page.get_data(as_text=True)
    refused = manager.post(url, data={"trend_threshold": "0", "csrf_token": csrf_token(page)})
    assert "Vul een drempel groter dan 0 in" in refused.get_data(as_text=True)
    try:
        saved = manager.post(url, data={"trend_threshold": "2,5", "csrf_token": csrf_token(page)})
        assert saved.status_code == 302
        with app.app_context():
            assert _db.session.get(MonitorIndicator, happiness).trend_threshold == D("2.5")
            entry = _db.session.scalar(select(AuditEntry).where(AuditEntry.action == "monitor_indicator.update")
                                       .order_by(AuditEntry.id.desc()))
            assert entry.object_id == happiness and "2.5" in str(entry.new_values)
        html = manager.get(_trend_url(indicator="happiness")).get_data(as_text=True)
        assert "2,5 procentpunt" in html and "Drempel aanpassen" in html
    finally:
        with app.app_context():
            _db.session.get(MonitorIndicator, happiness).trend_threshold = None
            _db.session.commit()
