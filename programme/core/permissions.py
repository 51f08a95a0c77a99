"""Roles and the decorators that guard views by role."""
from functools import wraps

from flask import abort
from flask_login import current_user

MANAGER = "manager"
OWNER = "owner"
READER = "reader"

ROLE_LABELS = {
    MANAGER: "Programmamanager",
    OWNER: "Initiatiefnemer",
    READER: "Lezer GS/PS",
}


def roles_required(*roles: str):
    """403 unless the signed-in user has one of the roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or current_user.role not in roles:
                from programme.core.audit import record_refusal

                record_refusal("role", f"rol vereist: {', '.join(roles)}")
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


manager_required = roles_required(MANAGER)
