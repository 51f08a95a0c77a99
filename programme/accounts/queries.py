"""Reading accounts: finding a user by e-mail address and the manager's loader of an account."""
from flask import abort
from sqlalchemy import func, select

from programme.accounts.models import User
from programme.core.extensions import db


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def get_user(user_id: int, *, lock: bool = False) -> User:
    """Load an account for management (the routes are manager-only): 404 when it does not exist.
    With lock, read fresh and locked until the transaction ends (User.version is no mapper
    version column, so the row lock is what makes its check and bump one step)."""
    user = (db.session.get(User, user_id, with_for_update=True, populate_existing=True) if lock
            else db.session.get(User, user_id))
    if user is None:
        abort(404)
    return user
