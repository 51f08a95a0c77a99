"""Backups (SECURITY.md 15): `flask backup create` and `flask backup restore`, and a restore into a
fresh database and instance folder that finds everything back. Source and target are databases of
their own (SQLite files, or PostgreSQL databases next to TEST_DATABASE_URL's), not the shared one."""
import hashlib
import io
import json
import os
import tarfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from programme.accounts.operations import create_user, find_user
from programme.core.audit import AuditEntry
from programme.core.backup import BackupError
from programme.core.backup_restore import restore_backup
from programme.core.extensions import db as _db
from tests.conftest import PASSWORD, USERS, csrf_token
from tests.scratch_apps import fill_with_evidence, migrated_app

EVIDENCE_BYTES = b"%PDF-1.4\n% presentielijst bijeenkomst wijkcentrum\n" + bytes(range(256)) * 40
REPORT_BYTES = b"%PDF-1.7\n% kwartaalrapportage GS\n" + os.urandom(5000)


def _database(tmp_path: Path, name: str) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    url = make_url(base)
    database = f"{url.database}_{name}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        return
    parsed = make_url(url)
    admin = create_engine(make_url(os.environ["TEST_DATABASE_URL"]), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def _app(tmp_path: Path, name: str):
    """A migrated, empty database and an instance folder of its own."""
    instance = tmp_path / f"instance-{name}"
    instance.mkdir()
    return migrated_app(instance, _database(tmp_path, name))


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: _db.session.scalar(select(func.count()).select_from(table))
                for table in _db.metadata.sorted_tables}


def _fill(app) -> dict:
    """The programme, users (one with a second factor), a progress update with an evidence file and
    an issued report with its PDF."""
    from programme.progress import operations as ops
    from programme.reports.archive import reports_dir
    from programme.reports.models import IssuedReport

    with app.app_context():
        manager, world, update, stored_name = fill_with_evidence(EVIDENCE_BYTES)
        ops.approve(ops.submit(update, world.owner), world.manager)
        report_name = "backup-test-report.pdf"
        (reports_dir() / report_name).write_bytes(REPORT_BYTES)
        _db.session.add(IssuedReport(
            kind="gs_kwartaal", scope="gs_kwartaal:2090-K1", version=1, period_code="2090-K1",
            period_label="1e kwartaal 2090", title="Kwartaalrapportage", filename="kwartaal.pdf",
            stored_name=report_name, size=len(REPORT_BYTES), sha256=hashlib.sha256(REPORT_BYTES).hexdigest(),
            made_by_id=manager.id, made_by_label=manager.name, parameters={"period": "2090-K1", "a": [1, 2]},
            data_version="test", tables=[{"titel": "Begroting", "rijen": [["€ 1.000,00", None, True]]}]))
        _db.session.commit()
        return {"evidence": stored_name, "report": report_name, "totp_secret": manager.totp_secret,
                "line_amount": world.line_province.amount, "line_id": world.line_province.id}


