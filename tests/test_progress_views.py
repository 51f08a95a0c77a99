"""The progress pages over HTTP: happy paths, refusals (nothing changes), CSRF, closed periods,
stale edits, evidence uploads and money input. Each test builds its own committed world (unique
initiatives, period, indicators and budget lines) and removes it afterwards."""
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import delete, or_, select, text, update

from programme.budget.models import BudgetLine
from programme.extensions import db as _db
from programme.impact.models import ImpactIndicator, ImpactMeasurement
from programme.initiatives.models import Initiative, LearningQuestion, initiative_owners
from programme.progress import evidence as files
from programme.progress import operations as ops
from programme.progress.models import (Evidence, IndicatorValue, Lesson, PeriodEvent, ProgressUpdate,
                                       ReportingPeriod, Risk, Spending)
from tests.conftest import csrf_token, login
from tests.progress_helpers import WATCHED_TABLES, content, make_world

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
TEST_YEAR = 2093


@dataclass
class Ids:
    initiative: int
    other: int
    period: int
    question: int
    other_question: int
    indicator: int
    other_indicator: int
    line_province: int
    line_zet: int
    other_line: int


def _cleanup(ids: Ids) -> None:
    """Remove the world with core statements (the ORM guards approved updates against deletion)."""
    initiatives = [ids.initiative, ids.other]
    updates = select(ProgressUpdate.id).where(ProgressUpdate.initiative_id.in_(initiatives)).scalar_subquery()
    s = _db.session
    s.execute(delete(ImpactMeasurement.__table__).where(or_(
        ImpactMeasurement.progress_update_id.in_(updates),
        ImpactMeasurement.indicator_id.in_([ids.indicator, ids.other_indicator]))))
    for model in (Lesson, Risk, IndicatorValue, Spending, Evidence):
        s.execute(delete(model.__table__).where(model.__table__.c.update_id.in_(updates)))
    s.execute(update(ProgressUpdate.__table__).where(ProgressUpdate.__table__.c.initiative_id.in_(initiatives))
              .values(previous_revision_id=None))
    s.execute(delete(ProgressUpdate.__table__).where(ProgressUpdate.__table__.c.initiative_id.in_(initiatives)))
    periods = select(ReportingPeriod.id).where(or_(
        ReportingPeriod.id == ids.period, ReportingPeriod.code.like(f"{TEST_YEAR}-%"),
        ReportingPeriod.code.like("VT%"))).scalar_subquery()
    s.execute(delete(PeriodEvent.__table__).where(PeriodEvent.__table__.c.period_id.in_(periods)))
    s.execute(delete(ReportingPeriod.__table__).where(ReportingPeriod.__table__.c.id.in_(periods)))
    s.execute(delete(BudgetLine.__table__).where(BudgetLine.__table__.c.initiative_id.in_(initiatives)))
    s.execute(delete(ImpactIndicator.__table__).where(ImpactIndicator.__table__.c.initiative_id.in_(initiatives)))
    s.execute(delete(LearningQuestion.__table__).where(LearningQuestion.__table__.c.initiative_id.in_(initiatives)))
    s.execute(delete(initiative_owners).where(initiative_owners.c.initiative_id.in_(initiatives)))
    s.execute(delete(Initiative.__table__).where(Initiative.__table__.c.id.in_(initiatives)))
    s.commit()


@pytest.fixture()
def ids(app):
    with app.app_context():
        w = make_world(_db)
        result = Ids(w.initiative.id, w.other.id, w.period.id, w.question.id, w.other_question.id, w.indicator.id,
                     w.other_indicator.id, w.line_province.id, w.line_zet.id, w.other_line.id)
        _db.session.commit()
    yield result
    with app.app_context():
        _db.session.rollback()
        _cleanup(result)


@pytest.fixture()
def ctx(app):
    """Run something against the database in an app context of its own, committed."""
    def _run(fn):
        with app.app_context():
            from programme.accounts.operations import find_user
            from tests.conftest import USERS
            users = {role: find_user(USERS[role][0]) for role in USERS}
            result = fn(users)
            _db.session.commit()
            return result
    return _run


def client_for(app, role):
    client = app.test_client()
    assert login(client, role).status_code == 302
    return client


def state(app) -> dict:
    """Every row of the progress tables (not the audit trail: refusals are audited)."""
    with app.app_context():
        return {t: _db.session.execute(text(f"SELECT * FROM {t} ORDER BY id")).all()  # noqa: S608
                for t in WATCHED_TABLES if t != "audit_entries"}


