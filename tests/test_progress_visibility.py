"""Issue 8, points 1 and 2: who sees which progress update, on every route that shows update content,
and the refusals that say why. A draft, submitted or returned update is for the initiative's owners
and the managers only; a reader and the owner of another initiative get 404 on its pages and never
find its text in a list, export, report preview, PDF or Excel. Approving one's own update is not
offered, and a forced attempt is refused with the reason on the page."""
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative, LearningQuestion
from programme.progress import evidence as files
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate
from programme.progress.queries import visible_history, visible_updates
from programme.reports.kinds import GS_QUARTERLY
from programme.reports.spans import parse_span
from programme.reports import operations
from programme.reports.worker import builds, leases
from tests.progress_helpers import (PDF, client_for, content, draft, make_world, post_form, unique, world_of)

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures

STATES = ("draft", "submitted", "returned")
REPORT_PERIOD = "2019-K1"  # ended long ago: the report on it is an ordinary one
SHOWN = {"explanation": "Zichtbaar-goedgekeurde-toelichting", "lesson": "Zichtbaar-goedgekeurde-les"}


def hidden_texts(state: str) -> dict:
    """Unique texts for the unapproved update, so that a page or file can be searched for them."""
    return {"explanation": f"Verborgen-toelichting-{state}", "done": f"Verborgen-gedaan-{state}",
            "lesson": f"Verborgen-les-{state}", "risk": f"Verborgen-risico-{state}",
            "evidence": f"verborgen-bewijs-{state}.pdf", "committed": "4321.00"}


def _all_hidden(texts: dict) -> list[str]:
    return [texts[key] for key in ("explanation", "done", "lesson", "risk", "evidence")]


def make_scene(ctx, ids, state: str) -> dict:
    """In a period of 2019: the owner's initiative has an update in `state` (with evidence); the other
    initiative an approved one. Returns the ids and texts the tests look for."""
    texts = hidden_texts(state)

    def _make(users):
        world = world_of(ids)
        period = ops.add_period(unique("VT"), "Testperiode 2019", date(2019, 1, 1), date(2019, 3, 31))
        initiative, other = _db.session.get(Initiative, ids.initiative), _db.session.get(Initiative, ids.other)
        update = ops.create_draft(initiative, period, users["owner"])
        ops.update_draft(update, content(
            world, traffic_light="risico", explanation=texts["explanation"], done=texts["done"],
            lessons=[{"learning_question": world.question, "text": texts["lesson"]}],
            risks=[{"description": texts["risk"], "likelihood": "hoog", "impact": "hoog"}],
            indicator_values=[{"impact_indicator": world.indicator, "value": Decimal("77"),
                               "measured_on": date(2019, 3, 1)}],
            spending=[{"budget_line": world.line_province, "committed": Decimal(texts["committed"]),
                       "spent": Decimal("0")}]), users["owner"])
        stored_name, sha256 = files.store(PDF)
        evidence = ops.add_evidence(update, users["owner"], original_name=texts["evidence"],
                                    stored_name=stored_name, mime_type="application/pdf", size=len(PDF),
                                    sha256=sha256)
        if state in ("submitted", "returned"):
            ops.submit(update, users["owner"])
        if state == "returned":
            ops.return_update(update, users["manager"], f"Verborgen-opmerking-{state}")
        shown = ops.create_draft(other, period, users["other_owner"])
        ops.update_draft(shown, {"traffic_light": "aandacht", "explanation": SHOWN["explanation"], "lessons": [
            {"learning_question": _db.session.get(LearningQuestion, ids.other_question), "text": SHOWN["lesson"]}]},
            users["other_owner"])
        ops.approve(ops.submit(shown, users["other_owner"]), users["manager"])
        return {"update": update.id, "evidence": evidence.id, "shown": shown.id, "period": period.id}

    return {**ctx(_make), "texts": texts}


@pytest.fixture(params=STATES)
def scene(request, app, ids, ctx):
    return make_scene(ctx, ids, request.param)


# ---------------------------------------------------------------- the rule itself

