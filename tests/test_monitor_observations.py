"""Approved observations beside the monitor's figures: the progress layer provides them to the monitor page
(monitor/overlays.py), by the rule of the observations page; drafts never show, and the page reads them all in
one query."""
import re

from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from programme.monitor.models import Area, MonitorIndicator
from programme.progress import operations as ops
from programme.progress.models import ProgressRound
from tests.progress_helpers import client_for, make_period
from tests.conftest import count_queries

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures

SEEN = "Bewoners zeggen dat ze elkaar pas na de buurtmaaltijd durven aanspreken."
BRABANT_WIDE = "In alle dialogen noemen mensen geluk eerst in verband met hun gezondheid."
ELSEWHERE = "In Oss komen vooral ouderen naar de koffieochtend."
DRAFT = "Nog niet goedgekeurd: de wijkraad twijfelt over de opkomst."


def _resource(code: str) -> MonitorIndicator:
    return _db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == code))


def _area(name: str | None) -> Area:
    """The area of that name; None: the province (Brabant-wide)."""
    return _db.session.scalar(select(Area).where(Area.name == name) if name else
                              select(Area).where(Area.kind == "province"))


def _update(ids, users, observations, approve: bool, period_id=None, initiative_id=None) -> int:
    """An update with these (resource code, area name or None for Brabant, text) observations, approved or left
    a draft."""
    initiative = _db.session.get(Initiative, initiative_id or ids.initiative)
    owner = users["owner"] if initiative.id == ids.initiative else users["other_owner"]
    update = ops.create_draft(initiative, _db.session.get(ProgressRound, period_id or ids.period), owner)
    items = [{"resource": _resource(code), "area": _area(name), "text": text} for code, name, text in observations]
    ops.update_draft(update, {"traffic_light": "op_koers", "observations": items}, owner)
    if approve:
        ops.approve(ops.submit(update, owner), users["manager"])
    return update.id


def _helmond_and_codes(app) -> tuple[int, int, int]:
    with app.app_context():
        return _area("Helmond").id, _resource("social_contact").id, _resource("happiness").id


def _beside(page: str, indicator_id: int) -> str:
    """What the page shows under one indicator's row: from its row header to the next indicator's."""
    start = page.index(f'id="indicator-{indicator_id}"')
    following = re.search(r'id="indicator-\d+"', page[start + 10:])
    return page[start:start + 10 + following.start()] if following else page[start:]


def test_the_monitor_page_shows_approved_observations_beside_their_resource_and_area(app, ids, ctx):
    helmond_id, contact_id, happiness_id = _helmond_and_codes(app)
    ctx(lambda u: _update(ids, u, [("social_contact", "Helmond", SEEN), ("happiness", None, BRABANT_WIDE),
                                   ("social_contact", "Oss", ELSEWHERE)], approve=True))
    ctx(lambda u: _update(ids, u, [("happiness", "Helmond", DRAFT)], approve=False, initiative_id=ids.other))
    reader = client_for(app, "reader")
    page = reader.get(f"/monitor?gebied={helmond_id}").get_data(as_text=True)
    contact = _beside(page, contact_id)
    assert SEEN in contact and f'headers="indicator-{contact_id}"' in contact
    assert "<strong>Helmond:</strong>" in contact and "voortgangsbericht" in contact
    assert 'class="visually-hidden"> van 99.' in contact  # the link says whose update it is
    happiness = _beside(page, happiness_id)
    assert BRABANT_WIDE in happiness and SEEN not in happiness
    # Another area's observation is not beside Helmond's figures, and a draft shows nowhere.
    assert ELSEWHERE not in page and DRAFT not in page
    assert page.count(SEEN) == 1
    # The four COROP regions and Brabant: the Brabant-wide observation stays, Helmond's goes.
    overview = reader.get("/monitor").get_data(as_text=True)
    assert BRABANT_WIDE in overview and SEEN not in overview


def test_the_monitor_page_reads_every_observation_in_one_query(app, ids, ctx):
    helmond_id, _contact_id, _happiness_id = _helmond_and_codes(app)
    reader = client_for(app, "reader")
    url = f"/monitor?gebied={helmond_id}"
    ctx(lambda u: _update(ids, u, [("social_contact", "Helmond", SEEN)], approve=True))
    before = count_queries(app, reader, url)
    later = ctx(lambda u: make_period(_db).id)
    ctx(lambda u: _update(ids, u, [("happiness", "Helmond", "Een tweede waarneming."),
                                   ("social_contact", "Zuidoost-Brabant", "Een waarneming in de regio."),
                                   ("happiness", None, BRABANT_WIDE)], approve=True, period_id=later))
    ctx(lambda u: _update(ids, u, [("social_contact", "Helmond", "Van een ander initiatief.")], approve=True,
                          initiative_id=ids.other))
    page = reader.get(url).get_data(as_text=True)
    assert all(text in page for text in (SEEN, "Een tweede waarneming.", "Een waarneming in de regio.",
                                         BRABANT_WIDE, "Van een ander initiatief."))
    assert count_queries(app, reader, url) == before
