"""Owners' observations in a progress update, tagged with a monitor resource and an area: written through the
one edit form and save path, shown beside the monitor's figures only once approved."""
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.monitor.models import Area, MonitorIndicator
from programme.progress import followup
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate
from tests.progress_helpers import client_for, edit_data, new_draft

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures

SEEN = "Bewoners zeggen dat ze elkaar pas na de buurtmaaltijd durven aanspreken."


def _tags(app) -> tuple[int, int]:
    with app.app_context():
        contact = _db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == "social_contact"))
        helmond = _db.session.scalar(select(Area).where(Area.name == "Helmond"))
        return contact.id, helmond.id


def test_owner_adds_an_observation_and_only_approved_ones_show(app, ids, ctx):
    resource_id, area_id = _tags(app)
    update_id = new_draft(ctx, ids)
    owner = client_for(app, "owner")
    page = owner.get(f"/voortgang/{update_id}/bewerken").get_data(as_text=True)
    assert "Waarnemingen bij de monitor" in page and 'name="observations-0-resource"' in page
    response = owner.post(f"/voortgang/{update_id}/bewerken", data=edit_data(
        owner, update_id, ids, **{"observations-0-resource": str(resource_id), "observations-0-area": str(area_id),
                                  "observations-0-text": SEEN}))
    assert response.status_code == 302
    with app.app_context():
        update = _db.session.get(ProgressUpdate, update_id)
        assert [(o.monitor_indicator_id, o.area_id, o.text) for o in update.observations] == [
            (resource_id, area_id, SEEN)]
    # Not approved yet: neither the page beside the monitor nor the read shows it.
    reader = client_for(app, "reader")
    assert SEEN not in reader.get("/voortgang/waarnemingen").get_data(as_text=True)
    with app.app_context():
        assert all(SEEN not in o.text for g in followup.approved_observations() for o in g.observations)
    ctx(lambda u: ops.approve(ops.submit(_db.session.get(ProgressUpdate, update_id), u["owner"]), u["manager"]))
    page = reader.get(f"/voortgang/waarnemingen?hulpbron={resource_id}&gebied={area_id}").get_data(as_text=True)
    assert SEEN in page and "Sociaal contact" in page and "Helmond en Brabant per editie" in page
    assert "<caption>" in page and 'scope="row"' in page
    with app.app_context():
        groups = followup.approved_observations(resource_id, area_id)
        assert [o.text for g in groups for o in g.observations] == [SEEN]
        assert groups[0].trend.points  # the monitor's figures for that resource and area, per edition


def test_an_observation_needs_a_resource_an_area_and_text(app, ids, ctx):
    resource_id, _area_id = _tags(app)
    update_id = new_draft(ctx, ids)
    owner = client_for(app, "owner")
    response = owner.post(f"/voortgang/{update_id}/bewerken", data=edit_data(
        owner, update_id, ids, **{"observations-0-resource": str(resource_id)}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kies uit de lijst het gebied waar de waarneming over gaat." in html and "Schrijf de waarneming op" in html
    with app.app_context():
        assert _db.session.get(ProgressUpdate, update_id).observations == []
    with app.app_context():
        resilience = _db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == "resilience_yes"))
        resilience_id = resilience.id
    response = owner.post(f"/voortgang/{update_id}/bewerken", data=edit_data(
        owner, update_id, ids, **{"observations-0-resource": str(resilience_id), "observations-0-area": "1",
                                  "observations-0-text": "x"}))
    assert "Kies uit de lijst de hulpbron van de monitor" in response.get_data(as_text=True)


def test_a_correction_keeps_the_observations(app, ids, ctx):
    resource_id, area_id = _tags(app)
    update_id = new_draft(ctx, ids)
    owner = client_for(app, "owner")
    owner.post(f"/voortgang/{update_id}/bewerken", data=edit_data(
        owner, update_id, ids, **{"observations-0-resource": str(resource_id), "observations-0-area": str(area_id),
                                  "observations-0-text": SEEN}))

    def approve_and_correct(users):
        update = ops.approve(ops.submit(_db.session.get(ProgressUpdate, update_id), users["owner"]), users["manager"])
        return ops.correct(update, users["owner"]).id

    corrected = ctx(approve_and_correct)
    with app.app_context():
        assert [o.text for o in _db.session.get(ProgressUpdate, corrected).observations] == [SEEN]
