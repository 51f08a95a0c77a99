"""Sign-in (password, then the code of a second factor where it is on) and sign-out."""
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from programme.accounts import bp, ratelimit
from programme.accounts.forms import CodeForm, LoginForm
from programme.accounts.models import User
from programme.accounts.operations import authenticate, sign_out, verify_login_code
from programme.core.forms import EmptyForm
from programme.core.extensions import db, login_manager
from programme.core.operations import run

login_manager.login_view = "accounts.login"
login_manager.login_message = "Meld u aan om deze pagina te bekijken."
login_manager.session_protection = "strong"

LOGIN_FAILED = ("Aanmelden is niet gelukt. Controleer uw e-mailadres en wachtwoord, "
                "of probeer het later opnieuw.")
CODE_FAILED = "De code is niet juist, verlopen of al gebruikt. Vul de code in die uw app nu toont."
FAILED = {"wachtwoord": LOGIN_FAILED, "code": CODE_FAILED}
# The session key of a sign-in whose password was right and whose code is still to come.
PENDING = "pending_login"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def safe_next(target: str | None) -> str:
    """Only paths inside this app: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return url_for("dashboard.index")
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("dashboard.index")
    return target


def _start_session(user: User) -> None:
    session.clear()  # a new session at sign-in
    login_user(user)
    now = datetime.now(UTC).timestamp()
    session["started"] = now
    session["last_seen"] = now
    session.permanent = True


def _attempt(template: str, form, step: str, check, sign_in, **context):
    """Both sign-in steps, one path: claim an attempt from this address (429 when there were too many),
    then check the form (check(form) -> the user, or None when the password or code is wrong). A form
    that is not even valid checked nothing and gives the claim back; a wrong answer keeps it (it is
    the failure count); a right one gives it back and sign_in(user) -> where to go, committed once."""
    error = None
    if request.method == "POST":
        claim = ratelimit.claim()
        if claim is None:
            ratelimit.refuse(step)
            return render_template(template, form=form, error=ratelimit.BLOCKED_MESSAGE, **context), 429
        if not form.validate_on_submit():
            run(ratelimit.release, claim)
        elif (user := check(form)) is None:
            error = FAILED[step]
        else:
            outcome = run(lambda: (ratelimit.release(claim), sign_in(user))[1])
            return redirect(outcome.result)
    return render_template(template, form=form, error=error, **context), (401 if error else 200)


# Both steps are one endpoint, so that the second is as public as the first (core.security).
@bp.route("/aanmelden", methods=["GET", "POST"], defaults={"step": "wachtwoord"})
@bp.route("/aanmelden/<any(code):step>", methods=["GET", "POST"])
def login(step: str):
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    if step == "code":
        return _code_step()
    return _attempt("accounts/login.html", LoginForm(), "wachtwoord",
                    lambda form: authenticate(form.email.data, form.password.data), _after_password,
                    expired=request.args.get("expired") == "1")


def _after_password(user: User) -> str:
    """The password was right: sign in, or first ask for the code of the second factor."""
    if user.totp_enabled:
        session.clear()
        session[PENDING] = {"user": user.get_id(), "at": datetime.now(UTC).timestamp(),
                            "next": safe_next(request.args.get("next"))}
        return url_for("accounts.login", step="code")
    _start_session(user)
    return safe_next(request.args.get("next"))


def _pending_user() -> User | None:
    """The account whose password was right in this session, while the code may still follow."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    age = datetime.now(UTC).timestamp() - float(pending.get("at", 0))
    if age > current_app.config["LOGIN_CODE_TIMEOUT"].total_seconds():
        return None
    user = load_user(str(pending.get("user", "")))
    return user if user is not None and user.totp_enabled else None


def _code_step():
    user = _pending_user()
    if user is None:
        if session.pop(PENDING, None) is not None:
            flash("De tijd voor de code is verstreken. Meld u opnieuw aan.", "info")
        return redirect(url_for("accounts.login"))

    def after_code(user: User) -> str:
        target = session[PENDING].get("next") or url_for("dashboard.index")
        _start_session(user)
        return safe_next(target)

    return _attempt("accounts/login_code.html", CodeForm(), "code",
                    lambda form: user if verify_login_code(user, form.code.data) else None, after_code)


@bp.route("/afmelden", methods=["POST"])
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        run(sign_out, user)
        logout_user()
        session.clear()
        flash("U bent afgemeld.", "info")
    return redirect(url_for("accounts.login"))
