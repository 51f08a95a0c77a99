"""Reporting periods over HTTP: the manager adds quarters and periods, closes and reopens (with a
reason); an owner may not."""
from programme.core.extensions import db as _db
from programme.progress.models import ProgressRound
from tests.conftest import csrf_token
from tests.progress_helpers import TEST_YEAR, client_for, state

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures


# ---------------------------------------------------------------- periods

def test_manager_manages_periods(app, ids):
    client = client_for(app, "manager")
    page = client.get("/voortgang/periodes")
    assert page.status_code == 200
    token = csrf_token(page)
    response = client.post("/voortgang/periodes/kwartalen", data={"csrf_token": token, "year": TEST_YEAR})
    assert response.status_code == 302
    html = client.get("/voortgang/periodes").get_data(as_text=True)
    assert f"4e kwartaal {TEST_YEAR}" in html and f"{TEST_YEAR}-K1" in html
    response = client.post("/voortgang/periodes/nieuw", data={
        "csrf_token": token, "code": "VT-bad", "label": "Fout", "starts_on": "2034-06-01", "ends_on": "2034-01-01",
        "kind": "other"})
    assert response.status_code == 422 and "De einddatum ligt vóór de begindatum." in response.get_data(as_text=True)
    assert client.post("/voortgang/periodes/nieuw", data={
        "csrf_token": token, "code": "VT-H1", "label": "Eerste helft 2034", "starts_on": "2034-01-01",
        "ends_on": "2034-06-30", "kind": "other"}).status_code == 302
    assert "Eerste helft 2034" in client.get("/voortgang/periodes").get_data(as_text=True)
    assert client.post(f"/voortgang/periodes/{ids.period}/sluiten", data={"csrf_token": token}).status_code == 302
    html = client.get("/voortgang/periodes").get_data(as_text=True)
    assert "Gesloten door Test Manager" in html
    response = client.post(f"/voortgang/periodes/{ids.period}/heropenen",
                           data={"csrf_token": token, f"heropen-{ids.period}-reason": ""})
    assert response.status_code == 422 and "Geef een reden op voor het heropenen." in response.get_data(as_text=True)
    assert client.post(f"/voortgang/periodes/{ids.period}/heropenen", data={
        "csrf_token": token, f"heropen-{ids.period}-reason": "Late aanlevering Helmond"}).status_code == 302
    html = client.get("/voortgang/periodes").get_data(as_text=True)
    assert "Heropend door Test Manager" in html and "Reden: Late aanlevering Helmond" in html
    with app.app_context():
        assert _db.session.get(ProgressRound, ids.period).is_open


def test_owner_may_not_manage_periods(app, ids):
    client = client_for(app, "owner")
    token = csrf_token(client.get("/voortgang"))
    before = state(app)
    assert client.get("/voortgang/periodes").status_code == 403
    assert client.post(f"/voortgang/periodes/{ids.period}/sluiten", data={"csrf_token": token}).status_code == 403
    assert state(app) == before