def uploads(app) -> set[str]:
    folder = Path(app.instance_path) / "uploads"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def new_draft(ctx, ids, role="owner", initiative=None, **overrides):
    def _make(users):
        world = _world(ids)
        author = users[role]
        target = _db.session.get(Initiative, initiative or ids.initiative)
        upd = ops.create_draft(target, world.period, author)
        if target.id == ids.initiative:
            ops.update_draft(upd, content(world, **overrides), author)
        return upd.id
    return ctx(_make)


def _world(ids):
    """Enough of the world for tests.progress_helpers.content()."""
    class W:
        period = _db.session.get(ReportingPeriod, ids.period)
        question = _db.session.get(LearningQuestion, ids.question)
        indicator = _db.session.get(ImpactIndicator, ids.indicator)
        line_province = _db.session.get(BudgetLine, ids.line_province)
    return W


def edit_data(client, update_id, ids, **overrides) -> dict:
    page = client.get(f"/voortgang/{update_id}/bewerken")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    import re
    version = re.search(r'name="version"[^>]*value="(\d+)"', html) or re.search(
        r'value="(\d+)"[^>]*name="version"', html)
    data = {
        "csrf_token": csrf_token(page), "version": version.group(1),
        "traffic_light": "aandacht", "explanation": "Minder vrijwilligers dan gedacht.",
        "done": "Twee bijeenkomsten.", "results": "25 deelnemers.", "next_steps": "Werving.",
        "lessons-0-learning_question": str(ids.question), "lessons-0-text": "Persoonlijk uitnodigen werkt.",
        "risks-0-description": "Zaal niet beschikbaar", "risks-0-likelihood": "laag", "risks-0-impact": "middel",
        "risks-0-measure": "Tweede locatie",
        "indicator_values-0-indicator_id": str(ids.indicator), "indicator_values-0-value": "12,5",
        "indicator_values-0-measured_on": "2090-03-20", "indicator_values-0-source": "Telling",
        "spending-0-budget_line_id": str(ids.line_province), "spending-0-committed": "1.234,56",
        "spending-0-spent": "1000",
        "spending-1-budget_line_id": str(ids.line_zet), "spending-1-committed": "", "spending-1-spent": "",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- overview and new drafts

def test_owner_sees_what_is_due_and_starts_a_draft(app, ids):
    client = client_for(app, "owner")
    html = client.get(f"/voortgang?periode={ids.period}").get_data(as_text=True)
    assert "Testinitiatief A" in html and "Nog niet begonnen" in html and "Testinitiatief B" not in html
    assert "Leerlog" in html and "Opvolging begroting" in html
    page = client.get(f"/initiatieven/{ids.initiative}/voortgang/nieuw?periode={ids.period}")
    assert page.status_code == 200 and "<label for=\"period_id\">Periode</label>" in page.get_data(as_text=True)
    response = client.post(f"/initiatieven/{ids.initiative}/voortgang/nieuw",
                           data={"csrf_token": csrf_token(page), "period_id": str(ids.period)})
    assert response.status_code == 302 and "/bewerken" in response.location
    with app.app_context():
        created = _db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.initiative_id == ids.initiative))
        assert created.status == "draft" and created.period_id == ids.period
    html = client.get(f"/voortgang?periode={ids.period}").get_data(as_text=True)
    assert "Verder schrijven" in html


