"""Account management by the programme manager: list, create, edit, disable, access-review export."""
from datetime import datetime

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.accounts import bp
from programme.core.rate_limits import export_limit
from programme.accounts.forms import UserCreateForm, UserEditForm
from programme.accounts.models import User
from programme.accounts.operations import create_user, reset_totp, set_active, update_user
from programme.accounts.queries import get_user
from programme.core.export import csv_response
from programme.core.formatting import AMSTERDAM
from programme.core.forms import EmptyForm
from programme.core.permissions import ROLE_LABELS, manager_required
from programme.core.extensions import db
from programme.core.editing import CONFLICT
from programme.core.edit_pages import edit_form, edit_page, button_action, save_version
from programme.core.operations import run

# The fields of the account form, as its conflict screen compares them.
EDIT_FIELDS = ("name", "role", "body")


@bp.route("/accounts")
@manager_required
def users():
    accounts = db.session.scalars(select(User).order_by(User.is_active.desc(), User.name)).all()
    return render_template("accounts/users.html", users=accounts, button_form=EmptyForm())


@bp.route("/accounts/nieuw", methods=["GET", "POST"])
@manager_required
def create():
    form = UserCreateForm()
    if form.validate_on_submit():
        outcome = run(create_user, form.email.data, form.name.data, form.role.data, form.password.data,
                      body=form.body.data or None, actor=current_user._get_current_object(), form=form)
        if outcome:
            flash(f"Het account voor {outcome.result.name} is aangemaakt.", "info")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/accounts/<int:user_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit(user_id: int):
    user = get_user(user_id)
    form = edit_form(UserEditForm, user)
    conflict = None
    if form.validate_on_submit():
        outcome = save_version(update_user, get_user(user_id, lock=True), name=form.name.data, role=form.role.data,
                               body=form.body.data or None, actor=current_user._get_current_object(), form=form,
                               load=lambda: get_user(user_id, lock=True), names=EDIT_FIELDS, action="user.update")
        if outcome:
            flash("Het account is gewijzigd." if outcome.result else "Er was niets gewijzigd.", "info")
            return redirect(url_for("accounts.users"))
        user, conflict = outcome.result or get_user(user_id), outcome.conflict
    return edit_page("accounts/user_form.html", form=form, user=user, button_form=EmptyForm(),
                     conflict=conflict, conflict_message=CONFLICT.format(what="dit account"))


@bp.route("/accounts/<int:user_id>/uitschakelen", methods=["POST"], endpoint="disable", defaults={"active": False})
@bp.route("/accounts/<int:user_id>/inschakelen", methods=["POST"], endpoint="enable", defaults={"active": True})
@manager_required
def switch(user_id: int, active: bool):
    user = get_user(user_id)
    return button_action(set_active, user, active, actor=current_user._get_current_object(),
                         done=f"Het account van {user.name} is {'ingeschakeld' if active else 'uitgeschakeld'}.",
                         to=url_for("accounts.users"))


@bp.route("/accounts/<int:user_id>/tweestapsverificatie-uitzetten", methods=["POST"])
@manager_required
def reset_second_factor(user_id: int):
    """For someone who lost the phone with their authenticator app."""
    user = get_user(user_id)
    return button_action(reset_totp, user, actor=current_user._get_current_object(),
                         done=f"De tweestapsverificatie van {user.name} staat uit. Laat {user.name} die opnieuw "
                              "instellen.", to=url_for("accounts.edit", user_id=user_id))


def _local(value: datetime | None) -> str:
    return value.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M") if value else ""


@bp.route("/accounts/export.csv")
@manager_required
@export_limit
def export():
    """Users and their rights, for the periodic access review (SECURITY.md 12)."""
    accounts = db.session.scalars(select(User).options(selectinload(User.owned_initiatives))
                                  .order_by(User.email)).all()
    header = ["E-mailadres", "Naam", "Rol", "GS/PS", "Actief", "Demo-account", "Eigenaar van initiatieven",
              "Laatst aangemeld", "Aangemaakt", "Tweestapsverificatie"]
    rows = ([u.email, u.name, ROLE_LABELS.get(u.role, u.role), u.body, u.is_active, u.is_demo,
             ", ".join(sorted(i.number for i in u.owned_initiatives)), _local(u.last_login_dt), _local(u.created_dt),
             u.totp_enabled]
            for u in accounts)
    stamp = datetime.now(AMSTERDAM).strftime("%Y%m%d")
    return csv_response(f"accounts-en-rechten-{stamp}.csv", header, rows)
