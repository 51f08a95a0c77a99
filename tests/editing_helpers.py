"""Shared by the tests of the manager's edit screens (initiatives, indicators, actions, budget lines,
accounts): signing in, reading a form back from its page, pressing a button, an object's state read
afresh, the latest audit entry."""
import re

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm.exc import StaleDataError

from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from tests.conftest import csrf_token, login


def signed_in(app, role="manager"):
    client = app.test_client()
    assert login(client, role).status_code == 302
    return client


def last_audit(app, action, object_id=None, *, initiative_id=None):
    """The latest audit entry of `action`, of the object `object_id` or about the initiative
    `initiative_id` when given."""
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == action)
        if object_id is not None:
            query = query.where(AuditEntry.object_id == object_id)
        if initiative_id is not None:
            query = query.where(AuditEntry.initiative_id == initiative_id)
        return _db.session.scalar(query.order_by(AuditEntry.id.desc()))


def edit_state(app, model, object_id, values, children):
    """What an edit of the object could change, read afresh from the database: (values(item), version,
    is_archived, children(item))."""
    with app.app_context():
        _db.session.expire_all()
        item = _db.session.get(model, object_id)
        return values(item), item.version, item.is_archived, children(item)


def conflicting_saves(managers, path, mine: dict, theirs: dict):
    """The two managers (fixture `managers`) load the form at `path`; the first saves it with `mine`
    changed, then the second posts `theirs` from the page it loaded before. Returns the second's answer
    and that older page."""
    first, second = managers
    page_one, page_two = first.get(path), second.get(path)
    assert first.post(path, data=form_data(page_one, **mine)).status_code == 302
    return second.post(path, data=form_data(page_two, **theirs)), page_two


def assert_saved_meanwhile_is_stale(app, model, object_id, *, data_of, stored: dict, save) -> None:
    """Between the version check and the flush another transaction saves `stored` (and a new version):
    `save(item, data_of(item), expected_version=1)` then raises StaleDataError and changes nothing."""
    with app.app_context():
        item = _db.session.get(model, object_id)
        data = data_of(item)
        table = model.__table__
        with _db.engine.begin() as conn:  # another transaction saves first
            conn.execute(update(table).where(table.c.id == object_id).values(**stored, version=text("version + 1")))
        with pytest.raises(StaleDataError):
            save(item, data, expected_version=1)
        _db.session.rollback()


def archive_and_bring_back(app, base, audited_as, object_id, is_archived, while_archived=None):
    """The manager archives the object at `base` with its button and brings it back: `is_archived()`
    follows, and both are audited (`<audited_as>.archive`, `<audited_as>.unarchive`). `while_archived(client)`
    checks the pages in between. Returns the manager's client."""
    client = signed_in(app)
    press(client, base, "archiveren")
    assert is_archived() is True
    assert last_audit(app, f"{audited_as}.archive", object_id).new_values == {"is_archived": True}
    if while_archived is not None:
        while_archived(client)
    press(client, base, "dearchiveren")
    assert is_archived() is False
    assert last_audit(app, f"{audited_as}.unarchive", object_id) is not None
    return client


def press(client, base, button) -> None:
    """Presses a button of the object at `base` that posts nothing but the CSRF token (`archiveren`,
    `dearchiveren`), as its edit page offers it; the answer is a redirect."""
    token = csrf_token(client.get(f"{base}/bewerken"))
    assert client.post(f"{base}/{button}", data={"csrf_token": token}).status_code == 302


def form_data(page, **changes) -> dict:
    """The edit form as the page shows it (inputs, textareas, selected options; the first of each
    name wins), with changes, ready to post."""
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(page)}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data.setdefault(name, value)
    for name in re.findall(r'<input[^>]*name="([^"]+)"', html):
        data.setdefault(name, "")
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\s*(.*?)</textarea>', html, re.S):
        data[name] = body
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option selected value="([^"]*)"', body) or re.search(r'<option value="([^"]*)"', body)
        data[name] = selected.group(1)
    data.update({key: str(value) for key, value in changes.items()})
    return data


def remove_data(page) -> dict:
    """What the page's remove button posts: the CSRF token and the version it was loaded with."""
    html = page.get_data(as_text=True)
    version = re.search(r'action="[^"]*verwijderen".*?name="version"[^>]*value="(\d+)"', html, re.S).group(1)
    return {"csrf_token": csrf_token(page), "version": version}
