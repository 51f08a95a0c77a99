"""The account page of the second factor (TOTP): set it up with a QR code, turn it off again."""
import base64
import hashlib
import hmac
import secrets

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from programme.accounts import bp, totp
from programme.accounts.forms import CodeForm
from programme.accounts.operations import disable_totp, enable_totp
from programme.core.edit_pages import require_button_form
from programme.core.forms import EmptyForm
from programme.core.operations import run

# The session holds only a random nonce; the secret being set up is derived from it on the server,
# so it never travels in the (signed, not encrypted) session cookie.
SETUP = "totp_setup"


def _setup_secret(user) -> str | None:
    nonce = session.get(SETUP)
    if not isinstance(nonce, str) or not nonce:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"totp-setup:{user.id}:{user.session_token}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()  # 160 bits, 32 characters


def _page(code_form: CodeForm, status: int = 200):
    user = current_user._get_current_object()
    secret = None if user.totp_enabled else _setup_secret(user)
    setup = None
    if secret:
        uri = totp.provisioning_uri(secret, user.email)
        setup = {"secret": totp.grouped(secret), "qr": totp.qr_code_data_uri(uri)}
    return render_template("accounts/second_factor.html", user=user, setup=setup, code_form=code_form,
                           button_form=EmptyForm()), status


@bp.route("/account/tweestapsverificatie")
def second_factor():
    return _page(CodeForm())


@bp.route("/account/tweestapsverificatie/instellen", methods=["POST"])
def totp_setup():
    require_button_form()
    if current_user.totp_enabled:
        return redirect(url_for("accounts.second_factor"))
    session[SETUP] = secrets.token_urlsafe(16)
    return redirect(url_for("accounts.second_factor"))


@bp.route("/account/tweestapsverificatie/aanzetten", methods=["POST"])
def totp_enable():
    user = current_user._get_current_object()
    form = CodeForm()
    secret = _setup_secret(user)
    if user.totp_enabled or secret is None:
        return redirect(url_for("accounts.second_factor"))
    if form.validate_on_submit() and run(enable_totp, user, secret, form.code.data, form=form):
        session.pop(SETUP, None)
        flash("Tweestapsverificatie staat aan. Bij het aanmelden vragen we voortaan ook om een code.", "info")
        return redirect(url_for("accounts.second_factor"))
    return _page(form, 400)


@bp.route("/account/tweestapsverificatie/uitzetten", methods=["POST"])
def totp_disable():
    user = current_user._get_current_object()
    form = CodeForm()
    if not user.totp_enabled:
        return redirect(url_for("accounts.second_factor"))
    if form.validate_on_submit() and run(disable_totp, user, form.code.data, form=form):
        flash("Tweestapsverificatie staat uit.", "info")
        return redirect(url_for("accounts.second_factor"))
    return _page(form, 400)