def test_can_view_and_the_where_clause_agree_for_every_state_and_user(db):
    world = make_world(db)
    updates = {"draft": draft(world)}
    for state in ("submitted", "returned", "approved"):
        period = ops.add_period(unique("VT"), "x", date(2089, 1, 1), date(2089, 3, 31))
        updates[state] = draft(world, period)
        if state != "draft":
            ops.submit(updates[state], world.owner)
        if state == "returned":
            ops.return_update(updates[state], world.manager, "terug")
        if state == "approved":
            ops.approve(updates[state], world.manager)
    expected = {"manager": set(updates), "owner": set(updates), "other_owner": {"approved"}, "reader": {"approved"}}
    for role, user in (("manager", world.manager), ("owner", world.owner), ("other_owner", world.other_owner),
                       ("reader", world.reader)):
        by_method = {state for state, u in updates.items() if u.can_view(user)}
        ids = set(db.session.scalars(visible_updates(user).with_only_columns(ProgressUpdate.id)))
        by_clause = {state for state, u in updates.items() if u.id in ids}
        assert by_method == by_clause == expected[role], role
        # What an update carries is visible exactly when the update is.
        assert {s for s, u in updates.items() if all(x.can_view(user) for x in u.lessons + u.risks)} == by_method
    nobody = type("Anonymous", (), {"is_authenticated": False})()
    assert not any(u.can_view(nobody) for u in updates.values())
    assert not db.session.scalars(visible_updates(nobody)).first()
    assert visible_history(world.owner, world.initiative) is not None


# ---------------------------------------------------------------- pages of the update itself

def test_update_page_and_evidence_by_role(app, scene):
    update, evidence, texts = scene["update"], scene["evidence"], scene["texts"]
    for role in ("reader", "other_owner"):
        client = client_for(app, role)
        response = client.get(f"/voortgang/{update}")
        assert response.status_code == 404, role
        assert not any(text in response.text for text in _all_hidden(texts)), role
        assert "Pagina niet gevonden" in response.text  # the generic page: nothing says it exists
        assert client.get(f"/voortgang/bewijs/{evidence}").status_code == 404, role
        # The approved update of the same period they may read, without the hidden one as a version.
        shown = client.get(f"/voortgang/{scene['shown']}")
        assert shown.status_code == 200 and SHOWN["explanation"] in shown.text
    for role in ("owner", "manager"):
        client = client_for(app, role)
        html = client.get(f"/voortgang/{update}").text
        assert all(text in html for text in _all_hidden(texts)), role
        download = client.get(f"/voortgang/bewijs/{evidence}")
        assert download.status_code == 200 and download.data == PDF, role
        download.close()


def test_overview_links_only_what_the_user_may_open(app, scene):
    update = scene["update"]
    link = re.compile(rf'href="/voortgang/{update}(/bewerken)?"')
    for role in ("reader", "other_owner"):
        html = client_for(app, role).get("/voortgang").text
        assert not link.search(html), role
        assert f'href="/voortgang/{scene["shown"]}"' in html, role
    html = client_for(app, "owner").get(f"/voortgang?periode={scene['period']}").text
    assert link.search(html)


# ---------------------------------------------------------------- lists and follow-up pages

def test_learning_log_and_budget_follow_up_show_approved_content_only(app, ids, scene):
    texts = scene["texts"]
    for role in ("reader", "other_owner", "owner", "manager"):
        client = client_for(app, role)
        log = client.get("/voortgang/leerlog").text + client.get(f"/voortgang/leerlog?initiatief={ids.initiative}").text
        assert texts["lesson"] not in log, role
        assert SHOWN["lesson"] in client.get(f"/voortgang/leerlog?initiatief={ids.other}").text, role
        money = client.get(f"/begroting/opvolging?initiatief={ids.initiative}").text
        assert "€ 4.321" not in money and "€ 10.000" in money, role


def test_initiative_audit_trail_hides_unapproved_content(app, ids, scene):
    texts = scene["texts"]
    for role in ("reader", "other_owner"):
        html = client_for(app, role).get(f"/initiatieven/{ids.initiative}/audit").text
        assert not any(text in html for text in _all_hidden(texts)), role
        assert "Verborgen-opmerking" not in html, role
        # The other initiative's approval is public.
        assert "goedgekeurd" in client_for(app, role).get(f"/initiatieven/{ids.other}/audit").text.lower(), role
    owner = client_for(app, "owner").get(f"/initiatieven/{ids.initiative}/audit").text
    assert texts["done"] in owner and texts["evidence"] in owner


# ---------------------------------------------------------------- reports: preview, PDF and Excel

