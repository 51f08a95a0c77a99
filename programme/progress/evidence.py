"""Evidence files: checking, storing and finding the files uploaded with an update.

The type is recognised from the content (never from the name or the browser's claim); files are
stored under a generated name in instance/uploads/."""
import hashlib
import io
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from flask import current_app

from programme.core.files import write_private

MAX_SIZE = 10 * 1024 * 1024
STORED_NAME = re.compile(r"[0-9a-f]{32}")

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# Zip-based office documents: the part that makes them what they are.
OOXML_PARTS = {
    "word/document.xml": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {"docx"}),
    "xl/workbook.xml": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}),
    "ppt/presentation.xml": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", {"pptx"}),
}
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": {"odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {"ods"},
}
ALLOWED_TEXT = "pdf, afbeeldingen (PNG, JPEG, GIF, WebP) en kantoordocumenten (docx, xlsx, pptx, odt, ods, doc, xls)"


class EvidenceRefused(ValueError):
    """The file is not accepted; str(error) is the Dutch message."""


@dataclass
class Sniffed:
    mime_type: str
    extensions: set[str]


def _sniff_zip(data: bytes) -> Sniffed | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            for part, (mime, extensions) in OOXML_PARTS.items():
                if part in names and "[Content_Types].xml" in names:
                    return Sniffed(mime, extensions)
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared in ODF_TYPES:
                    return Sniffed(declared, ODF_TYPES[declared])
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def _sniff_ole(data: bytes) -> Sniffed | None:
    # Directory entry names in a compound file are UTF-16LE.
    if "WordDocument".encode("utf-16-le") in data:
        return Sniffed("application/msword", {"doc"})
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return Sniffed("application/vnd.ms-excel", {"xls"})
    return None


def sniff(data: bytes) -> Sniffed | None:
    """The file's type from its first bytes (and for containers, their contents); None if not allowed."""
    if data.startswith(b"%PDF-"):
        return Sniffed("application/pdf", {"pdf"})
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", {"png"})
    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", {"jpg", "jpeg"})
    if data.startswith((b"GIF87a", b"GIF89a")):
        return Sniffed("image/gif", {"gif"})
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Sniffed("image/webp", {"webp"})
    if data.startswith(ZIP):
        return _sniff_zip(data)
    if data.startswith(OLE2):
        return _sniff_ole(data)
    return None


def clean_name(filename: str | None) -> str:
    """The file's own name without any folder a browser may send along."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return name[-255:] or "bestand"


def check(filename: str | None, data: bytes) -> tuple[str, str]:
    """(clean original name, mime type), or EvidenceRefused with the reason in Dutch."""
    if not data:
        raise EvidenceRefused("Het bestand is leeg.")
    if len(data) > MAX_SIZE:
        raise EvidenceRefused("Het bestand is groter dan 10 MB.")
    name = clean_name(filename)
    sniffed = sniff(data)
    if sniffed is None:
        raise EvidenceRefused(f"Dit soort bestand wordt niet geaccepteerd. Toegestaan zijn {ALLOWED_TEXT}.")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in sniffed.extensions:
        raise EvidenceRefused("De naam van het bestand past niet bij de inhoud "
                              f"(verwacht: .{' of .'.join(sorted(sniffed.extensions))}).")
    return name, sniffed.mime_type


def upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def store(data: bytes) -> tuple[str, str]:
    """Write the (checked) bytes under a fresh random name: (stored_name, sha256)."""
    stored_name = secrets.token_hex(16)
    write_private(upload_dir() / stored_name, data)
    return stored_name, hashlib.sha256(data).hexdigest()


def discard(stored_name: str) -> None:
    path = stored_path(stored_name)
    if path is not None:
        path.unlink(missing_ok=True)


def stored_path(stored_name: str) -> Path | None:
    """The file for a stored name, or None for anything that is not one of our generated names."""
    if not isinstance(stored_name, str) or not STORED_NAME.fullmatch(stored_name):
        return None
    base = upload_dir().resolve()
    path = (base / stored_name).resolve()
    if path.parent != base:
        return None
    return path
