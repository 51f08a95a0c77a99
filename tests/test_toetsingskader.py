"""The toetsingskader: resources per initiative against Brabant, the matrix, and who may record them."""
from decimal import Decimal

import pytest

from sqlalchemy import select

from programme.initiatives import operations as ops
from programme.initiatives import toetsingskader
from programme.initiatives.models import Initiative
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator, MonitorValue
from programme.core.extensions import db as _db
from tests.conftest import count_statements, csrf_token
from tests.editing_helpers import last_audit, signed_in


def _initiative(db, number: str) -> Initiative:
    return db.session.scalar(select(Initiative).where(Initiative.number == number))


def _resource(db, code: str) -> MonitorIndicator:
    return db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == code))


def _set_value(db, code: str, area_name: str, value: str) -> None:
    edition = db.session.scalar(select(MonitorEdition).where(MonitorEdition.year == 2018))
    area = db.session.scalar(select(Area).where(Area.name == area_name))
    indicator = _resource(db, code)
    row = db.session.scalar(select(MonitorValue).where(MonitorValue.edition_id == edition.id,
                                                       MonitorValue.area_id == area.id,
                                                       MonitorValue.indicator_id == indicator.id))
    if row is None:
        db.session.add(MonitorValue(edition_id=edition.id, area_id=area.id, indicator_id=indicator.id,
                                    value=Decimal(value)))
    else:
        row.value = Decimal(value)
    db.session.flush()


def _manager(db):
    from programme.accounts.operations import find_user
    return find_user("manager@test.example")


def test_important_resources_are_the_monitors_top_three(db):
    codes = [r.code for r in toetsingskader.important_resources()]
    assert codes == ["happiness", "negative_life_events_count", "social_contact"]


def test_resources_of_an_initiative_with_its_area_against_brabant(db):
    helmond = _initiative(db, "1.1.3")
    ops.set_resources(helmond, [_resource(db, "happiness").id, _resource(db, "trust_social").id], _manager(db))
    # Helmond has no happiness figure of its own: the region around it (Zuidoost-Brabant) stands in.
    frame = toetsingskader.frame_of(helmond)
    happiness = next(row for row in frame.rows if row.resource.code == "happiness")
    assert happiness.important and happiness.resource.correlation == Decimal("0.48")
    position = happiness.positions[0]
    assert position.area.name == "Helmond" and position.shown_area.name == "Zuidoost-Brabant"
    assert position.brabant is not None and position.value is not None
    # Make the region weaker than Brabant on happiness: the page says so, with the figures.
    _set_value(db, "happiness", "Zuidoost-Brabant", str(position.brabant - 3))
    frame = toetsingskader.frame_of(helmond)
    assert frame.rows[0].positions[0].state == toetsingskader.WEAKER
    assert any("Helmond scoort zwakker dan Brabant op voelt zich (heel) gelukkig" in w and "0,48" in w
               for w in frame.warnings)
    # trust_social is not among the most important ones: never a warning for it.
    assert not any("vertrouwen" in w for w in frame.warnings)


def test_a_lower_is_better_resource_counts_weaker_when_higher(db):
    oss = _initiative(db, "1.1.8")
    ops.set_resources(oss, [_resource(db, "negative_life_events_count").id], _manager(db))
    _set_value(db, "negative_life_events_count", "Brabant", "1.0")
    _set_value(db, "negative_life_events_count", "Oss", "1.4")
    frame = toetsingskader.frame_of(oss)
    assert frame.rows[0].positions[0].state == toetsingskader.WEAKER
    _set_value(db, "negative_life_events_count", "Oss", "0.8")
    assert toetsingskader.frame_of(oss).rows[0].positions[0].state == toetsingskader.STRONGER


def test_matrix_names_important_resources_no_initiative_works_on(db):
    helmond = _initiative(db, "1.1.3")
    ops.set_resources(helmond, [_resource(db, "happiness").id], _manager(db))
    matrix = toetsingskader.matrix()
    assert [r.code for r in matrix.uncovered] == ["negative_life_events_count", "social_contact"]
    assert [r.code for r in matrix.resources][:3] == ["happiness", "negative_life_events_count", "social_contact"]
    frame = next(f for f in matrix.frames if f.initiative.id == helmond.id)
    assert matrix.works_on(frame, _resource(db, "happiness"))


def _ids(app, number: str, *codes: str) -> tuple[int, list[int]]:
    with app.app_context():
        initiative = _initiative(_db, number)
        return initiative.id, [_resource(_db, code).id for code in codes]


