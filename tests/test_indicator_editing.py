"""The manager creates and edits impact indicators (of an initiative or of the programme), their
baseline and targets; archives instead of deleting; stale forms get a 409 with the input kept."""
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from programme.accounts.operations import find_user
from programme.core.extensions import db as _db
from programme.impact import operations as ops
from programme.core.numbers import parse_number
from programme.impact.models import ImpactIndicator, ImpactMeasurement
from programme.initiatives.models import Initiative
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator
from tests.conftest import csrf_token
from tests.editing_helpers import (archive_and_bring_back, assert_saved_meanwhile_is_stale, conflicting_saves,
                                   edit_state, form_data, last_audit, remove_data, signed_in)


def _ids(app):
    with app.app_context():
        return {
            "helmond": _db.session.scalar(select(Initiative.id).where(Initiative.number == "1.1.3")),
            "monitor": _db.session.scalar(select(MonitorIndicator.id).where(MonitorIndicator.code == "resilience_yes")),
            "edition": _db.session.scalar(select(MonitorEdition.id).where(MonitorEdition.year == 2018)),
            "area": _db.session.scalar(select(Area.id).where(Area.name == "Helmond")),
        }


def _new_indicator(app, initiative_number="1.1.3", with_target=True) -> int:
    with app.app_context():
        initiative = _db.session.scalar(select(Initiative).where(Initiative.number == initiative_number))
        indicator = ops.create_indicator(initiative, {"name": "Deelnemers aan buurttafels", "unit": "count",
                                                      "higher_is_better": True, "baseline_value": Decimal("40")})
        if with_target:
            ops.add_target(indicator, {"period_label": "2026-K4", "target_value": Decimal("60")})
        _db.session.commit()
        return indicator.id


def _state(app, indicator_id):
    return edit_state(app, ImpactIndicator, indicator_id,
                      lambda item: {name: getattr(item, name) for name in ops.INDICATOR_FIELDS},
                      lambda item: [(t.id, t.period_label, t.target_value, t.target_text, t.version)
                                    for t in item.targets])


def test_parse_number_reads_dutch_numbers():
    assert parse_number("12,5") == Decimal("12.5")
    assert parse_number("1.250") == Decimal("1250")
    assert parse_number("1.234.567,25") == Decimal("1234567.25")
    assert parse_number("12.5") == Decimal("12.5")
    assert parse_number("-3") == Decimal("-3")
    for bad in ("abc", "1,2,3", "12,34567", "1e5", "99999999999"):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_manager_creates_an_initiative_and_a_programme_indicator(app):
    ids = _ids(app)
    client = signed_in(app)
    page = client.get(f"/indicatoren/nieuw?initiatief={ids['helmond']}")
    assert page.status_code == 200
    assert f'<option selected value="{ids["helmond"]}"' in page.get_data(as_text=True)
    response = client.post("/indicatoren/nieuw", data=form_data(
        page, name="Bewoners die zich gesteund voelen", unit="percent", higher_is_better="0",
        monitor_indicator_id=ids["monitor"], baseline_value="51,5", baseline_text="Monitor 2018",
        baseline_edition_id=ids["edition"], baseline_area_id=ids["area"]))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    indicator_id = int(re.search(r"/indicatoren/(\d+)/bewerken", response.headers["Location"]).group(1))
    values, version, archived, targets = _state(app, indicator_id)
    assert values["name"] == "Bewoners die zich gesteund voelen" and values["unit"] == "percent"
    # linked to the monitor: baseline, its source and the direction come from the monitor, not from what was typed
    assert values["higher_is_better"] is True and values["baseline_value"] == Decimal("50")
    assert values["baseline_text"] == "Monitor Sociale Veerkracht 2018: Wel veerkrachtig (>gemiddelde van 3,6), Helmond"
    assert values["monitor_indicator_id"] == ids["monitor"] and values["baseline_area_id"] == ids["area"]
    assert (version, archived, targets) == (1, False, [])
    entry = last_audit(app, "impact_indicator.create", indicator_id)
    with app.app_context():
        assert entry.actor_id == find_user("manager@test.example").id
        assert _db.session.get(ImpactIndicator, indicator_id).initiative_id == ids["helmond"]
    assert entry.initiative_id == ids["helmond"] and entry.new_values["baseline_value"] == 50
    assert entry.new_values["baseline_area_id"] == "Helmond"
    # the initiative page links to it for the manager
    html = client.get(f"/initiatieven/{ids['helmond']}").get_data(as_text=True)
    assert f"/indicatoren/{indicator_id}/bewerken" in html

    page = client.get("/indicatoren/nieuw")
    response = client.post("/indicatoren/nieuw", data=form_data(page, name="Promotietrajecten extra", initiative_id=""))
    assert response.status_code == 302
    programme_id = int(re.search(r"/indicatoren/(\d+)/bewerken", response.headers["Location"]).group(1))
    with app.app_context():
        assert _db.session.get(ImpactIndicator, programme_id).initiative_id is None
    assert "Promotietrajecten extra" in client.get("/indicatoren").get_data(as_text=True)


