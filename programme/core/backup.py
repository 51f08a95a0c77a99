"""Backups of the database, the evidence files and the issued reports (SECURITY.md 15), and their format.

One archive with a manifest; core.backup_restore restores it into an empty, migrated database.

The rows of every table are written as JSON lines from the SQLAlchemy metadata, read from a
consistent snapshot: for SQLite a copy made with the sqlite3 backup API (also kept in the archive,
for inspection), for PostgreSQL one read-only REPEATABLE READ transaction. Restoring inserts them
in dependency order in one transaction, so the same archive restores on either database.

Every value is written so that a restore gives it back exactly as it was (core.backup_restore):
- JSON columns are dumped as the JSON text the database holds, so SQL NULL (null in the dump)
  stays apart from JSON null (the text "null" in the dump), and the text keeps its spelling;
- timestamps keep their microseconds (ISO text with offset), Decimals their scale (as text),
  binary values their bytes (base64)."""
import base64
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from flask import current_app
from sqlalchemy import (JSON, Date, DateTime, LargeBinary, Numeric, Text, Time, TypeDecorator, cast, create_engine,
                        select, text, type_coerce)

from programme.core import audit
from programme.core.db import utcnow
from programme.core.extensions import db

FORMAT = "sociale-veerkracht-backup"
FORMAT_VERSION = 2  # 2: JSON columns as their JSON text (1: parsed, SQL NULL and JSON null both null)
READABLE_VERSIONS = (1, FORMAT_VERSION)
MANIFEST = "manifest.json"
FILE_DIRS = ("uploads", "reports")  # instance/uploads: evidence; instance/reports: issued reports
SQLITE_COPY = "database/programme.sqlite3"


class BackupError(RuntimeError):
    """The backup cannot be made or restored (message in Dutch, for the command line)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- values as JSON, by column type --------------------------------------------------------------

def column_kind(column) -> str:
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


def encode_value(value, kind: str):
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


def decode_value(value, kind: str, version: int = FORMAT_VERSION):
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
    if column_kind(column) != "json":
        return column
    # PostgreSQL: json::text is the stored text; SQLite: the stored value as it is, unconverted.
    raw = type_coerce(column, Text) if dialect == "sqlite" else cast(column, Text)
    return raw.label(column.name)


def schema_tables():
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


def current_revision(conn) -> str | None:
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
            revision = current_revision(conn)
            if revision is None:
                raise BackupError("De database heeft geen migratierevisie; voer eerst 'flask db upgrade' uit.")
            for table in schema_tables():
                kinds = {column.name: column_kind(column) for column in table.columns}
                relative = f"database/{table.name}.jsonl"
                path = workdir / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                count = 0
                order = list(table.primary_key.columns) or list(table.columns)
                with path.open("w", encoding="utf-8") as handle:
                    dumped = select(*(_dumped(column, conn.dialect.name) for column in table.columns))
                    for row in conn.execute(dumped.order_by(*order)).mappings():
                        handle.write(json.dumps({key: encode_value(value, kinds[key]) for key, value in row.items()},
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