def _resource_codes(app, initiative_id: int) -> list[str]:
    with app.app_context():
        return sorted(r.code for r in _db.session.get(Initiative, initiative_id).resources)


def test_matrix_page_and_initiative_page(app):
    client = signed_in(app, "reader")
    page = client.get("/toetsingskader").get_data(as_text=True)
    assert "Hulpbronnen die er het meest toe doen en waar geen initiatief aan werkt" in page
    assert "sociaal contact" in page and '<th scope="row">' in page and "<caption>" in page
    assert "Werkt er niet aan" in page
    helmond_id, _ = _ids(app, "1.1.3")
    page = client.get(f"/initiatieven/{helmond_id}").get_data(as_text=True)
    assert "Toetsingskader" in page and "Hulpbronnen vastleggen" not in page


def test_manager_records_resources_audited(app):
    client = signed_in(app, "manager")
    helmond_id, ids = _ids(app, "1.1.3", "happiness", "social_contact", "resilience_yes")
    page = client.get(f"/initiatieven/{helmond_id}/hulpbronnen")
    assert page.status_code == 200
    response = client.post(f"/initiatieven/{helmond_id}/hulpbronnen",
                           data={"resources": ids[:2], "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert _resource_codes(app, helmond_id) == ["happiness", "social_contact"]
    entry = last_audit(app, "initiative.set_resources", helmond_id)
    assert entry.initiative_id == helmond_id and len(entry.new_values["resources"]) == 2
    page = client.get(f"/initiatieven/{helmond_id}")
    assert "Voelt zich (heel) gelukkig" in page.get_data(as_text=True)
    assert "Hulpbronnen vastleggen" in page.get_data(as_text=True)
    # The resilience measure itself is no resource: a forged id is refused and nothing changes.
    response = client.post(f"/initiatieven/{helmond_id}/hulpbronnen",
                           data={"resources": [ids[2]], "csrf_token": csrf_token(page)})
    assert response.status_code == 200 and "Kies alleen" in response.get_data(as_text=True)
    assert _resource_codes(app, helmond_id) == ["happiness", "social_contact"]
    response = client.post(f"/initiatieven/{helmond_id}/hulpbronnen", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and _resource_codes(app, helmond_id) == []


def test_owners_and_readers_may_not_record_resources(app):
    other_id, ids = _ids(app, "1.1.2", "happiness")  # not the test owner's initiative
    own_id, _ = _ids(app, "1.1.3")
    for role in ("owner", "reader"):
        client = signed_in(app, role)
        for initiative_id in (other_id, own_id):
            assert client.get(f"/initiatieven/{initiative_id}/hulpbronnen").status_code == 403
            page = client.get(f"/initiatieven/{initiative_id}")
            assert page.status_code == 200  # they read it
            response = client.post(f"/initiatieven/{initiative_id}/hulpbronnen",
                                   data={"resources": ids, "csrf_token": csrf_token(page)})
            assert response.status_code == 403
            assert _resource_codes(app, initiative_id) == []
    assert last_audit(app, "initiative.set_resources", other_id) is None


def test_the_operation_refuses_an_owner(db):
    from programme.accounts.operations import find_user
    from programme.core.operations import Refused

    owner = find_user("owner@test.example")
    with pytest.raises(Refused):
        ops.set_resources(_initiative(db, "1.1.3"), [_resource(db, "happiness").id], owner)


def _statements(db, read) -> int:
    db.session.expire_all()
    return count_statements(read)


def test_matrix_queries_do_not_grow_with_initiatives(db):
    from programme.initiatives.models import InitiativeArea

    happiness, contact = _resource(db, "happiness"), _resource(db, "social_contact")
    oss = db.session.scalar(select(Area).where(Area.name == "Oss"))
    _initiative(db, "1.1.3").resources = [happiness]
    db.session.flush()
    before = _statements(db, toetsingskader.matrix)
    for n in range(15):
        db.session.add(Initiative(number=f"9.9.{n}", name=f"Proef {n}", line="gebiedsgericht",
                                  resources=[happiness, contact],
                                  area_links=[InitiativeArea(area=oss, basis="figuur")]))
    db.session.flush()
    after = _statements(db, toetsingskader.matrix)
    assert after <= before + 2, (before, after)
    assert len(toetsingskader.matrix().frames) == len(toetsingskader.active_initiatives())
