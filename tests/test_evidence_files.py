"""Evidence files on disk: private to the app's account, and removed from disk only when the removal
commits and no other revision still refers to the file."""
import stat
from pathlib import Path

from sqlalchemy import select

from programme.core.extensions import db as _db
from programme.progress import operations as ops
from programme.progress.models import ProgressUpdate
from programme.progress.update_items import Evidence
from tests.conftest import csrf_token
from tests.progress_helpers import client_for, new_draft, upload

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures


def _upload(app, client, update_id: int) -> tuple[int, Path]:
    assert upload(client, update_id, "Verslag.pdf").status_code == 302
    with app.app_context():
        evidence = _db.session.scalars(select(Evidence).where(Evidence.update_id == update_id)
                                       .order_by(Evidence.id.desc())).first()
        return evidence.id, Path(app.instance_path) / "uploads" / evidence.stored_name


def _remove(client, update_id: int, evidence_id: int):
    page = client.get(f"/voortgang/{update_id}/bewerken")
    return client.post(f"/voortgang/bewijs/{evidence_id}/verwijderen", data={"csrf_token": csrf_token(page)})


def test_uploads_are_private_to_the_apps_account(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    _evidence_id, path = _upload(app, client_for(app, "owner"), update_id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_removed_file_goes_from_disk_after_the_commit_and_not_on_rollback(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    evidence_id, path = _upload(app, client, update_id)

    def remove_then_roll_back(users):
        ops.remove_evidence(_db.session.get(Evidence, evidence_id), users["owner"])
        assert path.exists()  # not before the commit
        _db.session.rollback()

    ctx(remove_then_roll_back)
    assert path.exists()  # rolled back: the row is there, so is its file
    assert _remove(client, update_id, evidence_id).status_code == 302
    assert not path.exists()


def test_a_file_shared_with_an_approved_revision_stays(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    owner = client_for(app, "owner")
    _evidence_id, path = _upload(app, owner, update_id)

    def approve_and_correct(users):
        update = _db.session.get(ProgressUpdate, update_id)
        ops.submit(update, users["owner"])
        ops.approve(update, users["manager"])
        correction = ops.correct(update, users["owner"])
        _db.session.flush()
        return correction.id, correction.evidence[0].id

    correction_id, copied_id = ctx(approve_and_correct)
    assert _remove(owner, correction_id, copied_id).status_code == 302
    assert path.exists()  # the approved revision still shows it
    with app.app_context():
        assert _db.session.scalar(select(Evidence).where(Evidence.id == copied_id)) is None
