"""Restoring a backup (core.backup) into an empty, migrated database and instance folder: everything or nothing.

A restore gives back every row exactly as it was:
- JSON columns are inserted as the JSON text of the dump, so SQL NULL stays apart from JSON null
  and the text keeps its spelling;
- rows are inserted with every column given, through Core (no ORM events), so no default or
  onupdate fills in anything; a table that refers to itself (a correction revision and the revision
  it corrects) is inserted parents first, so no row needs a later UPDATE, which would fire onupdate;
- timestamps, Decimals and binary values are read back as core.backup wrote them."""
import json
import os
import secrets
import shutil
import tarfile
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import Text, bindparam, cast, func, insert, select, update
from sqlalchemy.exc import StatementError

from programme.core.backup import (FILE_DIRS, FORMAT, MANIFEST, READABLE_VERSIONS, BackupError, column_kind,
                                   current_revision, decode_value, schema_tables, sha256_file)
from programme.core.db import utcnow
from programme.core.independent import independently

BATCH = 500


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
    revision = current_revision(conn)
    if revision != manifest["alembic_revision"]:
        raise BackupError(f"De database staat op migratierevisie {revision or '(geen)'}, de back-up op "
                          f"{manifest['alembic_revision']}. Breng de database eerst op dezelfde revisie "
                          "('flask db upgrade' of 'flask db downgrade').")
    names = {table.name for table in schema_tables()}
    if names != set(manifest["tables"]):
        raise BackupError("De tabellen in de back-up komen niet overeen met het schema van deze applicatie.")
    filled = [table.name for table in schema_tables()
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
            yield {key: decode_value(value, kinds[key], version) for key, value in row.items()}


def _raw_json_param(name: str) -> str:
    return f"raw_json_{name}"  # a column's own name is reserved for the VALUES clause


def _insert_statement(conn, table):
    """INSERT of dumped rows. JSON columns take their text as it is (a bound None is SQL NULL); the
    JSON type would serialise it again and write None as JSON null."""
    values = {}
    for column in table.columns:
        if column_kind(column) == "json":
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
    kinds = {column.name: column_kind(column) for column in table.columns}
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
    for table in schema_tables():
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or column_kind(columns[0]) != "plain" or columns[0].type.python_type is not int:
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
            for table in schema_tables():
                _insert_dumped(conn, table, staging, manifest["format_version"])
            for table in schema_tables():
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
