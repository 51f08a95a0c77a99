"""Server-side limits on every input, over HTTP (issue 11, finding 7).

Every field of every edit form is posted empty, too long, implausible and of the wrong type, and each
time the page says what is wrong in Dutch, no WTForms English text appears, and the database is
unchanged. The same sweep over the form classes is in test_input_limits_forms.py.
"""
import re
from html import unescape
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict
from sqlalchemy import select, text

from programme.core.extensions import db as _db
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate
from tests.conftest import USERS, csrf_token
from tests.dutch_messages import assert_dutch, assert_no_english
from tests.progress_helpers import client_for, new_draft

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures


# ---------------------------------------------------------------- over HTTP: every field of every edit form

class _FormParser(HTMLParser):
    """The POST forms of a page: their action and their controls (name, kind, value, required)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action"), "controls": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        controls = self._form["controls"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                controls.append({"name": a["name"], "kind": kind, "value": None, "required": False})
                return
            kind = "number" if a.get("inputmode") in ("numeric", "decimal") and kind == "text" else kind
            controls.append({"name": a["name"], "kind": kind, "value": a.get("value") or "",
                             "required": "required" in a})
        elif tag == "textarea":
            self._textarea = {"name": a.get("name"), "kind": "textarea", "value": "", "required": "required" in a}
            controls.append(self._textarea)
        elif tag == "select":
            self._select = {"name": a.get("name"), "kind": "select", "value": None, "required": "required" in a}
            controls.append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select["value"] is None or "selected" in a:
                if "selected" in a or self._select.get("first") is None:
                    self._select["value"] = a.get("value", "")
                self._select["first"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def _page_form(html: str, action: str, page: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if (form["action"] or page) == action:
            return form["controls"]
    raise AssertionError(f"no form posting to {action} on {page}")


def _data(controls, overrides) -> list[tuple[str, str]]:
    data = [(c["name"], overrides.get(c["name"], c["value"])) for c in controls
            if c["value"] is not None and c["name"] not in overrides]
    return data + list(overrides.items())


TOO_LONG = "x" * 20001  # longer than any text limit (the longest is 20,000)


def _cases(control) -> list[tuple[str, str]]:
    name, kind = control["name"], control["kind"]
    if kind in ("hidden", "submit", "button", "file") or name in ("csrf_token", "version"):
        return []
    cases = []
    if kind in ("text", "textarea", "email", "password", "search"):
        cases.append(("too long", TOO_LONG))
    if kind == "email" or name.endswith("email") or name == "to":
        cases += [("wrong type", "<a@x.nl>"), ("wrong type", "a@x")]
    if name.endswith("period_label"):
        cases += [("implausible", "2099"), ("wrong type", "volgend jaar")]
    if kind == "date":
        cases += [("implausible", "9999-12-31"), ("implausible", "2099-01-01"), ("implausible", "2015-12-31"),
                  ("wrong type", "31-12-2026")]
    if kind == "number" or name.endswith(("value", "amount", "committed", "spent", "year")):
        cases += [("wrong type", "veel"), ("implausible", "9" * 20)]
    if kind in ("select", "radio", "checkbox") and not name.endswith("learning_question"):
        cases.append(("wrong type", "zzz-geen-keuze"))
    if control["required"]:
        cases.append(("empty", ""))
    return cases


def _snapshot(app) -> dict:
    """Every row of every table (the sign-in failures aside: signing in is not under test here)."""
    with app.app_context():
        names = [t.name for t in _db.metadata.sorted_tables if t.name not in ("login_failures",)]
        return {name: sorted(map(repr, _db.session.execute(text(f"SELECT * FROM {name}")).all()))  # noqa: S608
                for name in names}


def _messages(client, response, field: str) -> list[str]:
    """The error shown for the field on the page that answered (or, after a redirect, the flashed one)."""
    if response.status_code in (302, 303):
        response = client.get(response.location)
        html = response.get_data(as_text=True)
        return [unescape(m) for m in re.findall(r'class="flash flash-error"[^>]*>(.*?)</p>', html, re.S)], html
    html = response.get_data(as_text=True)
    field_id = re.escape(field)
    found = re.findall(rf'id="{field_id}-error"><span class="visually-hidden">Fout: </span>(.*?)</p>', html, re.S)
    if not found:  # a row's field drawn by hand: its entry in the error summary
        found = re.findall(rf'<li><a href="#{field_id}">(.*?)</a></li>', html, re.S)
    if not found:  # a rule of the operation: the page's problem
        found = re.findall(r'class="error-summary".*?</h2>\s*<p>(.*?)</p>', html, re.S)
    return [unescape(m) for m in found], html


@pytest.fixture()
def http_world(app, ids, ctx):
    """A draft for the owner's edit form, a submitted update to return or approve, ids for every page."""
    draft_id = new_draft(ctx, ids)

    other_draft = new_draft(ctx, ids, role="other_owner", initiative=ids.other)

    def _submitted(users):
        update = _db.session.get(ProgressUpdate, other_draft)
        ops.update_draft(update, {"traffic_light": "op_koers"}, users["other_owner"])
        return ops.submit(update, users["other_owner"]).id

    submitted_id = ctx(_submitted)
    with app.app_context():
        from programme.accounts.operations import find_user
        from programme.plan.models import Action

        action = _db.session.scalar(select(Action).order_by(Action.id))
        world = SimpleNamespace(ids=ids, draft=draft_id, submitted=submitted_id, action=action.id,
                                deliverable=action.deliverable_id, user=find_user(USERS["reader"][0]).id)
        _db.session.rollback()
    return world


