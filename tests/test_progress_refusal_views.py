"""Refusals over HTTP on every progress route: another owner's initiative, a reader, forged ids in
URLs, a missing CSRF token. Nothing changes (the progress tables and uploads stay as they were)."""

from programme.core.extensions import db as _db
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate
from tests.conftest import csrf_token
from tests.progress_helpers import TEST_YEAR, client_for, new_draft, state, upload, uploads

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures


# ---------------------------------------------------------------- refusals

def _approved_other(ctx, ids) -> int:
    """An approved update of the other initiative (its owner wrote it, the manager approved it)."""
    update_id = new_draft(ctx, ids, role="other_owner", initiative=ids.other)

    def _approve(users):
        update = _db.session.get(ProgressUpdate, update_id)
        ops.update_draft(update, {"traffic_light": "op_koers"}, users["other_owner"])
        ops.approve(ops.submit(update, users["other_owner"]), users["manager"])
    ctx(_approve)
    return update_id


def _update_posts(update_id) -> list[str]:
    return [f"/voortgang/{update_id}/{action}" for action in
            ("bewerken", "indienen", "corrigeren", "terugsturen", "goedkeuren")]


def test_owner_cannot_touch_another_initiative(app, ids, ctx):
    # Their draft is not even visible: 404 on every route, as if it did not exist. (This test used to
    # expect 403 here and a readable draft, which was the defect of issue 8.)
    other_update = new_draft(ctx, ids, role="other_owner", initiative=ids.other)
    client = client_for(app, "owner")
    page = client.get("/voortgang")
    token = csrf_token(page)
    before, files_before = state(app), uploads(app)
    assert client.post(f"/initiatieven/{ids.other}/voortgang/nieuw",
                       data={"csrf_token": token, "period_id": ids.period}).status_code == 403
    assert client.get(f"/initiatieven/{ids.other}/voortgang/nieuw").status_code == 403
    assert client.get(f"/voortgang/{other_update}").status_code == 404
    assert client.get(f"/voortgang/{other_update}/bewerken").status_code == 404
    for url in _update_posts(other_update):
        assert client.post(url, data={"csrf_token": token, "done": "x"}).status_code == 404, url
    response = upload(client, other_update, "x.pdf", token=token)
    assert response.status_code == 404
    assert state(app) == before and uploads(app) == files_before
    # Once approved they may read it, and still change nothing: 403 with the reason on the page.
    with app.app_context():  # one update per initiative and period: the draft makes way
        _db.session.delete(_db.session.get(ProgressUpdate, other_update))
        _db.session.commit()
    approved_update = _approved_other(ctx, ids)
    before = state(app)
    assert client.get(f"/voortgang/{approved_update}").status_code == 200
    response = client.get(f"/voortgang/{approved_update}/bewerken")
    assert response.status_code == 403 and "U mag geen voortgang rapporteren voor initiatief" in response.text
    for url in _update_posts(approved_update):
        response = client.post(url, data={"csrf_token": token, "done": "x", "comment": "x"})
        assert response.status_code == 403, url
        assert "Foutcode 403" in response.text and "U heeft geen rechten" not in response.text, url
    response = upload(client, approved_update, "x.pdf", token=token)
    assert response.status_code == 403
    assert state(app) == before and uploads(app) == files_before


def test_reader_posting_anything_is_refused(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "reader")
    token = csrf_token(client.get("/voortgang"))
    before, files_before = state(app), uploads(app)
    # 403 where the reader may see what they try to change; 404 on the draft, which they may not see
    # (this test used to expect 403 on the draft's routes: the draft was visible, the defect of issue 8).
    posts = [(f"/initiatieven/{ids.initiative}/voortgang/nieuw", 403),
             *((url, 404) for url in _update_posts(update_id)),
             ("/voortgang/periodes/kwartalen", 403), ("/voortgang/periodes/nieuw", 403),
             (f"/voortgang/periodes/{ids.period}/sluiten", 403), (f"/voortgang/periodes/{ids.period}/heropenen", 403)]
    for url, status in posts:
        response = client.post(url, data={"csrf_token": token, "period_id": ids.period, "comment": "x",
                                          "year": TEST_YEAR, "done": "x"})
        assert response.status_code == status, url
    response = upload(client, update_id, "x.pdf", token=token)
    assert response.status_code == 404
    assert client.get("/voortgang/periodes").status_code == 403
    assert client.get(f"/voortgang/{update_id}/bewerken").status_code == 404
    assert state(app) == before and uploads(app) == files_before
    # An approved update the reader may read, but every change is refused with 403.
    approved_update = _approved_other(ctx, ids)
    before = state(app)
    for url in _update_posts(approved_update):
        response = client.post(url, data={"csrf_token": token, "comment": "x", "done": "x"})
        assert response.status_code == 403, url
    response = upload(client, approved_update, "x.pdf", token=token)
    assert response.status_code == 403
    assert client.get(f"/voortgang/{approved_update}/bewerken").status_code == 403
    assert state(app) == before and uploads(app) == files_before


def test_forged_ids_in_urls(app, ids, ctx):
    client = client_for(app, "owner")
    token = csrf_token(client.get("/voortgang"))
    before = state(app)
    assert client.post("/initiatieven/999999999/voortgang/nieuw",
                       data={"csrf_token": token, "period_id": ids.period}).status_code == 404
    assert client.post(f"/initiatieven/{ids.initiative}/voortgang/nieuw",
                       data={"csrf_token": token, "period_id": "999999999"}).status_code == 404
    for url in ("/voortgang/999999999", "/voortgang/999999999/bewerken", "/voortgang/bewijs/999999999"):
        assert client.get(url).status_code == 404, url
    for url in ("/voortgang/999999999/indienen", "/voortgang/999999999/bewijs",
                "/voortgang/bewijs/999999999/verwijderen"):
        assert client.post(url, data={"csrf_token": token}).status_code == 404, url
    assert state(app) == before


def test_post_without_csrf_is_refused(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    owner, manager = client_for(app, "owner"), client_for(app, "manager")
    before = state(app)
    assert owner.post(f"/voortgang/{update_id}/indienen").status_code == 400
    assert owner.post(f"/voortgang/{update_id}/bewerken", data={"done": "x"}).status_code == 400
    assert owner.post(f"/initiatieven/{ids.initiative}/voortgang/nieuw",
                      data={"period_id": ids.period}).status_code == 400
    assert manager.post(f"/voortgang/periodes/{ids.period}/sluiten").status_code == 400
    assert state(app) == before
