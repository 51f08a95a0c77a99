"""Audit trail views: manager-only log with filters and CSV export, per-initiative history."""
import csv
import io


from sqlalchemy import select

from programme.core import audit
from programme.core.audit import AuditEntry
from programme.core.export import csv_text, escape_cell
from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from tests.conftest import login


def signed_in(app, role):
    client = app.test_client()
    assert login(client, role).status_code == 302
    return client


def _initiative(app, number="99.1"):
    with app.app_context():
        item = _db.session.scalar(select(Initiative).where(Initiative.number == number))
        if item is None:
            item = Initiative(number=number, name=f"Testinitiatief {number}", line="crossover")
            _db.session.add(item)
            _db.session.commit()
        return item.id


def _entry(app, **values):
    with app.app_context():
        entry = audit.record(values.pop("action", "test.action"), **values)
        _db.session.commit()
        return entry.id


def test_escape_cell_against_formula_injection():
    for raw in ("=cmd()", "+1", "-2", "@x", "\tx", "\rx"):
        assert escape_cell(raw) == "'" + raw
    assert escape_cell("gewoon") == "gewoon"
    assert escape_cell(None) == ""
    assert escape_cell(-3) == "'-3"
    rows = list(csv.reader(io.StringIO(csv_text(["a"], [["=cmd()"], ["ok"]]).lstrip("\ufeff")), delimiter=";"))
    assert rows == [["a"], ["'=cmd()"], ["ok"]]


def test_manager_sees_filtered_log_with_values_in_amsterdam_time(app, login_as):
    initiative_id = _initiative(app)
    _entry(app, action="test.filter", message="zichtbaar", old={"naam": "Oud"}, new={"naam": "Nieuw"},
           initiative_id=initiative_id)
    client = login_as("manager")
    response = client.get("/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Audittrail" in html and "Europe/Amsterdam" in html
    html = client.get(f"/audit?actie=test.filter&initiatief={initiative_id}").get_data(as_text=True)
    assert "zichtbaar" in html and "Oud" in html and "Nieuw" in html
    html = client.get("/audit?actie=test.filter&resultaat=refused").get_data(as_text=True)
    assert "zichtbaar" not in html
    html = client.get("/audit?actie=test.filter&van=2000-01-01&tot=2000-01-02").get_data(as_text=True)
    assert "zichtbaar" not in html and "0 registraties gevonden" in html
    html = client.get("/audit?van=gisteren").get_data(as_text=True)
    assert "vul een geldige datum in" in html
    # nonsense filters do not break the page
    response = client.get("/audit?actor=abc&pagina=-1&initiatief=<x>")
    assert response.status_code == 200 and "registraties gevonden" in response.text and "zichtbaar" in response.text


def test_times_are_shown_in_amsterdam(app, login_as):
    from datetime import UTC, datetime

    with app.app_context():
        entry = AuditEntry(action="test.tijd", created_dt=datetime(2026, 7, 1, 10, 0, tzinfo=UTC), result="ok",
                           message="zomertijd")
        _db.session.add(entry)
        _db.session.commit()
    html = login_as("manager").get("/audit?actie=test.tijd").get_data(as_text=True)
    assert "12:00:00" in html  # 10:00 UTC is 12:00 summer time in Amsterdam


def test_csv_export_uses_filters_and_escapes_cells(app, login_as):
    for label in ("=cmd()", "+1", "-2", "@x"):
        _entry(app, action="test.csv", message=label)
    _entry(app, action="test.other", message="niet mee")
    response = login_as("manager").get("/audit/export.csv?actie=test.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    messages = {row[-1] for row in rows[1:]}
    assert {"'=cmd()", "'+1", "'-2", "'@x"} <= messages
    assert "niet mee" not in messages and "=cmd()" not in messages


def test_owner_and_reader_may_not_see_the_programme_log(app):
    for role in ("owner", "reader"):
        client = signed_in(app, role)
        assert client.get("/audit").status_code == 403
        assert client.get("/audit/export.csv").status_code == 403


def test_initiative_history_for_every_signed_in_user(app):
    initiative_id = _initiative(app, "99.2")
    other_id = _initiative(app, "99.3")
    _entry(app, action="test.history", message="van dit initiatief", initiative_id=initiative_id)
    _entry(app, action="test.history", message="van een ander", initiative_id=other_id)
    for role in ("reader", "owner", "manager"):
        response = signed_in(app, role).get(f"/initiatieven/{initiative_id}/audit")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "van dit initiatief" in html and "van een ander" not in html
    assert signed_in(app, "reader").get("/initiatieven/999999/audit").status_code == 404


def test_audit_pages_need_sign_in(client):
    assert client.get("/audit").status_code == 302
    assert client.get("/audit/export.csv").status_code == 302
