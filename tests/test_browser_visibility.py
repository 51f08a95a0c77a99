"""Issue 8 in a real browser: a GS reader who opens the URL of a submitted, not yet approved update gets
the generic 404 page (no text of the update, nothing saying it exists); the owner reads it; a manager
who submitted it is not offered "Goedkeuren" and reads why. Every page the users see passes axe-core."""
import pytest

from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from programme.progress import operations as ops
from tests.browser_support import check_page, main_text, new_page, sign_in
from tests.progress_helpers import content, world_of

pytest_plugins = ["tests.browser_support", "tests.progress_helpers"]
pytestmark = pytest.mark.browser

SECRET = "Nog-niet-goedgekeurde-tekst-voor-de-lezer"


def _submitted(ctx, ids, submitter: str) -> int:
    def _make(users):
        world = world_of(ids)
        update = ops.create_draft(_db.session.get(Initiative, ids.initiative), world.period, users["owner"])
        ops.update_draft(update, content(world, done=SECRET), users["owner"])
        ops.submit(update, users[submitter])
        return update.id
    return ctx(_make)


def test_reader_gets_404_on_a_submitted_update(contexts, live_server, axe, artifacts, ids, ctx):
    update_id = _submitted(ctx, ids, "owner")
    url = f"{live_server}/voortgang/{update_id}"

    reader = new_page(contexts())
    sign_in(reader, live_server, "reader")
    response = reader.goto(url)
    assert response.status == 404
    text = main_text(reader)
    assert "Pagina niet gevonden" in text and SECRET not in reader.content()
    # The 404 of the document itself is expected; only other console errors count.
    reader.problems[:] = [p for p in reader.problems if "404" not in p]
    check_page(reader, axe, artifacts, "voortgang-lezer-404")

    owner = new_page(contexts())
    sign_in(owner, live_server, "owner")
    assert owner.goto(url).status == 200
    assert SECRET in main_text(owner)
    check_page(owner, axe, artifacts, "voortgang-eigenaar-ingediend")


def test_manager_who_submitted_reads_why_they_may_not_approve(contexts, live_server, axe, artifacts, ids, ctx):
    update_id = _submitted(ctx, ids, "manager")
    manager = new_page(contexts())
    sign_in(manager, live_server, "manager")
    assert manager.goto(f"{live_server}/voortgang/{update_id}").status == 200
    review = manager.get_by_role("region", name="Beoordelen")
    assert "Vraag een andere programmamanager" in review.inner_text()
    assert manager.get_by_role("button", name="Goedkeuren").count() == 0
    check_page(manager, axe, artifacts, "voortgang-eigen-bericht-beoordelen")