def test_manager_edits_an_indicator_and_it_is_audited(app):
    indicator_id = _new_indicator(app)
    client = signed_in(app)
    page = client.get(f"/indicatoren/{indicator_id}/bewerken")
    assert page.status_code == 200 and 'value="40"' in page.get_data(as_text=True)
    response = client.post(f"/indicatoren/{indicator_id}/bewerken", data=form_data(
        page, name="Deelnemers (alle buurten)", baseline_value="1.250,5", description="Telling per kwartaal"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    values, version, *_ = _state(app, indicator_id)
    assert values["name"] == "Deelnemers (alle buurten)" and values["baseline_value"] == Decimal("1250.5")
    assert values["description"] == "Telling per kwartaal" and version == 2
    entry = last_audit(app, "impact_indicator.update", indicator_id)
    assert entry.old_values == {"name": "Deelnemers aan buurttafels", "description": None, "baseline_value": 40}
    assert entry.new_values["baseline_value"] == 1250.5
    # saving the unchanged form changes nothing and writes no entry
    page = client.get(f"/indicatoren/{indicator_id}/bewerken")
    assert client.post(f"/indicatoren/{indicator_id}/bewerken", data=form_data(page)).status_code == 302
    assert _state(app, indicator_id)[1] == 2
    assert last_audit(app, "impact_indicator.update", indicator_id).id == entry.id


def test_targets_are_added_edited_and_removed_with_audit(app):
    indicator_id = _new_indicator(app, with_target=False)
    client = signed_in(app)
    page = client.get(f"/indicatoren/{indicator_id}/streefwaarden/nieuw")
    path = f"/indicatoren/{indicator_id}/streefwaarden/nieuw"
    assert client.post(path, data=form_data(page, period_label="2019", target_value="1.250")).status_code == 302
    assert client.post(path, data=form_data(page, period_label="2026-K4", target_text="Meer dan vorig jaar")
                       ).status_code == 302
    targets = _state(app, indicator_id)[3]
    assert [(t[1], t[2], t[3]) for t in targets] == [("2019", Decimal("1250"), None),
                                                     ("2026-K4", None, "Meer dan vorig jaar")]
    # Dutch messages: a period that exists, a bad period, neither value nor text
    for data, message in (({"period_label": "2019", "target_value": "5"}, "al een streefwaarde voor deze periode"),
                          ({"period_label": "2026-K5", "target_value": "5"}, "Vul een geldige periode in."),
                          ({"period_label": "2019/2018", "target_value": "5"}, "na het eerste jaar"),
                          ({"period_label": "2027", "target_value": "5,123456"}, "hoogstens vier cijfers"),
                          ({"period_label": "2027"}, "Vul een streefwaarde in")):
        response = client.post(path, data=form_data(page, **data))
        assert response.status_code == 200 and message in response.get_data(as_text=True), message
    assert len(_state(app, indicator_id)[3]) == 2

    target_id = targets[0][0]
    edit_path = f"/indicatoren/{indicator_id}/streefwaarden/{target_id}/bewerken"
    page = client.get(edit_path)
    assert client.post(edit_path, data=form_data(page, target_value="300")).status_code == 302
    entry = last_audit(app, "impact_target.update", target_id)
    assert entry.old_values == {"target_value": 1250} and entry.new_values == {"target_value": 300}
    with app.app_context():
        assert entry.initiative_id == _db.session.get(ImpactIndicator, indicator_id).initiative_id

    page = client.get(edit_path)
    assert client.post(f"/indicatoren/{indicator_id}/streefwaarden/{target_id}/verwijderen",
                       data=remove_data(page)).status_code == 302
    assert [t[1] for t in _state(app, indicator_id)[3]] == ["2026-K4"]
    assert last_audit(app, "impact_target.delete", target_id).old_values["target_value"] == 300


def test_a_target_of_an_indicator_with_measurements_is_not_removed(app):
    indicator_id = _new_indicator(app)
    with app.app_context():
        _db.session.add(ImpactMeasurement(indicator_id=indicator_id, value=Decimal("45"),
                                          measured_on=date(2026, 12, 1)))
        _db.session.commit()
    target_id, version = _state(app, indicator_id)[3][0][0], _state(app, indicator_id)[3][0][4]
    client = signed_in(app)
    page = client.get(f"/indicatoren/{indicator_id}/streefwaarden/{target_id}/bewerken")
    assert "Streefwaarde verwijderen" not in page.get_data(as_text=True)
    before = _state(app, indicator_id)
    response = client.post(f"/indicatoren/{indicator_id}/streefwaarden/{target_id}/verwijderen",
                           data={"csrf_token": csrf_token(page), "version": str(version)}, follow_redirects=True)
    assert "worden niet verwijderd" in response.get_data(as_text=True)
    assert _state(app, indicator_id) == before
    entry = last_audit(app, "impact_target.delete")
    assert entry.result == "refused" and "meetwaarden" in entry.message


def test_archive_and_bring_back(app):
    indicator_id = _new_indicator(app)

    def in_the_list(client):
        assert "gearchiveerd" in client.get("/indicatoren").get_data(as_text=True)

    archive_and_bring_back(app, f"/indicatoren/{indicator_id}", "impact_indicator", indicator_id,
                           lambda: _state(app, indicator_id)[2], while_archived=in_the_list)


def test_invalid_input_gets_dutch_messages_and_changes_nothing(app):
    indicator_id = _new_indicator(app)
    before = _state(app, indicator_id)
    client = signed_in(app)
    page = client.get(f"/indicatoren/{indicator_id}/bewerken")
    for changes, message in (({"baseline_value": "twaalf"}, "Vul een getal in"),
                             ({"baseline_value": "1,23456"}, "hoogstens vier cijfers achter de komma"),
                             ({"name": ""}, "Vul de naam van de indicator in."),
                             ({"higher_is_better": "misschien"}, "Kies alleen uit de getoonde mogelijkheden."),
                             ({"unit": "liter"}, "Kies alleen uit de getoonde mogelijkheden.")):
        response = client.post(f"/indicatoren/{indicator_id}/bewerken", data=form_data(page, **changes))
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and message in html, message
        assert "Er is een probleem" in html and 'aria-invalid="true"' in html
    assert _state(app, indicator_id) == before


def test_forged_ids_are_refused(app):
    indicator_id = _new_indicator(app)
    other_id = _new_indicator(app, initiative_number="1.1.8")
    other_target = _state(app, other_id)[3][0][0]
    before = _state(app, indicator_id), _state(app, other_id)
    with app.app_context():
        count = _db.session.scalar(select(func.count(ImpactIndicator.id)))
        archived = _db.session.scalar(select(Initiative.id).where(Initiative.number == "1.1.8"))
    client = signed_in(app)
    page = client.get("/indicatoren/nieuw")
    # an initiative that does not exist, a monitor indicator that does not exist
    for changes in ({"initiative_id": "999999"}, {"initiative_id": "abc"}, {"monitor_indicator_id": "999999"},
                    {"baseline_area_id": "-1"}):
        response = client.post("/indicatoren/nieuw", data=form_data(page, name="Gekaapt", **changes))
        assert response.status_code == 200
        assert "Kies alleen uit de getoonde mogelijkheden." in response.get_data(as_text=True)
    # an archived initiative is not offered either
    with app.app_context():
        _db.session.execute(update(Initiative).where(Initiative.id == archived).values(is_archived=True))
        _db.session.commit()
    try:
        response = client.post("/indicatoren/nieuw", data=form_data(page, name="Gekaapt", initiative_id=archived))
        assert "Kies alleen uit de getoonde mogelijkheden." in response.get_data(as_text=True)
    finally:
        with app.app_context():
            _db.session.execute(update(Initiative).where(Initiative.id == archived).values(is_archived=False))
            _db.session.commit()
    # a target of another indicator through this indicator's URL
    edit = client.get(f"/indicatoren/{indicator_id}/bewerken")
    token = csrf_token(edit)
    base = f"/indicatoren/{indicator_id}/streefwaarden/{other_target}"
    assert client.get(f"{base}/bewerken").status_code == 404
    assert client.post(f"{base}/bewerken", data={"csrf_token": token, "version": "1", "period_label": "2030",
                                                 "target_value": "1"}).status_code == 404
    assert client.post(f"{base}/verwijderen", data={"csrf_token": token, "version": "1"}).status_code == 404
    assert client.get("/indicatoren/999999/bewerken").status_code == 404
    # no CSRF token
    assert client.post(f"/indicatoren/{indicator_id}/archiveren").status_code == 400
    assert (_state(app, indicator_id), _state(app, other_id)) == before
    with app.app_context():
        assert _db.session.scalar(select(func.count(ImpactIndicator.id))) == count


def test_owner_and_reader_get_403_everywhere_and_nothing_changes(app):
    indicator_id = _new_indicator(app)
    target_id = _state(app, indicator_id)[3][0][0]
    before = _state(app, indicator_id)
    ids = _ids(app)
    with app.app_context():
        count = _db.session.scalar(select(func.count(ImpactIndicator.id)))
    for role in ("owner", "reader"):
        client = signed_in(app, role)
        token = csrf_token(client.get("/"))
        for path in ("/indicatoren", "/indicatoren/nieuw", f"/indicatoren/{indicator_id}/bewerken",
                     f"/indicatoren/{indicator_id}/streefwaarden/nieuw",
                     f"/indicatoren/{indicator_id}/streefwaarden/{target_id}/bewerken"):
            assert client.get(path).status_code == 403, path
        posts = {
            "/indicatoren/nieuw": {"name": "Gekaapt", "initiative_id": ids["helmond"], "unit": "",
                                   "higher_is_better": "1"},
            f"/indicatoren/{indicator_id}/bewerken": {"name": "Gekaapt", "version": before[1], "unit": "",
                                                      "higher_is_better": "1"},
            f"/indicatoren/{indicator_id}/archiveren": {},
            f"/indicatoren/{indicator_id}/dearchiveren": {},
            f"/indicatoren/{indicator_id}/streefwaarden/nieuw": {"period_label": "2030", "target_value": "1"},
            f"/indicatoren/{indicator_id}/streefwaarden/{target_id}/bewerken": {
                "period_label": "2030", "target_value": "1", "version": "1"},
            f"/indicatoren/{indicator_id}/streefwaarden/{target_id}/verwijderen": {"version": "1"},
        }
        for path, data in posts.items():
            assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
        # the owner's own initiative page shows no editing links (only the indicators' read-only pages)
        html = client.get(f"/initiatieven/{ids['helmond']}").get_data(as_text=True)
        assert "/bewerken" not in html.split('id="impact"')[1] and f'href="/indicatoren/{indicator_id}"' in html
        assert "Impactindicator toevoegen" not in html
    assert _state(app, indicator_id) == before
    with app.app_context():
        assert _db.session.scalar(select(func.count(ImpactIndicator.id))) == count
    entry = last_audit(app, "request.refuse")
    assert entry.result == "refused" and entry.object_label.startswith("/indicatoren/")


def test_second_of_two_concurrent_edits_gets_409_with_input_kept(app, managers):
    indicator_id = _new_indicator(app)
    path = f"/indicatoren/{indicator_id}/bewerken"
    response, _page = conflicting_saves(managers, path, {"name": "Eerste versie"},
                                        {"name": "Tweede versie", "baseline_value": "77,5"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Iemand anders heeft deze indicator opgeslagen" in html
    assert 'value="Tweede versie"' in html and 'value="77,5"' in html  # input kept
    assert "<td class=\"prose\">Eerste versie</td>" in html  # stored value beside theirs
    values, version, *_ = _state(app, indicator_id)
    assert values["name"] == "Eerste versie" and values["baseline_value"] == Decimal("40") and version == 2
    entry = last_audit(app, "impact_indicator.update")
    assert entry.result == "refused" and "bewerkconflict" in entry.message
    # saving again is a deliberate overwrite and succeeds
    second = managers[1]
    assert second.post(path, data=form_data(response, name="Tweede versie")).status_code == 302
    assert _state(app, indicator_id)[0]["name"] == "Tweede versie"

    target_id = _state(app, indicator_id)[3][0][0]
    target_path = f"/indicatoren/{indicator_id}/streefwaarden/{target_id}/bewerken"
    response, page_two = conflicting_saves(managers, target_path, {"target_value": "70"}, {"target_value": "80"})
    assert response.status_code == 409 and 'value="80"' in response.get_data(as_text=True)
    assert _state(app, indicator_id)[3][0][2] == Decimal("70")
    # removing a target someone changed meanwhile is refused as well
    remove = {"csrf_token": csrf_token(page_two), "version": "1"}
    response = second.post(f"/indicatoren/{indicator_id}/streefwaarden/{target_id}/verwijderen", data=remove)
    assert response.status_code == 409 and "Niet verwijderd" in response.get_data(as_text=True)
    assert len(_state(app, indicator_id)[3]) == 1


@pytest.mark.committed  # another connection saves in between
def test_concurrent_save_between_check_and_flush_raises_stale_data(app):
    indicator_id = _new_indicator(app)
    assert_saved_meanwhile_is_stale(
        app, ImpactIndicator, indicator_id, stored={"name": "Winnaar"}, save=ops.update_indicator,
        data_of=lambda item: {name: getattr(item, name) for name in ops.INDICATOR_FIELDS} | {"name": "Verliezer"})
    values, version, *_ = _state(app, indicator_id)
    assert values["name"] == "Winnaar" and version == 2
