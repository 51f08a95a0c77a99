"""Sign-in and sign-out."""
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from programme.accounts import bp
from programme.accounts.forms import LoginForm
from programme.accounts.models import User
from programme.accounts.operations import authenticate, end_sessions
from programme.core import audit
from programme.core.forms import EmptyForm
from programme.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = "Meld u aan om deze pagina te bekijken."
login_manager.session_protection = "strong"


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


@bp.route("/aanmelden", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            error = "Aanmelden is niet gelukt. Controleer uw e-mailadres en wachtwoord, of probeer het later opnieuw."
        else:
            session.clear()  # a new session at sign-in
            login_user(user)
            now = datetime.now(UTC).timestamp()
            session["started"] = now
            session["last_seen"] = now
            session.permanent = True
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    expired = request.args.get("expired") == "1"
    return render_template("accounts/login.html", form=form, error=error, expired=expired), (
        401 if error else 200)


@bp.route("/afmelden", methods=["POST"])
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        end_sessions(user)
        audit.record("logout", user)
        db.session.commit()
        logout_user()
        session.clear()
        flash("U bent afgemeld.", "info")
    return redirect(url_for("accounts.login"))
