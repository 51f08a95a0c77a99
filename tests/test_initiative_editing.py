"""The manager edits initiatives (optimistic locking), archives them and keeps learning questions."""
import itertools

import pytest
from sqlalchemy import select

from programme.accounts.operations import find_user
from programme.core.audit import AuditEntry
from programme.core.extensions import db as _db
from programme.initiatives import operations as ops
from programme.initiatives.models import Initiative, LearningQuestion
from programme.plan.models import Theme
from tests.conftest import csrf_token, form_version
from tests.editing_helpers import (archive_and_bring_back, assert_saved_meanwhile_is_stale, edit_state, last_audit,
                                   signed_in)

_numbers = itertools.count(1)


def _new_initiative(app) -> int:
    with app.app_context():
        item = Initiative(number=f"99.{next(_numbers)}.{id(app) % 1000}", name="Proefinitiatief",
                          line="crossover", status="exploring", opgave="Oude opgave")
        item.learning_questions.append(LearningQuestion(question="Werkt dit?", status="open", position=1))
        _db.session.add(item)
        _db.session.commit()
        return item.id


def _state(app, initiative_id):
    return edit_state(app, Initiative, initiative_id, ops.editable_values,
                      lambda item: [(q.id, q.question, q.status) for q in item.learning_questions])


def _form_data(page_html_client, path, **changes):
    client, page = page_html_client
    import re

    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(page),
            "version": re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)}
    for name in ("name", "status", "line"):
        data[name] = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1) if name == "name" else \
            re.search(rf'<select[^>]*name="{name}".*?<option selected value="([^"]*)"', html, re.S).group(1)
    for name in ("opgave", "description", "partners_text", "role_province", "role_zet", "role_zorgbelang"):
        data[name] = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\s*(.*?)</textarea>', html, re.S).group(1)
    data.update(changes)
    return data


