"""Backups and restores of the database, the evidence files and the issued reports (SECURITY.md 15).

One archive with a manifest, restored into an empty, migrated database.

The rows of every table are written as JSON lines from the SQLAlchemy metadata, read from a
consistent snapshot: for SQLite a copy made with the sqlite3 backup API (also kept in the archive,
for inspection), for PostgreSQL one read-only REPEATABLE READ transaction. Restoring inserts them
in dependency order in one transaction, so the same archive restores on either database.

A restore gives back every row exactly as it was:
- JSON columns are dumped as the JSON text the database holds and inserted as that text, so SQL
  NULL (null in the dump) stays apart from JSON null (the text "null" in the dump), and the text
  keeps its spelling;
- rows are inserted with every column given, through Core (no ORM events), so no default or
  onupdate fills in anything; a table that refers to itself (a correction revision and the revision
  it corrects) is inserted parents first, so no row needs a later UPDATE, which would fire onupdate;
- timestamps keep their microseconds (ISO text with offset), Decimals their scale (as text),
  binary values their bytes (base64)."""
import base64
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import tarfile
import tempfile
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath

from alembic.runtime.migration import MigrationContext
from flask import current_app
from sqlalchemy import (JSON, Date, DateTime, LargeBinary, Numeric, Text, Time, TypeDecorator, bindparam, cast,
                        create_engine, func, insert, select, text, type_coerce, update)
from sqlalchemy.exc import StatementError

from programme.core import audit
from programme.core.db import utcnow
from programme.core.extensions import db
from programme.core.independent import independently

FORMAT = "sociale-veerkracht-backup"
FORMAT_VERSION = 2  # 2: JSON columns as their JSON text (1: parsed, SQL NULL and JSON null both null)
READABLE_VERSIONS = (1, FORMAT_VERSION)
MANIFEST = "manifest.json"
FILE_DIRS = ("uploads", "reports")  # instance/uploads: evidence; instance/reports: issued reports
SQLITE_COPY = "database/programme.sqlite3"
BATCH = 500


class BackupError(RuntimeError):
    """The backup cannot be made or restored (message in Dutch, for the command line)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- values as JSON, by column type --------------------------------------------------------------

def _kind(column) -> str:
    type_ = column.type
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, JSON):
        return "json"
    if isinstance(type_, DateTime):
        return "datetime"
    if isinstance(type_, Date):
        return "date"
    if isinstance(type_, Time):
        return "time"
    if isinstance(type_, Numeric) and type_.asdecimal:
        return "decimal"
    if isinstance(type_, LargeBinary):
        return "bytes"
    return "plain"


def _encode(value, kind: str):
    if value is None or kind == "plain":
        return value
    if kind == "json":  # the stored text (SQLite may hold a bare JSON number as a number)
        return value if isinstance(value, str) else json.dumps(value)
    if kind in ("datetime", "date", "time"):
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    if kind == "bytes":
        return base64.b64encode(value).decode("ascii")
    raise AssertionError(kind)


def _decode(value, kind: str, version: int = FORMAT_VERSION):
    if kind == "json" and version == 1:  # parsed JSON: insert it as the application wrote it
        return json.dumps(value)
    if value is None or kind in ("json", "plain"):
        return value
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "time":
        return time.fromisoformat(value)
    if kind == "decimal":
        return Decimal(value)
    if kind == "bytes":
        return base64.b64decode(value)
    raise AssertionError(kind)


def _dumped(column, dialect: str):
    """The column as it goes into the dump: JSON columns as their text, not parsed."""
    if _kind(column) != "json":
        return column
    # PostgreSQL: json::text is the stored text; SQLite: the stored value as it is, unconverted.
    raw = type_coerce(column, Text) if dialect == "sqlite" else cast(column, Text)
    return raw.label(column.name)


def _tables():
    """Every table of the schema, parents before the tables that refer to them."""
    return db.metadata.sorted_tables


# --- making a backup -----------------------------------------------------------------------------

@contextmanager
def _snapshot(workdir: Path):
    """A connection that sees the database as it was at one moment."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        copy = workdir / SQLITE_COPY
        copy.parent.mkdir(parents=True, exist_ok=True)
        with engine.connect() as conn:
            source = conn.connection.driver_connection
            target = sqlite3.connect(copy)
            try:
                source.backup(target)  # a consistent copy, even while others write
            finally:
                target.close()
        snapshot_engine = create_engine(f"sqlite:///{copy}")
        try:
            with snapshot_engine.connect() as conn:
                yield conn
        finally:
            snapshot_engine.dispose()
            Path(f"{copy}-wal").unlink(missing_ok=True)
            Path(f"{copy}-shm").unlink(missing_ok=True)
    else:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SET TRANSACTION READ ONLY"))
                yield conn


