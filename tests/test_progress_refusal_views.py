"""Refusals over HTTP on every progress route: another owner's initiative, a reader, forged ids in
URLs, a missing CSRF token. Nothing changes (the progress tables and uploads stay as they were)."""
import io

from tests.conftest import csrf_token
from tests.progress_helpers import PDF, TEST_YEAR, client_for, new_draft, state, uploads

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures


# ---------------------------------------------------------------- refusals

def test_owner_cannot_touch_another_initiative(app, ids, ctx):
    other_update = new_draft(ctx, ids, role="other_owner", initiative=ids.other)
    client = client_for(app, "owner")
    page = client.get("/voortgang")
    token = csrf_token(page)
    before, files_before = state(app), uploads(app)
    assert client.post(f"/initiatieven/{ids.other}/voortgang/nieuw",
                       data={"csrf_token": token, "period_id": ids.period}).status_code == 403
    assert client.get(f"/initiatieven/{ids.other}/voortgang/nieuw").status_code == 403
    assert client.get(f"/voortgang/{other_update}/bewerken").status_code == 403
    response = client.post(f"/voortgang/{other_update}/bewerken", data={"csrf_token": token, "done": "x"})
    assert response.status_code == 403
    for action in ("indienen", "corrigeren", "terugsturen", "goedkeuren"):
        assert client.post(f"/voortgang/{other_update}/{action}", data={"csrf_token": token}).status_code == 403
    response = client.post(f"/voortgang/{other_update}/bewijs", data={
        "csrf_token": token, "file": (io.BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 403
    assert state(app) == before and uploads(app) == files_before
    # and the owner may read it
    assert client.get(f"/voortgang/{other_update}").status_code == 200


def test_reader_posting_anything_is_refused(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "reader")
    token = csrf_token(client.get("/voortgang"))
    before, files_before = state(app), uploads(app)
    posts = [f"/initiatieven/{ids.initiative}/voortgang/nieuw", f"/voortgang/{update_id}/bewerken",
             f"/voortgang/{update_id}/indienen", f"/voortgang/{update_id}/terugsturen",
             f"/voortgang/{update_id}/goedkeuren", f"/voortgang/{update_id}/corrigeren",
             "/voortgang/periodes/kwartalen", "/voortgang/periodes/nieuw",
             f"/voortgang/periodes/{ids.period}/sluiten", f"/voortgang/periodes/{ids.period}/heropenen"]
    for url in posts:
        response = client.post(url, data={"csrf_token": token, "period_id": ids.period, "comment": "x",
                                          "year": TEST_YEAR, "done": "x"})
        assert response.status_code == 403, url
    response = client.post(f"/voortgang/{update_id}/bewijs", data={
        "csrf_token": token, "file": (io.BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 403
    assert client.get("/voortgang/periodes").status_code == 403
    assert client.get(f"/voortgang/{update_id}/bewerken").status_code == 403
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
