"""Files the app keeps in its instance folder, written private and removed only after a commit.

Files are written readable by the app's own account only (mode 0600) and removed only once the
transaction that stopped needing them has committed."""
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

PRIVATE = 0o600
_PENDING = "after_commit"


def write_private(path: Path, data: bytes) -> None:
    """Create a new file readable and writable by this process's user only; never overwrite one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` when this session's transaction commits; forget it when it rolls back. For what
    cannot be rolled back, such as deleting a file that a removed row pointed to."""
    session.info.setdefault(_PENDING, []).append(action)


@event.listens_for(Session, "after_commit")
def _run_pending(session: Session) -> None:
    for action in session.info.pop(_PENDING, []):
        action()


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous_transaction) -> None:
    session.info.pop(_PENDING, None)
