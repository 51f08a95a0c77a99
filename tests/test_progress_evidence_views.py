"""Evidence files over HTTP: upload and download, a renamed executable refused, path tricks in stored
names, and recognising the type from the content."""
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.progress import evidence as files
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate
from programme.progress.update_items import Evidence
from tests.progress_helpers import EXE, PDF, client_for, new_draft, state, upload, uploads

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures


# ---------------------------------------------------------------- evidence

def test_upload_pdf_and_download(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    assert upload(client, update_id, "../../Verslag Q1.pdf").status_code == 302
    with app.app_context():
        evidence = _db.session.scalar(select(Evidence).where(Evidence.update_id == update_id))
        assert evidence.original_name == "Verslag Q1.pdf" and evidence.mime_type == "application/pdf"
        assert evidence.size == len(PDF) and len(evidence.stored_name) == 32
        evidence_id, stored = evidence.id, evidence.stored_name
    assert (Path(app.instance_path) / "uploads" / stored).read_bytes() == PDF
    # The owner downloads it from the draft; a reader only once the update is approved.
    reader = client_for(app, "reader")
    assert reader.get(f"/voortgang/bewijs/{evidence_id}").status_code == 404
    own = client.get(f"/voortgang/bewijs/{evidence_id}")
    assert own.status_code == 200 and own.data == PDF
    own.close()
    ctx(lambda u: ops.approve(ops.submit(_db.session.get(ProgressUpdate, update_id), u["owner"]), u["manager"]))
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
    before, files_before = state(app), uploads(app)
    response = upload(client, update_id, "verslag.pdf", EXE, follow_redirects=True)
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