def _revision(conn) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _add_files(workdir: Path, files: dict[str, str]) -> None:
    for name in FILE_DIRS:
        source = Path(current_app.instance_path) / name
        if not source.is_dir():
            continue
        for path in sorted(source.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            relative = f"{name}/{path.relative_to(source).as_posix()}"
            target = workdir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            files[relative] = sha256_file(target)


def default_output() -> Path:
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return Path(current_app.instance_path) / "backups" / f"backup-{stamp}.tar.gz"


def create_backup(output: Path | str | None = None) -> tuple[Path, dict]:
    """Write the archive (readable by its owner only: it holds password hashes and TOTP secrets);
    returns its path and manifest."""
    output = Path(output) if output else default_output()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="backup-", dir=output.parent) as tmp:
        workdir = Path(tmp) / "content"
        workdir.mkdir()
        tables: dict[str, int] = {}
        files: dict[str, str] = {}
        with _snapshot(workdir) as conn:
            revision = _revision(conn)
            if revision is None:
                raise BackupError("De database heeft geen migratierevisie; voer eerst 'flask db upgrade' uit.")
            for table in _tables():
                kinds = {column.name: _kind(column) for column in table.columns}
                relative = f"database/{table.name}.jsonl"
                path = workdir / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                count = 0
                order = list(table.primary_key.columns) or list(table.columns)
                with path.open("w", encoding="utf-8") as handle:
                    dumped = select(*(_dumped(column, conn.dialect.name) for column in table.columns))
                    for row in conn.execute(dumped.order_by(*order)).mappings():
                        handle.write(json.dumps({key: _encode(value, kinds[key]) for key, value in row.items()},
                                                ensure_ascii=False, separators=(",", ":")) + "\n")
                        count += 1
                tables[table.name] = count
                files[relative] = sha256_file(path)
        # Files after the rows: a row never points at a file that is not in the archive.
        _add_files(workdir, files)
        if (workdir / SQLITE_COPY).exists():
            files[SQLITE_COPY] = sha256_file(workdir / SQLITE_COPY)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_dt": utcnow().isoformat(),
            "alembic_revision": revision,
            "database": db.engine.dialect.name,
            "tables": tables,
            "files": dict(sorted(files.items())),
        }
        (workdir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        partial = Path(tmp) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(workdir / MANIFEST, arcname=MANIFEST)
            for relative in manifest["files"]:
                archive.add(workdir / relative, arcname=relative)
        partial.chmod(0o600)
        os.replace(partial, output)  # complete or absent, never half written
    audit.record_now("backup.create", result="ok", object_label=str(output)[:300],
                     message=f"{sum(tables.values())} rijen in {len(tables)} tabellen, "
                             f"{sum(1 for f in files if f.split('/')[0] in FILE_DIRS)} bestanden")
    return output, manifest


# --- restoring -----------------------------------------------------------------------------------

def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if member.isdir():
            continue
        if (not member.isfile() or path.is_absolute() or ".." in path.parts
                or (member.name != MANIFEST and path.parts[0] not in ("database", *FILE_DIRS))):
            raise BackupError(f"Het archief bevat een onverwacht item: {member.name!r}.")
        members.append(member)
    return members


def read_archive(path: Path | str, staging: Path) -> dict:
    """Unpack into `staging` and check it: the manifest, and every file against its SHA-256."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Back-up niet gevonden: {path}")
    try:
        with tarfile.open(path, "r:*") as archive:
            members = _safe_members(archive)
            archive.extractall(staging, members=members, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"Het archief is beschadigd of geen back-up: {error}") from error
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError("Het archief heeft geen leesbaar manifest.") from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") not in READABLE_VERSIONS:
        raise BackupError("Dit is geen back-up van deze applicatie (of een onbekende versie).")
    present = {member.name for member in members} - {MANIFEST}
    listed = set(manifest.get("files", {}))
    if present != listed:
        raise BackupError("De bestanden in het archief komen niet overeen met het manifest: "
                          f"{', '.join(sorted(present ^ listed)[:5])}.")
    for relative, expected in manifest["files"].items():
        if sha256_file(staging / relative) != expected:
            raise BackupError(f"Controlegetal klopt niet voor {relative}: het archief is beschadigd.")
    return manifest


def _check_target(conn, manifest: dict) -> None:
    revision = _revision(conn)
    if revision != manifest["alembic_revision"]:
        raise BackupError(f"De database staat op migratierevisie {revision or '(geen)'}, de back-up op "
                          f"{manifest['alembic_revision']}. Breng de database eerst op dezelfde revisie "
                          "('flask db upgrade' of 'flask db downgrade').")
    names = {table.name for table in _tables()}
    if names != set(manifest["tables"]):
        raise BackupError("De tabellen in de back-up komen niet overeen met het schema van deze applicatie.")
    filled = [table.name for table in _tables()
              if conn.execute(select(func.count()).select_from(table)).scalar_one()]
    if filled:
        raise BackupError("De database is niet leeg (onder meer " + ", ".join(filled[:5]) + "). Zet een back-up "
                          "alleen terug in een lege database: maak een nieuwe aan en voer 'flask db upgrade' uit.")
    for name in FILE_DIRS:
        folder = Path(current_app.instance_path) / name
        if folder.is_dir() and any(folder.iterdir()):
            raise BackupError(f"De map {folder} is niet leeg. Zet een back-up alleen terug in een lege "
                              "instance-map.")


def _rows(path: Path, kinds: dict[str, str], version: int):
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            yield {key: _decode(value, kinds[key], version) for key, value in row.items()}


def _raw_json_param(name: str) -> str:
    return f"raw_json_{name}"  # a column's own name is reserved for the VALUES clause


def _insert_statement(conn, table):
    """INSERT of dumped rows. JSON columns take their text as it is (a bound None is SQL NULL); the
    JSON type would serialise it again and write None as JSON null."""
    values = {}
    for column in table.columns:
        if _kind(column) == "json":
            param = bindparam(_raw_json_param(column.name), type_=Text())
            # SQLite stores the text as given; PostgreSQL's cast from text to json keeps it as well.
            values[column.name] = param if conn.dialect.name == "sqlite" else cast(param, column.type)
    return insert(table).values(values) if values else insert(table)


def _self_references(table) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(referring columns, referred columns) of each foreign key from the table to itself."""
    return [(tuple(element.parent.name for element in constraint.elements),
             tuple(element.column.name for element in constraint.elements))
            for constraint in table.foreign_key_constraints if constraint.referred_table is table]


def _parents_first(rows: list[dict], references) -> tuple[list[dict], set[int]]:
    """The rows in dump order, except that each comes after the rows of its own table it refers to
    (a correction after the revision it corrects), and the positions of rows in a reference cycle,
    which are inserted without their references and get them by an UPDATE afterwards."""
    positions = {(referred, tuple(row[name] for name in referred)): position
                 for referring, referred in references for position, row in enumerate(rows)}

    def parents(position: int) -> list[int]:
        keys = [(referred, tuple(rows[position][name] for name in referring)) for referring, referred in references]
        return [positions[key] for key in keys
                if None not in key[1] and key in positions and positions[key] != position]

    state = [0] * len(rows)  # 0 not seen, 1 waiting for its parents, 2 placed
    ordered: list[dict] = []
    cyclic: set[int] = set()
    for start in range(len(rows)):
        stack = [start]
        while stack:  # depth first without recursion: revision chains may be long
            position = stack[-1]
            if state[position] == 2:
                stack.pop()
                continue
            state[position] = 1
            waiting = [parent for parent in parents(position) if state[parent] != 2]
            if any(state[parent] == 1 for parent in waiting):
                cyclic.add(len(ordered))
                waiting = []
            if waiting:
                stack.append(waiting[0])
                continue
            state[position] = 2
            ordered.append(rows[position])
            stack.pop()
    return ordered, cyclic


def _insert_table(conn, table, path: Path, version: int) -> None:
    """Insert the dumped rows with every column given, through Core: no ORM events, and no column
    default or onupdate changes a value."""
    kinds = {column.name: _kind(column) for column in table.columns}
    json_columns = [name for name, kind in kinds.items() if kind == "json"]
    statement = _insert_statement(conn, table)
    references = _self_references(table)
    referring = [name for columns, _ in references for name in columns]
    rows, cyclic = _parents_first(list(_rows(path, kinds, version)), references) if references else \
        (_rows(path, kinds, version), set())
    batch = []
    for position, row in enumerate(rows):
        params = {**row, **{name: None for name in referring}} if position in cyclic else dict(row)
        for name in json_columns:
            params[_raw_json_param(name)] = params.pop(name)
        batch.append(params)
        if len(batch) >= BATCH:
            conn.execute(statement, batch)
            batch = []
    if batch:
        conn.execute(statement, batch)
    key = [column.name for column in table.primary_key.columns]
    for row in (rows[position] for position in sorted(cyclic)):
        # Columns with an onupdate are set to their own value, so the UPDATE changes nothing else.
        values = {name: row[name] for name in referring}
        values.update({column.name: row[column.name] for column in table.columns
                       if column.onupdate is not None and column.name not in values})
        conn.execute(update(table).where(*(table.c[name] == row[name] for name in key)).values(**values))


def _insert_dumped(conn, table, staging: Path, version: int) -> None:
    try:
        _insert_table(conn, table, staging / "database" / f"{table.name}.jsonl", version)
    except (StatementError, ValueError) as error:  # e.g. a text too long for PostgreSQL's column
        # The first line only: PostgreSQL's DETAIL line repeats the row, secrets included.
        detail = (str(getattr(error, "orig", None) or error).strip().splitlines() or ["?"])[0]
        raise BackupError(f"Tabel {table.name} kan niet worden teruggezet: {detail.rstrip('.')}.") from error


def _reset_sequences(conn) -> None:
    """PostgreSQL: the next id after the restored ones (SQLite takes max(id) + 1 by itself)."""
    if conn.dialect.name != "postgresql":
        return
    for table in _tables():
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or _kind(columns[0]) != "plain" or columns[0].type.python_type is not int:
            continue
        column = columns[0]
        # pg_get_serial_sequence is NULL for a column without a sequence, and setval(NULL, ...) does nothing.
        highest = select(func.max(column)).scalar_subquery()
        conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, column.name),
                                        func.coalesce(highest, 0) + 1, False)))