def test_manager_edits_fields_owners_and_themes_with_audit(app):
    initiative_id = _new_initiative(app)
    client = signed_in(app)
    page = client.get(f"/initiatieven/{initiative_id}/bewerken")
    assert page.status_code == 200
    with app.app_context():
        owner_id = find_user("owner2@test.example").id
        theme_id = _db.session.scalar(select(Theme.id).order_by(Theme.position))
        manager_id = find_user("manager@test.example").id
    data = _form_data((client, page), f"/initiatieven/{initiative_id}/bewerken",
                      name="Proefinitiatief nieuw", status="active", opgave="Nieuwe opgave")
    data["owners"] = [str(owner_id)]
    data["themes"] = [str(theme_id)]
    response = client.post(f"/initiatieven/{initiative_id}/bewerken", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    values, version, _archived, _q = _state(app, initiative_id)
    assert values["name"] == "Proefinitiatief nieuw" and values["status"] == "active"
    assert values["opgave"] == "Nieuwe opgave" and values["owners"] == [owner_id]
    assert values["themes"] == [theme_id], version
    assert version == 2
    entry = last_audit(app, "initiative.update", initiative_id=initiative_id)
    assert entry.actor_id == manager_id
    assert entry.old_values["name"] == "Proefinitiatief" and entry.new_values["name"] == "Proefinitiatief nieuw"
    assert entry.old_values["owners"] == [] and entry.new_values["owners"] == ["Andere Eigenaar"]
    # everyone can read the history of the initiative
    html = signed_in(app, "reader").get(f"/initiatieven/{initiative_id}/audit").get_data(as_text=True)
    assert "Initiatief gewijzigd" in html and "Proefinitiatief nieuw" in html


def test_relation_only_edit_bumps_the_version(app):
    initiative_id = _new_initiative(app)
    with app.app_context():
        item = _db.session.get(Initiative, initiative_id)
        data = ops.editable_values(item)
        data["themes"] = [_db.session.scalar(select(Theme.id).order_by(Theme.position))]
        assert ops.update_initiative(item, data, expected_version=1)
        _db.session.commit()
        assert item.version == 2


def test_second_of_two_concurrent_edits_is_refused_with_input_kept(app, managers):
    initiative_id = _new_initiative(app)
    first, second = managers
    page_one = first.get(f"/initiatieven/{initiative_id}/bewerken")
    page_two = second.get(f"/initiatieven/{initiative_id}/bewerken")
    path = f"/initiatieven/{initiative_id}/bewerken"
    assert first.post(path, data=_form_data((first, page_one), path, name="Eerste versie")).status_code == 302
    response = second.post(path, data=_form_data((second, page_two), path, name="Tweede versie",
                                                 opgave="Mijn opgave"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Iemand anders heeft dit initiatief opgeslagen" in html
    assert 'value="Tweede versie"' in html and "Mijn opgave" in html  # input kept
    assert "Eerste versie" in html  # the stored value beside theirs
    values, version, *_ = _state(app, initiative_id)
    assert values["name"] == "Eerste versie" and version == 2
    with app.app_context():
        assert _db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "initiative.update", AuditEntry.result == "refused").order_by(
            AuditEntry.id.desc())) is not None


@pytest.mark.committed  # another connection saves in between
def test_concurrent_save_between_check_and_flush_raises_stale_data(app):
    initiative_id = _new_initiative(app)
    assert_saved_meanwhile_is_stale(app, Initiative, initiative_id, stored={"name": "Winnaar"},
                                    data_of=lambda item: ops.editable_values(item) | {"name": "Verliezer"},
                                    save=ops.update_initiative)
    values, version, *_ = _state(app, initiative_id)
    assert values["name"] == "Winnaar" and version == 2


def test_archive_unarchive_and_learning_questions(app):
    initiative_id = _new_initiative(app)
    client = archive_and_bring_back(app, f"/initiatieven/{initiative_id}", "initiative", initiative_id,
                                    lambda: _state(app, initiative_id)[2])

    token = csrf_token(client.get(f"/initiatieven/{initiative_id}/bewerken"))

    response = client.post(f"/initiatieven/{initiative_id}/leervragen/nieuw", data={
        "question": "Wat leren we?", "context": "", "status": "partly", "csrf_token": token})
    assert response.status_code == 302
    questions = _state(app, initiative_id)[3]
    assert questions[-1][1:] == ("Wat leren we?", "partly")
    question_id = questions[0][0]
    version = form_version(client.get(f"/initiatieven/{initiative_id}/leervragen/{question_id}/bewerken"))
    response = client.post(f"/initiatieven/{initiative_id}/leervragen/{question_id}/bewerken", data={
        "question": "Werkt dit?", "context": "", "status": "answered", "csrf_token": token, "version": version})
    assert response.status_code == 302
    entry = last_audit(app, "learning_question.update", initiative_id=initiative_id)
    assert entry.old_values == {"status": "open"} and entry.new_values == {"status": "answered"}
    # an empty question gets a Dutch error next to the field
    response = client.post(f"/initiatieven/{initiative_id}/leervragen/nieuw", data={
        "question": "", "status": "open", "csrf_token": token})
    assert "Vul de leervraag in." in response.get_data(as_text=True)


def test_owner_and_reader_get_403_on_every_write_and_nothing_changes(app):
    initiative_id = _new_initiative(app)
    before = _state(app, initiative_id)
    question_id = before[3][0][0]
    with app.app_context():
        owned = _db.session.scalar(select(Initiative.id).where(Initiative.number == "1.1.3"))
    for role in ("owner", "reader"):
        client = signed_in(app, role)
        token = csrf_token(client.get("/"))
        for target in (initiative_id, owned):  # also the initiative the owner owns
            assert client.get(f"/initiatieven/{target}/bewerken").status_code == 403
            assert client.post(f"/initiatieven/{target}/bewerken", data={
                "csrf_token": token, "version": "1", "name": "Gekaapt", "status": "stopped",
                "line": "crossover"}).status_code == 403
            assert client.post(f"/initiatieven/{target}/archiveren", data={"csrf_token": token}).status_code == 403
            assert client.post(f"/initiatieven/{target}/dearchiveren", data={"csrf_token": token}).status_code == 403
            assert client.post(f"/initiatieven/{target}/leervragen/nieuw", data={
                "csrf_token": token, "question": "X", "status": "open"}).status_code == 403
        assert client.post(f"/initiatieven/{initiative_id}/leervragen/{question_id}/bewerken", data={
            "csrf_token": token, "question": "X", "status": "answered"}).status_code == 403
        html = client.get(f"/initiatieven/{initiative_id}").get_data(as_text=True)
        assert "Initiatief bewerken" not in html
    assert _state(app, initiative_id) == before
    with app.app_context():
        assert _db.session.get(Initiative, owned).name == "Sociale Stad"


def test_forged_ids_and_missing_csrf(app):
    initiative_id = _new_initiative(app)
    other_id = _new_initiative(app)
    other_question = _state(app, other_id)[3][0][0]
    client = signed_in(app)
    page = client.get(f"/initiatieven/{initiative_id}/bewerken")
    token = csrf_token(page)
    before = _state(app, initiative_id), _state(app, other_id)
    assert client.get("/initiatieven/999999/bewerken").status_code == 404
    assert client.post("/initiatieven/999999/archiveren", data={"csrf_token": token}).status_code == 404
    # a learning question of another initiative through this initiative's URL
    assert client.post(f"/initiatieven/{initiative_id}/leervragen/{other_question}/bewerken", data={
        "csrf_token": token, "question": "Gekaapt", "status": "answered"}).status_code == 404
    # an owner id that is not an owner (the reader) and a nonsense theme id are refused
    with app.app_context():
        reader_id = find_user("reader@test.example").id
    path = f"/initiatieven/{initiative_id}/bewerken"
    data = _form_data((client, page), path)
    data["owners"] = [str(reader_id)]
    data["themes"] = ["999999"]
    response = client.post(path, data=data)
    assert response.status_code == 200
    assert "Kies alleen uit de getoonde mogelijkheden." in response.get_data(as_text=True)
    data = _form_data((client, page), path, status="verwijderd")
    assert client.post(path, data=data).status_code == 200
    # no CSRF token
    assert client.post(f"/initiatieven/{initiative_id}/archiveren").status_code == 400
    data = _form_data((client, page), path, name="Zonder token")
    data.pop("csrf_token")
    assert client.post(path, data=data).status_code == 400
    assert (_state(app, initiative_id), _state(app, other_id)) == before
