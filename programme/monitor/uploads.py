"""Uploaded spreadsheets waiting for confirmation.

Kept in the instance folder (mode 0600) under a random token bound to the user who uploaded it,
never under a name or path the browser sends."""
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from programme.core.files import write_private

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
KEEP_SECONDS = 24 * 3600  # an upload nobody confirmed is removed after a day


@dataclass
class Upload:
    token: str
    user_id: int
    file_name: str  # as the user named it: shown and recorded, never used as a path
    year: int
    layout: str
    edition_name: str | None
    created: float

    @property
    def data(self) -> bytes:
        return _path(self.token, "bin").read_bytes()


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "monitor-imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _path(token: str, suffix: str) -> Path:
    return _folder() / f"{token}.{suffix}"


def save(data: bytes, *, user_id: int, file_name: str, year: int, layout: str, edition_name: str | None) -> Upload:
    prune()
    token = secrets.token_urlsafe(24)  # 32 characters
    upload = Upload(token, user_id, Path(file_name.replace("\\", "/")).name[:255] or "bestand", year, layout,
                    edition_name, time.time())
    write_private(_path(token, "bin"), data)
    meta = {key: value for key, value in upload.__dict__.items() if key != "token"}
    write_private(_path(token, "json"), json.dumps(meta).encode())
    return upload


def load(token: str, user_id: int) -> Upload | None:
    """The upload, when the token is well-formed, exists and belongs to this user; else None."""
    if not TOKEN.match(token or ""):
        return None
    try:
        meta = json.loads(_path(token, "json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user_id or not _path(token, "bin").exists():
        return None
    return Upload(token=token, **meta)


def discard(token: str) -> None:
    if TOKEN.match(token or ""):
        for suffix in ("bin", "json"):
            _path(token, suffix).unlink(missing_ok=True)


def prune() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in _folder().glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                discard(path.stem)
        except OSError:
            continue