def _move_files(staging: Path, moved: list[Path]) -> None:
    for name in FILE_DIRS:
        source = staging / name
        target = Path(current_app.instance_path) / name
        if not source.is_dir():
            continue
        if target.is_dir():
            target.rmdir()  # empty: checked before
        os.replace(source, target)
        moved.append(target)


def restore_backup(path: Path | str) -> dict:
    """Restore an archive into the (empty, migrated) database and instance folder: everything or
    nothing. Returns the manifest."""
    from programme.core.audit import AuditEntry

    instance = Path(current_app.instance_path)
    staging = instance / f".restore-{secrets.token_hex(8)}"
    staging.mkdir(mode=0o700)
    moved: list[Path] = []
    try:
        manifest = read_archive(path, staging)

        def restore(conn) -> None:
            _check_target(conn, manifest)
            for table in _tables():
                _insert_dumped(conn, table, staging, manifest["format_version"])
            for table in _tables():
                count = conn.execute(select(func.count()).select_from(table)).scalar_one()
                if count != manifest["tables"][table.name]:
                    raise BackupError(f"Tabel {table.name}: {count} rijen teruggezet, {manifest['tables'][table.name]} "
                                      "verwacht. Er is niets veranderd.")
            _reset_sequences(conn)
            conn.execute(insert(AuditEntry.__table__).values(
                created_dt=utcnow(), action="backup.restore", result="ok",
                message=f"back-up van {manifest['created_dt']} teruggezet ({Path(path).name})"))
            _move_files(staging, moved)

        # Committed when restore returns; an exception in it rolled everything back.
        independently(restore)
    except BaseException:
        for target in moved:
            shutil.rmtree(target, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest
