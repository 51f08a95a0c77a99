"""The manager's screens for actions per prestatie and their planning per period."""
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from programme.budget.models import BudgetLine
from programme.core.forms import EmptyForm
from programme.core.permissions import manager_required
from programme.core.extensions import db
from programme.plan import bp
from programme.plan import operations as ops
from programme.core.editing import CONFLICT, EditConflict, VersionedForm, refuse, save_with_lock
from programme.core.operations import RuleError
from programme.plan.forms import ActionForm, NewActionForm, NewPlanningForm, PlanningForm
from programme.plan.models import Action, ActionPlanning, Deliverable

__all__ = ["bp"]


def get_planning(action: Action, planning_id: int) -> ActionPlanning:
    """A planning of this action; 404 for one of another action (a forged id in the URL)."""
    planning = db.session.get(ActionPlanning, planning_id)
    if planning is None or planning.action_id != action.id:
        abort(404)
    return planning


def _data(form, names) -> dict:
    return {name: form[name].data for name in names}


def _action_page(action: Action, form, conflict=None, status: int = 200):
    lines = db.session.scalars(select(BudgetLine).where(BudgetLine.action_id == action.id)
                               .order_by(BudgetLine.period_id, BudgetLine.id)).all()
    return render_template("plan/action.html", action=action, deliverable=action.deliverable, form=form,
                           lines=lines, conflict=conflict, conflict_message=CONFLICT.format(what="deze actie"),
                           button_form=EmptyForm()), status


@bp.route("/prestaties/<int:deliverable_id>/acties/nieuw", methods=["GET", "POST"])
@manager_required
def new_action(deliverable_id: int):
    deliverable = db.get_or_404(Deliverable, deliverable_id)
    form = NewActionForm()
    if form.validate_on_submit():
        try:
            action = ops.create_action(deliverable, _data(form, ops.ACTION_FIELDS))
        except RuleError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash("De actie is toegevoegd.", "info")
            return redirect(url_for("plan.edit_action", action_id=action.id))
    return render_template("plan/action.html", action=None, deliverable=deliverable, form=form, lines=[],
                           conflict=None, button_form=None)


@bp.route("/acties/<int:action_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_action(action_id: int):
    action = db.get_or_404(Action, action_id)
    form = ActionForm(obj=action) if request.method == "GET" else ActionForm()
    conflict = None
    if form.validate_on_submit():
        try:
            action, changed, conflict = save_with_lock(
                lambda: db.get_or_404(Action, action_id), form,
                lambda obj, version: ops.update_action(obj, _data(form, ops.ACTION_FIELDS), expected_version=version),
                action="action.update", names=ops.ACTION_FIELDS)
        except RuleError as error:
            form[error.field].errors.append(error.message)
        else:
            if conflict is None:
                flash("De actie is opgeslagen." if changed else "Er was niets gewijzigd.", "info")
                return redirect(url_for("plan.edit_action", action_id=action.id))
    return _action_page(action, form, conflict, 409 if conflict is not None else 200)


@bp.route("/acties/<int:action_id>/archiveren", methods=["POST"])
@manager_required
def archive_action(action_id: int):
    return _set_archived(action_id, True)


@bp.route("/acties/<int:action_id>/dearchiveren", methods=["POST"])
@manager_required
def unarchive_action(action_id: int):
    return _set_archived(action_id, False)


def _set_archived(action_id: int, archived: bool):
    action = db.get_or_404(Action, action_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ops.set_action_archived(action, archived)
    db.session.commit()
    flash("De actie is gearchiveerd." if archived else "De actie is uit het archief gehaald.", "info")
    return redirect(url_for("plan.edit_action", action_id=action.id))


def _planning_page(action, planning, form, conflict=None, status=200, deleting=False):
    what = "deze planning"
    message = (f"Iemand anders heeft {what} gewijzigd nadat u de pagina opende. De planning is niet verwijderd. "
               "Hieronder staat wat nu is opgeslagen; verwijder opnieuw als dat nog steeds de bedoeling is."
               if deleting else CONFLICT.format(what=what))
    title = ("Niet verwijderd" if deleting else "Niet opgeslagen") + ": de planning is intussen gewijzigd"
    return render_template("plan/planning.html", action=action, planning=planning, form=form, conflict=conflict,
                           conflict_title=title, conflict_message=message,
                           same_text=None if deleting else "Uw invoer is gelijk aan wat nu is opgeslagen.",
                           remove_form=VersionedForm(formdata=None, obj=planning) if planning else None), status


@bp.route("/acties/<int:action_id>/planning/nieuw", methods=["GET", "POST"])
@manager_required
def new_planning(action_id: int):
    action = db.get_or_404(Action, action_id)
    form = NewPlanningForm()
    if form.validate_on_submit():
        try:
            ops.add_planning(action, _data(form, ops.PLANNING_FIELDS))
        except RuleError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash("De planning is toegevoegd.", "info")
            return redirect(url_for("plan.edit_action", action_id=action.id) + "#planning")
    return _planning_page(action, None, form)


@bp.route("/acties/<int:action_id>/planning/<int:planning_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_planning(action_id: int, planning_id: int):
    action = db.get_or_404(Action, action_id)
    planning = get_planning(action, planning_id)
    form = PlanningForm(obj=planning) if request.method == "GET" else PlanningForm()
    conflict = None
    if form.validate_on_submit():
        try:
            planning, changed, conflict = save_with_lock(
                lambda: get_planning(db.get_or_404(Action, action_id), planning_id), form,
                lambda obj, version: ops.update_planning(obj, _data(form, ops.PLANNING_FIELDS),
                                                         expected_version=version),
                action="action_planning.update", names=ops.PLANNING_FIELDS)
        except RuleError as error:
            form[error.field].errors.append(error.message)
        else:
            if conflict is None:
                flash("De planning is opgeslagen." if changed else "Er was niets gewijzigd.", "info")
                return redirect(url_for("plan.edit_action", action_id=action.id) + "#planning")
    return _planning_page(action, planning, form, conflict, 409 if conflict is not None else 200)


@bp.route("/acties/<int:action_id>/planning/<int:planning_id>/verwijderen", methods=["POST"])
@manager_required
def remove_planning(action_id: int, planning_id: int):
    action = db.get_or_404(Action, action_id)
    planning = get_planning(action, planning_id)
    form = VersionedForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ops.remove_planning(planning, expected_version=int(form.version.data))
        db.session.commit()
    except (EditConflict, StaleDataError):
        db.session.rollback()
        planning = get_planning(action, planning_id)
        refuse("action_planning.delete", planning, "bewerkconflict: verouderde versie")
        return _planning_page(action, planning, PlanningForm(formdata=None, obj=planning), [], 409, deleting=True)
    flash("De planning is verwijderd.", "info")
    return redirect(url_for("plan.edit_action", action_id=action.id) + "#planning")
