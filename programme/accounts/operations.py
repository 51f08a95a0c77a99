"""Account writes: creating and changing users, authenticating (password and second factor), locking, signing out."""
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import or_, update

from programme.accounts import totp
from programme.accounts.models import User, new_session_token
from programme.accounts.queries import find_user
from programme.accounts.passwords import (DUMMY_HASH, hash_password, needs_rehash, password_problems,
                                          verify_password)
from programme.core import audit
from programme.core import permissions
from programme.core.editing import check_version
from programme.core.extensions import db
from programme.core.operations import RuleError


class AccountError(RuleError):
    """An account rule refuses the change; the message is Dutch, `field` the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(field, message)


def create_user(email: str, name: str, role: str, password: str, *, body: str | None = None,
                is_demo: bool = False, actor=None) -> User:
    if not permissions.is_known_role(role):
        raise AccountError(f"Onbekende rol: {role}", "email")
    if find_user(email):
        raise AccountError(f"Er bestaat al een account met e-mailadres {email}.", "email")
    problems = password_problems(password, name=name, email=email)
    if problems:
        raise AccountError(" ".join(problems), "email")
    user = User(email=email.strip().lower(), name=name.strip(), role=role, body=body,
                password_hash=hash_password(password), is_demo=is_demo)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, new={"email": user.email, "role": role, "body": body}, actor=actor)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user when the credentials are right and the account may sign in, else None.
    Failed attempts are counted (per account and per IP address) and audited; the caller shows
    one generic message; the failure per IP address is the caller's claim (ratelimit.claim). An
    account with a second factor is not signed in yet: the caller asks for the code
    (verify_login_code); until then its failure count stays as it is.

    Every attempt verifies a password hash, also for unknown and locked accounts, so that the time
    taken does not tell which accounts exist or are locked."""
    user = find_user(email)
    if user is None:
        verify_password(DUMMY_HASH, password)
        audit.record_now("user.sign_in_fail", result="failed", message="onbekend account",
                         object_type="User", object_label=email[:200])
        return None
    if not _claim_attempt(user):
        verify_password(DUMMY_HASH, password)
        audit.record_now("user.sign_in_fail", result="failed", message="account tijdelijk geblokkeerd",
                         object_type="User", object_label=user.email)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        _count_failure(user, "account uitgeschakeld" if user.is_active is False else "onjuist wachtwoord")
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.totp_enabled:
        _release_attempt(user)
        audit.record("user.sign_in_password", user, message="wachtwoord juist; code gevraagd", actor=user)
        return user
    _complete_login(user)
    return user


def verify_login_code(user: User, code: str) -> bool:
    """Second step of the sign-in: the TOTP code. A wrong, old or reused code counts as a failed
    sign-in towards the account's lockout and the IP limit."""
    if not user.is_active or not _claim_attempt(user):
        audit.record_now("user.sign_in_fail", result="failed", message="code: account geblokkeerd of uitgeschakeld",
                         object_type="User", object_label=user.email)
        return False
    step = totp.matching_step(user.totp_secret, code, after=user.totp_last_step)
    if step is None:
        _count_failure(user, "onjuiste of al gebruikte code")
        return False
    user.totp_last_step = step
    _complete_login(user)
    return True


# An attempt on an account is claimed before its password or code is checked: one atomic, conditional
# UPDATE that succeeds only while the account is not locked and has checks left in this lock window.
# Parallel requests (several web workers, several addresses) cannot all read "9 failures" and all
# check: the database serialises the UPDATEs on the row, so at most LOGIN_MAX_FAILURES checks run.
# A failed check keeps its claim (it is the failure count); a right one gives it back.