def test_manager_sees_review_queue_and_periods(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    ctx(lambda u: ops.submit(_db.session.get(ProgressUpdate, update_id), u["owner"]))
    html = client_for(app, "manager").get(f"/voortgang?periode={ids.period}").get_data(as_text=True)
    assert "Te beoordelen" in html and f"/voortgang/{update_id}" in html and "Rapportageperiodes" in html


def test_reader_sees_only_approved_updates(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    ctx(lambda u: ops.approve(ops.submit(_db.session.get(ProgressUpdate, update_id), u["owner"]), u["manager"]))
    client = client_for(app, "reader")
    html = client.get("/voortgang").get_data(as_text=True)
    assert "Goedgekeurde voortgangsberichten" in html and f"/voortgang/{update_id}" in html
    assert "Bericht schrijven" not in html and "Te beoordelen" not in html
    view = client.get(f"/voortgang/{update_id}").get_data(as_text=True)
    assert "Bewoners komen als buren ze vragen." in view and "Vrijwilligers haken af" in view
    assert "Indienen" not in view and "Goedkeuren" not in view and "Corrigeren" not in view


# ---------------------------------------------------------------- editing

def test_owner_edits_an_update_with_dutch_amounts(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    response = client.post(f"/voortgang/{update_id}/bewerken", data=edit_data(client, update_id, ids))
    assert response.status_code == 302, re.findall(r"error-summary.*?</div>", response.get_data(as_text=True), re.S)
    with app.app_context():
        upd = _db.session.get(ProgressUpdate, update_id)
        assert upd.traffic_light == "aandacht" and upd.done == "Twee bijeenkomsten."
        assert [(s.budget_line_id, str(s.committed), str(s.spent)) for s in upd.spending] == [
            (ids.line_province, "1234.56", "1000.00")]
        assert [str(v.value.normalize()) for v in upd.indicator_values] == ["12.5"]
        assert [(x.learning_question_id, x.text) for x in upd.lessons] == [
            (ids.question, "Persoonlijk uitnodigen werkt.")]
        assert [(r.likelihood, r.impact) for r in upd.risks] == [("laag", "middel")]
    html = client.get(f"/voortgang/{update_id}").get_data(as_text=True)
    assert "€ 1.234,56" in html and "Aandacht nodig" in html and "12,5" in html and "Gewijzigd" in html
    form = client.get(f"/voortgang/{update_id}/bewerken").get_data(as_text=True)
    assert 'value="1.234,56"' in form and "<legend>Stoplicht</legend>" in form and "<legend>Les 1</legend>" in form


def test_negative_amount_is_a_dutch_error_next_to_the_field(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    before = state(app)
    response = client.post(f"/voortgang/{update_id}/bewerken",
                           data=edit_data(client, update_id, ids, **{"spending-0-committed": "-5"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="spending-0-committed-error"' in html and "Een bedrag kan niet negatief zijn." in html
    assert 'href="#spending-0-committed"' in html  # in the error summary
    assert 'value="-5"' in html and "Minder vrijwilligers dan gedacht." in html  # input kept
    assert state(app) == before


def test_incomplete_rows_get_dutch_errors(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    before = state(app)
    html = client.post(f"/voortgang/{update_id}/bewerken", data=edit_data(
        client, update_id, ids, **{"risks-1-description": "Alleen een beschrijving",
                                   "indicator_values-0-measured_on": "",
                                   "lessons-1-learning_question": str(ids.question)})
    ).get_data(as_text=True)
    assert "Kies de kans: laag, middel of hoog." in html and "Vul de meetdatum van Deelnemers in." in html
    assert "Schrijf de les op" in html
    assert state(app) == before


def test_stale_version_keeps_input_and_shows_both_values(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    data = edit_data(client, update_id, ids, done="Mijn eigen tekst over wat gedaan is.")
    ctx(lambda u: ops.update_draft(_db.session.get(ProgressUpdate, update_id),
                                   {"done": "Tekst van de collega."}, u["manager"]))
    before = state(app)
    response = client.post(f"/voortgang/{update_id}/bewerken", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Iemand anders heeft dit voortgangsbericht gewijzigd" in html
    assert "Mijn eigen tekst over wat gedaan is." in html and "Tekst van de collega." in html
    assert "Nu opgeslagen" in html and "Uw invoer" in html
    assert state(app) == before
    # The form now carries the current version: saving again is a conscious overwrite.
    with app.app_context():
        current = _db.session.get(ProgressUpdate, update_id).version
    assert f'value="{current}"' in html


# ---------------------------------------------------------------- workflow actions

def _post(client, url, page_url, **data):
    page = client.get(page_url)
    return client.post(url, data={"csrf_token": csrf_token(page), **data})


def test_submit_return_approve_correct(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    owner, manager = client_for(app, "owner"), client_for(app, "manager")
    view = f"/voortgang/{update_id}"
    assert _post(owner, f"{view}/indienen", view).status_code == 302
    assert "Het voortgangsbericht is ingediend" in owner.get(view).get_data(as_text=True)
    response = _post(manager, f"{view}/terugsturen", view, comment="")
    assert "Schrijf bij het terugsturen wat er moet worden aangepast." in manager.get(view).get_data(as_text=True)
    response = _post(manager, f"{view}/terugsturen", view, comment="Graag de resultaten in cijfers.")
    assert response.status_code == 302
    html = owner.get(view).get_data(as_text=True)
    assert "Teruggestuurd" in html and "Graag de resultaten in cijfers." in html
    assert "Graag de resultaten in cijfers." in owner.get(f"{view}/bewerken").get_data(as_text=True)
    _post(owner, f"{view}/indienen", view)
    assert _post(manager, f"{view}/goedkeuren", view, comment="Mooi werk").status_code == 302
    with app.app_context():
        assert _db.session.get(ProgressUpdate, update_id).status == "approved"
    response = _post(owner, f"{view}/corrigeren", view)
    assert response.status_code == 302 and "/bewerken" in response.location
    with app.app_context():
        revisions = _db.session.scalars(select(ProgressUpdate).where(
            ProgressUpdate.initiative_id == ids.initiative).order_by(ProgressUpdate.revision)).all()
        assert [(r.revision, r.status) for r in revisions] == [(1, "approved"), (2, "draft")]
    html = owner.get(view).get_data(as_text=True)
    assert "Versie 2" in html and "niet de nieuwste versie" in html


def test_closed_period_shows_the_dutch_message(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    ctx(lambda u: ops.close_period(_db.session.get(ReportingPeriod, ids.period), u["manager"]))
    client = client_for(app, "owner")
    before = state(app)
    view = f"/voortgang/{update_id}"
    response = _post(client, f"{view}/indienen", view)
    assert response.status_code == 302
    html = client.get(view).get_data(as_text=True)
    assert "is gesloten door Test Manager" in html
    response = client.get(f"{view}/bewerken")
    assert response.status_code == 302
    assert "is gesloten" in client.get(view).get_data(as_text=True)
    assert state(app) == before


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


@pytest.mark.parametrize("field, value, status", [
    ("spending-0-budget_line_id", "other_line", 403),
    ("indicator_values-0-indicator_id", "other_indicator", 403),
    ("lessons-0-learning_question", "other_question", 403),
    ("spending-0-budget_line_id", "999999999", 404),
    ("lessons-0-learning_question", "999999999", 404),
])
def test_forged_ids_in_form_fields(app, ids, ctx, field, value, status):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    data = edit_data(client, update_id, ids, **{field: str(getattr(ids, value, value))})
    before = state(app)
    assert client.post(f"/voortgang/{update_id}/bewerken", data=data).status_code == status
    assert state(app) == before


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


# ---------------------------------------------------------------- evidence

def test_upload_pdf_and_download(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    page = client.get(f"/voortgang/{update_id}/bewerken")
    response = client.post(f"/voortgang/{update_id}/bewijs", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(PDF), "../../Verslag Q1.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        evidence = _db.session.scalar(select(Evidence).where(Evidence.update_id == update_id))
        assert evidence.original_name == "Verslag Q1.pdf" and evidence.mime_type == "application/pdf"
        assert evidence.size == len(PDF) and len(evidence.stored_name) == 32
        evidence_id, stored = evidence.id, evidence.stored_name
    assert (Path(app.instance_path) / "uploads" / stored).read_bytes() == PDF
    reader = client_for(app, "reader")
    download = reader.get(f"/voortgang/bewijs/{evidence_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"
    download.close()
    assert "Verslag Q1.pdf" in client.get(f"/voortgang/{update_id}").get_data(as_text=True)


def test_renamed_exe_is_refused_and_nothing_stored(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    page = client.get(f"/voortgang/{update_id}/bewerken")
    before, files_before = state(app), uploads(app)
    response = client.post(f"/voortgang/{update_id}/bewijs", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(EXE), "verslag.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Het bestand is niet opgeslagen. Dit soort bestand wordt niet geaccepteerd." in html
    assert state(app) == before and uploads(app) == files_before


def test_download_refuses_path_tricks(app, ids, ctx):
    update_id = new_draft(ctx, ids)

    def add(_users):
        evidence = Evidence(update_id=update_id, original_name="x.pdf", stored_name="../../config.py",
                            mime_type="application/pdf", size=1, sha256="0" * 64)
        _db.session.add(evidence)
        _db.session.flush()
        return evidence.id

    evidence_id = ctx(add)
    assert client_for(app, "reader").get(f"/voortgang/bewijs/{evidence_id}").status_code == 404


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_sniffing_checks_content_not_name():
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert files.check("plan.docx", docx)[1].endswith("wordprocessingml.document")
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
    assert files.check("cijfers.ods", ods)[1] == "application/vnd.oasis.opendocument.spreadsheet"
    assert files.check("foto.PNG", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)[1] == "image/png"
    assert files.check("foto.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ")[1] == "image/webp"
    for name, data in [("plan.docx", _zip({"evil.sh": b"rm"})), ("plan.pdf", EXE), ("plan.pdf", docx),
                       ("leeg.pdf", b""), ("plan.doc", files.OLE2 + b"\x00" * 100)]:
        with pytest.raises(files.EvidenceRefused):
            files.check(name, data)
    assert files.clean_name("C:\\Users\\x\\Verslag.pdf") == "Verslag.pdf"
    assert files.stored_path("../etc/passwd") is None


# ---------------------------------------------------------------- periods

def test_manager_manages_periods(app, ids):
    client = client_for(app, "manager")
    page = client.get("/voortgang/periodes")
    assert page.status_code == 200
    token = csrf_token(page)
    response = client.post("/voortgang/periodes/kwartalen", data={"csrf_token": token, "year": TEST_YEAR})
    assert response.status_code == 302
    html = client.get("/voortgang/periodes").get_data(as_text=True)
    assert f"4e kwartaal {TEST_YEAR}" in html and f"{TEST_YEAR}-K1" in html
    response = client.post("/voortgang/periodes/nieuw", data={
        "csrf_token": token, "code": "VT-bad", "label": "Fout", "starts_on": "2094-06-01", "ends_on": "2094-01-01",
        "kind": "other"})
    assert response.status_code == 422 and "De einddatum ligt vóór de begindatum." in response.get_data(as_text=True)
    assert client.post("/voortgang/periodes/nieuw", data={
        "csrf_token": token, "code": "VT-H1", "label": "Eerste helft 2094", "starts_on": "2094-01-01",
        "ends_on": "2094-06-30", "kind": "other"}).status_code == 302
    assert "Eerste helft 2094" in client.get("/voortgang/periodes").get_data(as_text=True)
    assert client.post(f"/voortgang/periodes/{ids.period}/sluiten", data={"csrf_token": token}).status_code == 302
    html = client.get("/voortgang/periodes").get_data(as_text=True)
    assert "Gesloten door Test Manager" in html
    response = client.post(f"/voortgang/periodes/{ids.period}/heropenen",
                           data={"csrf_token": token, f"heropen-{ids.period}-reason": ""})
    assert response.status_code == 422 and "Geef een reden op voor het heropenen." in response.get_data(as_text=True)
    assert client.post(f"/voortgang/periodes/{ids.period}/heropenen", data={
        "csrf_token": token, f"heropen-{ids.period}-reason": "Late aanlevering Helmond"}).status_code == 302
    html = client.get("/voortgang/periodes").get_data(as_text=True)
    assert "Heropend door Test Manager" in html and "Reden: Late aanlevering Helmond" in html
    with app.app_context():
        assert _db.session.get(ReportingPeriod, ids.period).is_open


def test_owner_may_not_manage_periods(app, ids):
    client = client_for(app, "owner")
    token = csrf_token(client.get("/voortgang"))
    before = state(app)
    assert client.get("/voortgang/periodes").status_code == 403
    assert client.post(f"/voortgang/periodes/{ids.period}/sluiten", data={"csrf_token": token}).status_code == 403
    assert state(app) == before


# ---------------------------------------------------------------- follow-up pages

def test_learning_log_and_budget_follow_up(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    ctx(lambda u: ops.approve(ops.submit(_db.session.get(ProgressUpdate, update_id), u["owner"]), u["manager"]))
    client = client_for(app, "reader")
    html = client.get(f"/voortgang/leerlog?initiatief={ids.initiative}").get_data(as_text=True)
    assert "Bewoners komen als buren ze vragen." in html and "Wat werkt in de wijk?" in html
    html = client.get(f"/voortgang/leerlog?leervraag={ids.other_question}").get_data(as_text=True)
    assert "Bewoners komen als buren ze vragen." not in html
    assert client.get("/voortgang/leerlog?initiatief=abc").status_code == 200
    html = client.get(f"/begroting/opvolging?initiatief={ids.initiative}").get_data(as_text=True)
    assert "€ 2.000" in html and "€ 1.500" in html and "€ 8.500" in html  # committed, spent, remaining
    assert client.get("/begroting/opvolging").status_code == 200