def test_report_preview_holds_approved_content_only(app, scene):
    texts = scene["texts"]
    url = f"/rapportages/voorbeeld?soort=gs_kwartaal&periode={REPORT_PERIOD}"
    for role in ("reader", "manager"):
        html = client_for(app, role).get(url).text
        assert SHOWN["lesson"] in html, role  # the preview shows lessons, not explanations
        assert not any(text in html for text in _all_hidden(texts)), role
    for role in ("owner", "other_owner"):  # owners do not read reports at all
        assert client_for(app, role).get(url).status_code == 403


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _excel_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row
                    if cell.value is not None)


def test_issued_pdf_and_excel_hold_approved_content_only(app, ids, ctx):
    scene = make_scene(ctx, ids, "submitted")
    texts = scene["texts"]

    def _build(users):
        request = operations.request_report(GS_QUARTERLY, parse_span(REPORT_PERIOD), user=users["manager"])
        _db.session.commit()
        done = builds.run_build(leases.claim(request.id))
        assert done.report is not None, done.error
        return done.report.id
    report = ctx(_build)
    reader = client_for(app, "reader")
    pdf = reader.get(f"/rapportages/{report}/pdf")
    excel = reader.get(f"/rapportages/{report}/excel")
    assert pdf.status_code == 200 and excel.status_code == 200
    for name, text in (("pdf", _pdf_text(pdf.data)), ("excel", _excel_text(excel.data))):
        assert SHOWN["lesson"] in text, name
        assert not any(hidden in text for hidden in _all_hidden(texts)), name
    pdf.close(), excel.close()
    for role in ("owner", "other_owner"):
        client = client_for(app, role)
        assert client.get(f"/rapportages/{report}/pdf").status_code == 403
        assert client.get(f"/rapportages/{report}/excel").status_code == 403


# ---------------------------------------------------------------- say why: four eyes at review

def test_manager_is_not_offered_to_review_their_own_update_and_is_told_why(app, ids, ctx):
    """The manager submits the owner's draft: they may not approve or return it. The page says so
    instead of offering the buttons; a forced POST is a 403 that says why, and nothing changes."""
    def _make(users):
        world = world_of(ids)
        update = ops.create_draft(_db.session.get(Initiative, ids.initiative), world.period, users["owner"])
        ops.update_draft(update, content(world), users["owner"])
        ops.submit(update, users["manager"])
        return update.id
    update_id = ctx(_make)
    manager = client_for(app, "manager")
    view = f"/voortgang/{update_id}"
    html = manager.get(view).text
    assert "Vraag een andere programmamanager" in html
    assert f'action="{view}/goedkeuren"' not in html and f'action="{view}/terugsturen"' not in html
    for action in ("goedkeuren", "terugsturen"):
        response = post_form(manager, f"{view}/{action}", view, comment="Prima")
        assert response.status_code == 403
        assert "dat u zelf heeft ingediend niet goedkeuren" in response.text
        assert "Vraag een andere programmamanager" in response.text
    with app.app_context():
        assert _db.session.get(ProgressUpdate, update_id).status == "submitted"
    # The owner is offered no review at all, and no explanation meant for managers.
    owner_html = client_for(app, "owner").get(view).text
    assert "goedkeuren" not in owner_html.lower() and "Vraag een andere programmamanager" not in owner_html


def test_error_pages_stay_generic_elsewhere(app, scene):
    client = client_for(app, "reader")
    response = client.get(f"/voortgang/{scene['update']}/bewerken")
    assert response.status_code == 404 and "De pagina die u zoekt bestaat niet (meer)." in response.text
    response = client.get("/voortgang/periodes")
    assert response.status_code == 403 and "U heeft geen rechten voor deze pagina of handeling." in response.text


def test_approved_update_offers_correction_to_its_owner_only(app, ids, ctx):
    scene = make_scene(ctx, ids, "draft")
    shown = f"/voortgang/{scene['shown']}"
    assert "Corrigeren" not in client_for(app, "reader").get(shown).text
    assert "Corrigeren" not in client_for(app, "owner").get(shown).text
    assert "Corrigeren" in client_for(app, "other_owner").get(shown).text


def test_explained_refusal_links_back_to_the_update(app, ids, ctx):
    scene = make_scene(ctx, ids, "draft")
    shown = f"/voortgang/{scene['shown']}"
    response = post_form(client_for(app, "reader"), f"{shown}/corrigeren", shown)
    assert response.status_code == 403 and "U mag geen voortgang rapporteren voor initiatief" in response.text
    assert f'href="{shown}">Terug naar het voortgangsbericht</a>' in response.text