def _claim_attempt(user: User) -> bool:
    now = datetime.now(UTC)
    claimed = db.session.execute(
        update(User).where(
            User.id == user.id,
            User.failed_logins < current_app.config["LOGIN_MAX_FAILURES"],
            or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_logins=User.failed_logins + 1)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()  # visible to every other worker at once; the request itself commits nothing yet
    return claimed


def _release_attempt(user: User) -> None:
    db.session.execute(update(User).where(User.id == user.id, User.failed_logins > 0)
                       .values(failed_logins=User.failed_logins - 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(user, ["failed_logins"])


def _count_failure(user: User, reason: str) -> None:
    """The claim stays counted; the claim that used up the window locks the account."""
    now = datetime.now(UTC)
    locked = db.session.execute(
        update(User).where(User.id == user.id,
                           User.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"])
        .values(failed_logins=0, locked_until=now + current_app.config["LOGIN_LOCK_DURATION"])
        .execution_options(synchronize_session=False)).rowcount == 1
    if locked:
        reason += "; account tijdelijk geblokkeerd"
    db.session.commit()  # the request itself ends without a commit
    audit.record_now("user.sign_in_fail", result="failed", message=reason, object_type="User",
                     object_label=user.email)


def _complete_login(user: User) -> None:
    db.session.execute(update(User).where(User.id == user.id)
                       .values(failed_logins=0, locked_until=None, last_login_dt=datetime.now(UTC))
                       .execution_options(synchronize_session=False))
    db.session.expire(user, ["failed_logins", "locked_until", "last_login_dt"])
    audit.record("user.sign_in", user, actor=user)


WRONG_SETUP_CODE = "Deze code klopt niet. Vul de code in die uw app nu toont."
WRONG_CODE = "Deze code klopt niet of is al gebruikt. Vul de code in die uw app nu toont."


def enable_totp(user: User, secret: str, code: str) -> bool:
    """Turn the second factor on once a code from the app proves the secret was taken over.
    RuleError on the code (and nothing changed) when it does not match. The secret is never audited."""
    step = totp.matching_step(secret, code)
    if step is None:
        audit.record_now("user.totp_enable", result="failed", message="bevestigingscode onjuist",
                         object_type="User", object_label=user.email, actor=user)
        raise RuleError("code", WRONG_SETUP_CODE)
    user.totp_secret = secret
    user.totp_last_step = step
    audit.record("user.totp_enable", user, old={"totp": False}, new={"totp": True}, actor=user)
    db.session.flush()
    return True


def disable_totp(user: User, code: str) -> bool:
    """Turn one's own second factor off, with a valid (unused) code. RuleError on the code when it is wrong."""
    if totp.matching_step(user.totp_secret, code, after=user.totp_last_step) is None:
        audit.record_now("user.totp_disable", result="failed", message="code onjuist of al gebruikt",
                         object_type="User", object_label=user.email, actor=user)
        raise RuleError("code", WRONG_CODE)
    _clear_totp(user, "user.totp_disable", actor=user)
    return True


def reset_totp(user: User, *, actor: User) -> None:
    """A manager turns off the second factor of someone who lost their phone."""
    if user.id == actor.id:
        raise AccountError("Zet uw eigen tweestapsverificatie uit op de pagina Tweestapsverificatie, met een code.")
    if not user.totp_enabled:
        return
    _clear_totp(user, "user.totp_reset", actor=actor)


def _clear_totp(user: User, action: str, *, actor: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    audit.record(action, user, old={"totp": True}, new={"totp": False}, actor=actor)
    db.session.flush()


def end_sessions(user: User) -> None:
    """Invalidate every session of this user (sign-out, disabling)."""
    user.session_token = new_session_token()


def sign_out(user: User) -> None:
    """The user signs out: every session of theirs ends, audited."""
    end_sessions(user)
    audit.record("user.sign_out", user)


def update_user(user: User, *, name: str, role: str, body: str | None, actor: User,
                expected_version: int | None = None) -> bool:
    """Change name, role and GS/PS body; audited with old and new values. False when nothing changed.
    EditConflict when the manager's form was loaded from an older version (read the row locked)."""
    if expected_version is not None:
        check_version(user, expected_version)
    if not permissions.is_known_role(role):
        raise AccountError(f"Onbekende rol: {role}", "role")
    if user.id == actor.id and permissions.changes_role(user, role):
        raise AccountError("U kunt uw eigen rol niet wijzigen; vraag een andere programmamanager.", "role")
    old = {"name": user.name, "role": user.role, "body": user.body}
    new = {"name": name.strip(), "role": role, "body": body or None}
    changed = {key for key in old if old[key] != new[key]}
    if not changed:
        return False
    user.name, user.role, user.body = new["name"], new["role"], new["body"]
    user.version += 1  # the account form's optimistic lock (see User.version)
    audit.record("user.update", user, old={k: old[k] for k in changed}, new={k: new[k] for k in changed},
                 actor=actor)
    db.session.flush()
    return True


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Disable or enable an account; disabling ends every session of the user at once."""
    if user.id == actor.id and not active:
        raise AccountError("U kunt uw eigen account niet uitschakelen.")
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        end_sessions(user)
    else:
        user.failed_logins = 0
        user.locked_until = None
    audit.record("user.enable" if active else "user.disable", user,
                 old={"is_active": not active}, new={"is_active": active}, actor=actor)
    db.session.flush()
