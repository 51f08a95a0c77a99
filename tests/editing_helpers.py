"""Shared by the tests of the manager's edit screens (initiatives, indicators, actions, budget lines,
accounts): signing in, reading a form back from its page, pressing a button, an object's state read
afresh, the latest audit entry."""
import re

from sqlalchemy import select

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