@pytest.fixture(scope="module")
def backup(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("backup")
    source = _app(tmp_path, "backup_source")
    known = _fill(source)
    counts = _counts(source)
    archive = tmp_path / "archief" / "backup.tar.gz"
    result = source.test_cli_runner().invoke(args=["backup", "create", "--output", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Back-up gemaakt" in result.output
    target = _app(tmp_path, "backup_target")
    yield {"source": source, "target": target, "archive": archive, "counts": counts, "known": known,
           "tmp": tmp_path}
    for app in (source, target):
        with app.app_context():
            _db.session.remove()
            url = str(_db.engine.url.render_as_string(hide_password=False))
            _db.engine.dispose()
        _drop_database(url)


def _rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with change(name, data) -> data applied to every member."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return target


def _manifest_change(edit):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()
    return change


def _assert_target_empty(app) -> None:
    assert set(_counts(app).values()) == {0}
    for folder in ("uploads", "reports"):
        path = Path(app.instance_path) / folder
        assert not path.exists() or not any(path.iterdir())
    assert not list(Path(app.instance_path).glob(".restore-*"))


def test_archive_has_a_manifest_with_revision_counts_and_checksums(backup):
    archive = backup["archive"]
    assert archive.stat().st_mode & 0o777 == 0o600  # password hashes and TOTP secrets inside
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = set(tar.getnames()) - {"manifest.json"}
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(tar.extractfile(name).read()).hexdigest() == digest
    with backup["source"].app_context():
        head = _db.session.scalar(text("SELECT version_num FROM alembic_version"))
        entry = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "backup.create")).one()
        assert entry.result == "ok" and str(archive) in entry.object_label
    assert manifest["alembic_revision"] == head and manifest["created_dt"].endswith("+00:00")
    assert manifest["tables"] == backup["counts"]
    assert names == set(manifest["files"])
    assert f"uploads/{backup['known']['evidence']}" in names and f"reports/{backup['known']['report']}" in names
    assert {f"database/{table}.jsonl" for table in backup["counts"]} <= names


def test_restore_refuses_a_damaged_archive(backup):
    evidence = f"uploads/{backup['known']['evidence']}"
    damaged = _rewrite(backup["archive"], backup["tmp"] / "damaged.tar.gz",
                       lambda name, data: data[:-1] + b"!" if name == evidence else data)
    with backup["target"].app_context(), pytest.raises(BackupError, match="Controlegetal"):
        restore_backup(damaged)
    _assert_target_empty(backup["target"])


def test_restore_refuses_another_revision(backup):
    other = _rewrite(backup["archive"], backup["tmp"] / "other-revision.tar.gz",
                     _manifest_change(lambda m: m.update(alembic_revision="0123eb567eb8")))
    result = backup["target"].test_cli_runner().invoke(args=["backup", "restore", str(other), "--yes"])
    assert result.exit_code != 0 and "migratierevisie" in result.output and "niets teruggezet" in result.output
    _assert_target_empty(backup["target"])


def test_a_restore_that_fails_halfway_changes_nothing(backup):
    # The last table's count does not match: every row was inserted before that is found out.
    def edit(manifest):
        last = list(manifest["tables"])[-1]
        manifest["tables"][last] += 1
    broken = _rewrite(backup["archive"], backup["tmp"] / "broken.tar.gz", _manifest_change(edit))
    with backup["target"].app_context(), pytest.raises(BackupError, match="rijen teruggezet"):
        restore_backup(broken)
    _assert_target_empty(backup["target"])


def test_a_row_the_database_refuses_gives_a_clear_message_and_changes_nothing(backup):
    # As when a text is longer than PostgreSQL allows (SQLite does not check): here a NOT NULL column.
    changed = {}

    def change(name, data):
        if name == "database/users.jsonl":
            first, rest = data.split(b"\n", 1)
            data = json.dumps(dict(json.loads(first), email=None)).encode() + b"\n" + rest
            changed[name] = hashlib.sha256(data).hexdigest()
        return data

    staged = _rewrite(backup["archive"], backup["tmp"] / "refused-stage.tar.gz", change)
    refused = _rewrite(staged, backup["tmp"] / "refused.tar.gz",
                       _manifest_change(lambda manifest: manifest["files"].update(changed)))
    result = backup["target"].test_cli_runner().invoke(args=["backup", "restore", str(refused), "--yes"])
    assert result.exit_code != 0 and "Tabel users kan niet worden teruggezet" in result.output
    assert "niets teruggezet" in result.output and "Traceback" not in result.output
    _assert_target_empty(backup["target"])


def test_restore_refuses_a_database_that_is_not_empty(backup):
    before = _counts(backup["source"])
    result = backup["source"].test_cli_runner().invoke(
        args=["backup", "restore", str(backup["archive"]), "--yes"])
    assert result.exit_code != 0 and "niet leeg" in result.output
    assert _counts(backup["source"]) == before


def test_restore_asks_for_confirmation(backup):
    result = backup["target"].test_cli_runner().invoke(args=["backup", "restore", str(backup["archive"])],
                                                        input="n\n")
    assert result.exit_code != 0
    _assert_target_empty(backup["target"])


@pytest.fixture()
def fresh_target(backup):
    """A target of its own for the restore that succeeds: the shared target stays empty for the
    refusals, whatever order the tests run in."""
    target = _app(backup["tmp"], "backup_target_filled")
    yield target
    with target.app_context():
        _db.session.remove()
        url = str(_db.engine.url.render_as_string(hide_password=False))
        _db.engine.dispose()
    _drop_database(url)


def test_restore_into_a_fresh_database_finds_everything_back(backup, fresh_target):
    target, known = fresh_target, backup["known"]
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(backup["archive"]), "--yes"])
    assert result.exit_code == 0, result.output
    restored = _counts(target)
    expected = dict(backup["counts"], audit_entries=backup["counts"]["audit_entries"] + 1)  # + the restore's
    assert restored == expected
    instance = Path(target.instance_path)
    assert (instance / "uploads" / known["evidence"]).read_bytes() == EVIDENCE_BYTES
    assert (instance / "reports" / known["report"]).read_bytes() == REPORT_BYTES
    source_rows = _rows(backup["source"])
    target_rows = _rows(target)
    for table, rows in source_rows.items():
        if table != "audit_entries":
            assert target_rows[table] == rows, table
    assert target_rows["audit_entries"][:-1] == source_rows["audit_entries"][:len(target_rows["audit_entries"]) - 1]
    with target.app_context():
        from programme.budget.models import BudgetLine
        from programme.progress.update_items import Evidence
        from programme.reports.models import IssuedReport

        assert _db.session.get(BudgetLine, known["line_id"]).amount == known["line_amount"] == Decimal("10000.00")
        assert _db.session.scalar(select(Evidence.sha256).where(Evidence.stored_name == known["evidence"])) == \
            hashlib.sha256(EVIDENCE_BYTES).hexdigest()
        report = _db.session.scalar(select(IssuedReport).where(IssuedReport.stored_name == known["report"]))
        assert report.created_dt.tzinfo is not None and report.parameters == {"period": "2090-K1", "a": [1, 2]}
        assert find_user(USERS["manager"][0]).totp_secret == known["totp_secret"]
        last = _db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last.action == "backup.restore" and last.result == "ok"
        # New rows get fresh ids after the restored ones (PostgreSQL sequences were moved on).
        user = create_user("na-herstel@test.example", "Na Herstel", "reader", PASSWORD, body="PS")
        _db.session.commit()
        assert user.id > max(row[0] for row in target_rows["users"])
    # Signing in works with the restored password hash.
    client = target.test_client()
    response = client.post("/aanmelden", data={"email": USERS["owner"][0], "password": PASSWORD,
                                               "csrf_token": csrf_token(client.get("/aanmelden"))})
    assert response.status_code == 302


def _rows(app) -> dict[str, list]:
    with app.app_context():
        result = {}
        for table in _db.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            result[table.name] = [tuple(row) for row in _db.session.execute(select(table).order_by(*order))]
        return result
