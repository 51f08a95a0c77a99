"""Example data (`flask example-data`), on a database of its own (SQLite file, or a schema of its own
in TEST_DATABASE_URL): loading and then removing it leaves every table, row for row, as before;
loading twice adds nothing; while it is present every page and report PDF says "Voorbeeldgegevens";
production refuses both commands."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, func, literal_column, select, table, text

from programme.accounts.models import User
from programme.accounts.passwords import hash_password
from programme.cli import create_demo_accounts
from programme.core.audit import AuditEntry
from programme.core.db import utcnow
from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative, initiative_resources
from programme.monitor.models import Area, MonitorIndicator
from programme.progress.models import APPROVED, DRAFT, SUBMITTED, ProgressUpdate
from programme.progress.followup import counted_observations
from programme.progress.update_items import Evidence, Lesson, Observation
from programme.reports.rendering.content import build_content
from programme.reports.kinds import FACTSHEET, GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports.models import IssuedReport
from programme.reports.rendering.pdf import render_pdf
from programme.reports.spans import parse_span
from programme.seed.example import ExampleDataRefused, is_present, load_example_data, remove_example_data
from programme.seed.loader import seed_all
from programme.reports.archive import reports_dir
from tests.conftest import PASSWORD, csrf_token
from tests.isolation import SeededState
from tests.scratch_apps import migrated_app

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "example_data_test"
BANNER = "deze omgeving bevat verzonnen voorbeeldgegevens"


def _database_url(instance: Path) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{instance / 'example.db'}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{SCHEMA}"


@pytest.fixture(scope="module")
def _example_database(tmp_path_factory):
    """A freshly migrated and seeded database, nothing else (no test users, no demo accounts), and its
    seeded rows."""
    instance = tmp_path_factory.mktemp("example-instance")
    app = migrated_app(instance, _database_url(instance))
    with app.app_context():
        seed_all()
        _db.session.commit()
        seeded = SeededState(_db.engine)
    yield app, seeded
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture()
def example_app(_example_database):
    """The app of that database, as seeded: what one test changed (demo accounts), the next does not see."""
    app, seeded = _example_database
    with app.app_context():
        _db.session.remove()
        seeded.restore(_db.engine)
    return app


def snapshot() -> dict[str, list[tuple]]:
    """Every table of the database, every row and column (sorted, so row order does not matter).
    Nothing is left out: on SQLite every table in sqlite_master, sqlite_sequence too if it exists."""
    conn = _db.session.connection()
    if conn.dialect.name == "sqlite":
        names = list(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
    else:
        names = list(conn.execute(text("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_schema = current_schema()")).scalars())
    assert "progress_updates" in names and "example_records" in names and "alembic_version" in names
    return {name: sorted((tuple(row) for row in conn.execute(select(literal_column("*")).select_from(table(name)))),
                         key=repr) for name in names}


def _differences(before: dict, after: dict) -> list[str]:
    out = [f"table {name} appeared or vanished" for name in set(before) ^ set(after)]
    for name in set(before) & set(after):
        if before[name] != after[name]:
            out.append(f"{name}: {len(before[name])} rows before, {len(after[name])} after; "
                       f"first difference {next(iter(set(after[name]) ^ set(before[name])), None)!r}")
    return out


def _files(app) -> set[str]:
    folders = (Path(app.instance_path) / "uploads", Path(app.instance_path) / "reports")
    return {str(p) for folder in folders if folder.exists() for p in folder.iterdir()}


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def _assert_history_loaded(app) -> None:
    updates = _db.session.scalars(select(ProgressUpdate)).all()
    approved = [u for u in updates if u.status == APPROVED]
    per_initiative = {}
    for update in approved:
        per_initiative.setdefault(update.initiative.number, set()).add(update.period.code)
    two_years = {f"{y}-K{q}" for y in (2025, 2026) for q in (1, 2, 3, 4)} - {"2026-K4"}
    assert len([n for n, codes in per_initiative.items() if codes == two_years]) >= 5
    assert {"1.1.2", "1.1.3"} <= set(per_initiative)
    assert [u.status for u in updates if u.period.code == "2026-K4"].count(DRAFT) == 1
    assert [u.status for u in updates if u.period.code == "2026-K4"].count(SUBMITTED) == 1
    # Returned, corrected and approved, through the real operations (audit entries by the actors).
    returns = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "progress_update.return")).all()
    assert len(returns) == 1 and returns[0].message and returns[0].actor_id is not None
    corrected = _db.session.get(ProgressUpdate, returns[0].object_id)
    assert corrected.status == APPROVED and corrected.reviewed_by_id == returns[0].actor_id
    assert _count(AuditEntry, AuditEntry.action == "progress_update.approve") == len(approved)
    # Lessons on learning questions, values, spending, risks and evidence files on disk.
    assert _count(Lesson, Lesson.learning_question_id.is_not(None)) >= 10
    assert all(u.indicator_values and u.spending for u in approved)
    assert any(u.risks for u in approved)
    evidence = _db.session.scalars(select(Evidence)).all()
    assert evidence and all((Path(app.instance_path) / "uploads" / e.stored_name).read_bytes()[:5] == b"%PDF-"
                            for e in evidence)
    # The toetsingskader: the manager recorded the resources of several initiatives, through the operation.
    worked_on = {i.number: {r.code for r in i.resources} for i in _db.session.scalars(select(Initiative))
                 if i.resources}
    assert len(worked_on) >= 4 and "social_contact" in worked_on["1.1.2"]
    assert _count(AuditEntry, AuditEntry.action == "initiative.set_resources") == len(worked_on)
    # Observations in approved updates show beside the monitor; the one in the draft does not.
    shown = counted_observations()
    assert len(shown) >= 5 and all(o.update.status == APPROVED for o in shown)
    assert _count(Observation) > len(shown)
    assert {o.area.name for o in shown} >= {"Brabant", "Roosendaal", "Helmond"}
    # The history is dated over two years, not at the moment of loading.
    assert min(u.reviewed_dt for u in approved).year == 2025
    # Issued reports, built by the report build code, for ended periods only.
    reports = _db.session.scalars(select(IssuedReport)).all()
    kinds = {r.kind for r in reports}
    assert {GS_QUARTERLY, PS_HALF_YEARLY} <= kinds
    assert all(parse_span(r.period_code).ends_on < utcnow().date() for r in reports)
    assert all((reports_dir() / r.stored_name).is_file() for r in reports)


@pytest.mark.slow
def test_load_then_remove_leaves_every_table_as_seeded(example_app):
    """Without demo accounts: stand-in accounts act, and are removed again."""
    with example_app.app_context():
        seeded = snapshot()
        _db.session.rollback()
        files_before = _files(example_app)
        stats = load_example_data()
        assert stats and stats["approved"] >= 35 and stats["reports"] >= 2
        assert is_present()
        _assert_history_loaded(example_app)
        assert _files(example_app) - files_before
        assert _db.session.scalar(select(User).where(User.email == "programmamanager@voorbeeld.invalid"))

        removed = remove_example_data()
        assert removed["progress_updates"] == stats["approved"] + stats["submitted"] + stats["draft"]
        assert removed["progress_observations"] == stats["observations"]
        assert removed["initiative_resources"] == stats["toetsingskader"]  # one marker per initiative
        assert not is_present()
        assert _differences(seeded, snapshot()) == []
        assert _files(example_app) == files_before
        assert remove_example_data() == {}


@pytest.mark.slow
def test_with_demo_accounts_twice_banner_pdf_and_removal(example_app):
    """As `make run` does it: after the demo accounts, which then act in the example."""
    with example_app.app_context():
        create_demo_accounts()
        client = example_app.test_client()
        assert BANNER not in client.get("/aanmelden").get_data(as_text=True)
        before = snapshot()
        _db.session.rollback()

        assert load_example_data()
        loaded = snapshot()
        _db.session.rollback()
        assert load_example_data() is None  # the second run changes nothing
        assert _differences(loaded, snapshot()) == []
        _db.session.rollback()

        demo_owner = _db.session.scalar(select(User).where(User.email == "initiatiefnemer@demo.brabant.nl"))
        owned = _db.session.scalars(select(ProgressUpdate).join(Initiative).where(
            Initiative.number.in_(("1.1.2", "1.1.3")))).all()
        assert owned and {u.author_id for u in owned} == {demo_owner.id}

        page = client.get("/aanmelden").get_data(as_text=True)
        assert "Voorbeeldgegevens" in page and BANNER in page
        for report in _db.session.scalars(select(IssuedReport)):
            pages = _pdf_pages((reports_dir() / report.stored_name).read_bytes())
            assert "verzonnen voorbeeldgegevens" in pages[0], report.kind
            # The running footer: on every page of the longer reports too.
            assert all("Voorbeeldgegevens" in p for p in pages), report.kind

        remove_example_data()
        assert _differences(before, snapshot()) == []
        _db.session.rollback()
        assert BANNER not in client.get("/aanmelden").get_data(as_text=True)
        with example_app.test_request_context():
            content = build_content(GS_QUARTERLY, parse_span("2026-K3"))
            assert all("Voorbeeldgegevens" not in p for p in _pdf_pages(render_pdf(content)))
            factsheet = build_content(FACTSHEET, parse_span("2026-K3"), initiative=_db.session.scalar(
                select(Initiative).where(Initiative.number == "1.1.2")))
            assert all("Voorbeeldgegevens" not in p for p in _pdf_pages(render_pdf(factsheet)))


@pytest.mark.slow
def test_resources_someone_recorded_stay_as_they_were(example_app):
    """The example records the toetsingskader only where nobody did; removal leaves a manager's choice alone,
    and shows the example's observations on the monitor page while loaded."""
    with example_app.app_context():
        create_demo_accounts()
        slowcare = _db.session.scalar(select(Initiative).where(Initiative.number == "1.1.8"))
        chosen = _db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == "trust_social"))
        slowcare.resources = [chosen]
        _db.session.commit()
        load_example_data()
        assert [r.code for r in slowcare.resources] == ["trust_social"]
        _db.session.rollback()
        helmond = _db.session.scalar(select(Area).where(Area.name == "Helmond"))
        client = example_app.test_client()
        owner = _db.session.scalar(select(User).where(User.email == "initiatiefnemer@demo.brabant.nl"))
        owner.password_hash = hash_password(PASSWORD)
        _db.session.commit()
        assert client.post("/aanmelden", data={"email": owner.email, "password": PASSWORD, "csrf_token": csrf_token(
            client.get("/aanmelden"))}).status_code == 302
        page = client.get(f"/monitor?gebied={helmond.id}").get_data(as_text=True)
        assert "Bij de buurtavonden in Dierdonk" in page and "Helmond:" in page
        assert "Jonge moeders in Tolberg" not in client.get("/monitor").get_data(as_text=True)  # a draft's
        matrix = client.get("/toetsingskader").get_data(as_text=True)
        assert "1.1.2" in matrix and "1.1.3" in matrix
        _db.session.rollback()
        remove_example_data()
        assert [r.code for r in _db.session.get(Initiative, slowcare.id).resources] == ["trust_social"]
        assert _db.session.scalar(select(func.count()).select_from(initiative_resources)) == 1