def _routes(w) -> list[tuple[str, str, str, dict]]:
    """(role, page, form action, valid values for the other fields) for every editing form."""
    i = w.ids
    return [
        ("manager", "/accounts/nieuw", "/accounts/nieuw",
         {"name": "Nieuwe Collega", "email": "nieuw.collega@test.example", "password": "zonnebloem-kastanje-2043",
          "role": "manager", "body": ""}),
        ("manager", f"/accounts/{w.user}/bewerken", f"/accounts/{w.user}/bewerken", {}),
        ("manager", f"/initiatieven/{i.initiative}/bewerken", f"/initiatieven/{i.initiative}/bewerken", {}),
        ("manager", f"/initiatieven/{i.initiative}/leervragen/nieuw",
         f"/initiatieven/{i.initiative}/leervragen/nieuw", {"question": "Wat werkt?"}),
        ("manager", f"/initiatieven/{i.initiative}/leervragen/{i.question}/bewerken",
         f"/initiatieven/{i.initiative}/leervragen/{i.question}/bewerken", {}),
        ("manager", f"/begroting/initiatieven/{i.initiative}/posten/nieuw",
         f"/begroting/initiatieven/{i.initiative}/posten/nieuw", {"amount": "100"}),
        ("manager", f"/begroting/posten/{i.line_province}/bewerken", f"/begroting/posten/{i.line_province}/bewerken",
         {}),
        ("manager", "/begroting/perioden", "/begroting/perioden", {"first_year": "2031", "last_year": "2032"}),
        ("manager", "/indicatoren/nieuw", "/indicatoren/nieuw", {"name": "Nieuwe indicator"}),
        ("manager", f"/indicatoren/{i.indicator}/bewerken", f"/indicatoren/{i.indicator}/bewerken", {}),
        ("manager", f"/indicatoren/{i.indicator}/streefwaarden/nieuw",
         f"/indicatoren/{i.indicator}/streefwaarden/nieuw", {"period_label": "2030", "target_value": "10"}),
        ("manager", f"/prestaties/{w.deliverable}/acties/nieuw", f"/prestaties/{w.deliverable}/acties/nieuw",
         {"name": "Nieuwe actie"}),
        ("manager", f"/acties/{w.action}/bewerken", f"/acties/{w.action}/bewerken", {}),
        ("manager", f"/acties/{w.action}/planning/nieuw", f"/acties/{w.action}/planning/nieuw",
         {"period_label": "2030", "text": "Plannen"}),
        ("manager", "/voortgang/periodes", "/voortgang/periodes/kwartalen", {"year": "2035"}),
        ("manager", "/voortgang/periodes", "/voortgang/periodes/nieuw",
         {"code": "VT-LIMIT", "label": "Grenstest", "starts_on": "2030-01-01", "ends_on": "2030-06-30"}),
        ("manager", "/rapportages/planning/nieuw", "/rapportages/planning/nieuw",
         {"name": "Grenstest", "days_after_period": "15", "hour": "6", "starts_on": "2027-01-01"}),
        ("manager", "/rapportages/ontvangers", "/rapportages/ontvangers",
         {"email": "ontvanger.grens@test.example", "name": "Ontvanger"}),
        ("manager", "/rapportages/ontvangers", "/rapportages/testmail", {}),
        ("manager", f"/voortgang/{w.submitted}", f"/voortgang/{w.submitted}/terugsturen", {}),
        ("manager", f"/voortgang/{w.submitted}", f"/voortgang/{w.submitted}/goedkeuren", {}),
        ("owner", f"/initiatieven/{i.initiative}/voortgang/nieuw", f"/initiatieven/{i.initiative}/voortgang/nieuw",
         {}),
        ("owner", f"/voortgang/{w.draft}/bewerken", f"/voortgang/{w.draft}/bewerken",
         {"indicator_values-0-measured_on": "2026-11-20"}),  # the test world's draft was measured in 2090
    ]


