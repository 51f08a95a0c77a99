"""Apps on scratch databases of their own (backups, restores, example data), apart from the shared test
database: a migrated app with an instance folder of its own, and the programme filled the way backups
need it."""
import os
from pathlib import Path

from flask_migrate import upgrade

from programme import create_app
from programme.accounts import totp
from programme.accounts.operations import create_user, find_user
from programme.core.extensions import db as _db
from tests.conftest import PASSWORD, USERS


def migrated_app(instance: Path, url: str):
    """An app on the database at `url`, migrated to the head revision, whose instance folder is `instance`
    (INSTANCE_PATH is set only while the app is made, then put back)."""
    saved = os.environ.get("INSTANCE_PATH")
    os.environ["INSTANCE_PATH"] = str(instance)
    try:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret-key"})
    finally:
        if saved is None:
            os.environ.pop("INSTANCE_PATH", None)
        else:
            os.environ["INSTANCE_PATH"] = saved
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    return app


def fill_with_evidence(evidence: bytes):
    """In the app context of a migrated, empty database: the seeded programme, the test users (the
    manager with a second factor) and a draft progress update (tests/progress_helpers.py) with `evidence`
    stored as its one evidence file. Returns the manager, the world, the draft and the stored file's name."""
    from programme.progress import evidence as evidence_files
    from programme.progress import operations as ops
    from programme.seed.loader import seed_all
    from tests.progress_helpers import draft, make_world

    seed_all()
    for email, name, role, body in USERS.values():
        create_user(email, name, role, PASSWORD, body=body)
    manager = find_user(USERS["manager"][0])
    manager.totp_secret = totp.new_secret()
    manager.totp_last_step = 1
    _db.session.flush()
    world = make_world(_db)
    update = draft(world)
    stored_name, digest = evidence_files.store(evidence)
    ops.add_evidence(update, world.owner, original_name="presentielijst.pdf", stored_name=stored_name,
                     mime_type="application/pdf", size=len(evidence), sha256=digest)
    return manager, world, update, stored_name