@pytest.mark.slow
def test_production_refuses_both_commands(example_app):
    with example_app.app_context():
        before = snapshot()
        _db.session.rollback()
        example_app.config["PRODUCTION"] = True
        try:
            with pytest.raises(ExampleDataRefused, match="niet in productie"):
                load_example_data()
            with pytest.raises(ExampleDataRefused, match="niet in productie"):
                remove_example_data()
        finally:
            example_app.config["PRODUCTION"] = False
    env = dict(os.environ)
    env.update({"DATABASE_URL": example_app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "p" * 40,
                "INSTANCE_PATH": example_app.instance_path, "APP_ENV": "production", "FLASK_APP": "app.py"})
    env.pop("FLASK_DEBUG", None)
    for args in (["example-data"], ["example-data", "--remove"]):
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app.py", *args],  # noqa: S603
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode != 0, result.stdout
        assert "Voorbeeldgegevens horen niet in productie" in result.stderr
    with example_app.app_context():
        assert _differences(before, snapshot()) == []


def test_example_history_is_consistent():
    """The example texts as data: every reference resolves, and the money adds up as it would for
    a real initiative (never more paid than committed, never more committed than budgeted)."""
    from programme.seed.example import HISTORY
    from programme.seed.loader import load_yaml

    history = load_yaml(HISTORY)
    seeded = load_yaml("initiatives.yaml")["initiatives"]
    questions = {i["number"]: len(i.get("learning_questions", [])) for i in seeded}
    numbers = [i["number"] for i in history["initiatives"]]
    assert len(set(numbers)) >= 5 and {"1.1.2", "1.1.3"} <= set(numbers)
    for item in history["initiatives"]:
        budget = {line["key"]: line["amount"] for line in item["budget_lines"]}
        indicators = {ind["key"] for ind in item["indicators"]}
        committed, spent = dict.fromkeys(budget, 0), dict.fromkeys(budget, 0)
        for spec in item["updates"]:
            parse_span(spec["period"])
            assert spec.get("light") in ("op_koers", "aandacht", "risico")
            assert spec["light"] == "op_koers" or spec.get("explanation"), (item["number"], spec["period"])
            assert all(1 <= lesson["question"] <= questions[item["number"]] for lesson in spec.get("lessons", []))
            assert set(spec.get("values", {})) <= indicators
            for key, (in_period_committed, in_period_spent) in spec.get("spending", {}).items():
                committed[key] += in_period_committed
                spent[key] += in_period_spent
                assert spent[key] <= committed[key] <= budget[key], (item["number"], spec["period"], key)
