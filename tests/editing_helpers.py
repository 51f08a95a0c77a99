"""Shared by the tests of the manager's edit screens for indicators, actions and budget lines:
signing in, reading a form back from its page, the latest audit entry."""
import re

from sqlalchemy import select

from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from tests.conftest import csrf_token, login


def signed_in(app, role="manager"):
    client = app.test_client()
    assert login(client, role).status_code == 302
    return client


def last_audit(app, action, object_id=None):
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == action)
        if object_id is not None:
            query = query.where(AuditEntry.object_id == object_id)
        return _db.session.scalar(query.order_by(AuditEntry.id.desc()))


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