@pytest.mark.slow
def test_every_edit_form_refuses_bad_input_in_dutch_and_changes_nothing(app, http_world):
    clients = {role: client_for(app, role) for role in ("manager", "owner")}
    checked, routes = 0, _routes(http_world)
    for role, page_url, action, valid in routes:
        client = clients[role]
        page = client.get(page_url)
        assert page.status_code == 200, page_url
        controls = _page_form(page.get_data(as_text=True), action, page_url)
        for control in controls:
            for case, value in _cases(control):
                where = f"{action} {control['name']} {case} {value[:20]!r}"
                before = _snapshot(app)
                data = _data(controls, {**valid, control["name"]: value, "csrf_token": csrf_token(page)})
                response = client.post(action, data=MultiDict(data))
                assert response.status_code in (200, 302, 303, 400, 409, 422), f"{where}: {response.status_code}"
                messages, html = _messages(client, response, control["name"])
                assert messages, f"{where}: no message for the field ({response.status_code}: " + " ".join(
                    re.findall(r'class="error-summary.*?</div>', html, re.S))[:600]
                for message in messages:
                    assert_dutch(message, where)
                assert_no_english(html, where)
                assert _snapshot(app) == before, f"{where}: the database changed"
                checked += 1
        if action == page_url or action.endswith(("nieuw", "bewerken")):
            assert controls, action
    assert checked > 150


def test_a_huge_return_comment_is_refused(app, http_world):
    """The finding itself: a 5,000,000-character comment is not stored, and the page stays small."""
    manager = client_for(app, "manager")
    view = f"/voortgang/{http_world.submitted}"
    token = csrf_token(manager.get(view))
    before = _snapshot(app)
    response = manager.post(f"{view}/terugsturen", data={"csrf_token": token, "comment": "x" * 5_000_000})
    assert response.status_code == 303
    page = manager.get(view).get_data(as_text=True)
    assert "Gebruik hoogstens 5000 tekens." in page and len(page) < 200_000
    assert _snapshot(app) == before
    with app.app_context():
        assert _db.session.get(ProgressUpdate, http_world.submitted).status == "submitted"
