"""Roles and who may do what: the only module that compares roles.

The questions about a user's role, the decorators that guard views by role, and the one loader and
refusals for protected objects (404 for what one may not see, 403 for what one may not do)."""
from functools import wraps

from flask import abort, make_response
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


# ---------------------------------------------------------------- who the user is
# The only place that compares roles: object rights (the models' can_* methods, after Indico's
# ProtectionMixin) and views ask these, never `user.role == ...` themselves.

def is_signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def has_role(user, *roles: str) -> bool:
    return is_signed_in(user) and user.role in roles


def is_manager(user) -> bool:
    return has_role(user, MANAGER)


def is_owner(user) -> bool:
    return has_role(user, OWNER)


def is_reader(user) -> bool:
    return has_role(user, READER)


def is_known_role(role: str) -> bool:
    return role in ROLE_LABELS


def changes_role(user, role: str) -> bool:
    """Would giving this user `role` change their role?"""
    return user.role != role


def users_with_role(user_model, *roles: str):
    """A query filter for the users with one of these roles: select(User).where(users_with_role(User, OWNER))."""
    return user_model.role.in_(roles)


def is_one_of(user, people) -> bool:
    """Is the signed-in user one of these users (an initiative's owners, say)?"""
    return is_signed_in(user) and any(person.id == user.id for person in people)


# ---------------------------------------------------------------- loading and refusing

def refuse(kind: str, message: str, *, reason: str | None = None, back: tuple[str, str] | None = None):
    """403 for what the user may see but not do. Nothing of the request is kept and the refusal is
    audited (message). With a reason, a Dutch sentence written for the user (a legitimate action
    refused, such as approving one's own update), the page says why and links back (url, text);
    else it stays generic."""
    from programme.core.audit import record_refusal
    from programme.core.errors import render_error
    from programme.core.extensions import db

    db.session.rollback()
    record_refusal(kind, message)
    if reason:
        abort(make_response(render_error(403, reason, back)))
    abort(403)


def hide(kind: str, message: str):
    """404 for what the user may not see: the answer does not reveal that it exists. Audited."""
    from programme.core.audit import record_refusal

    record_refusal(kind, message)
    abort(404)


def get_visible_or_404(model, object_id: int, user=None, *, lock: bool = False):
    """One loader for every protected object: 404 when it does not exist or this user may not see
    it (model.can_view(user)); what the user may do with it is the caller's next question. With
    lock, the row is read fresh and locked (SELECT ... FOR UPDATE) until the request's transaction
    ends, so that parallel changes of one object take turns and each sees the state the one before
    it left."""
    from programme.core.extensions import db

    user = current_user if user is None else user
    obj = (db.session.get(model, object_id, with_for_update=True, populate_existing=True) if lock
           else db.session.get(model, object_id))
    if obj is None:
        abort(404)
    if not obj.can_view(user):
        hide("object", f"{model.__name__} {object_id} niet zichtbaar")
    return obj
