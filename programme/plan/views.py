"""The manager's screens for actions per prestatie and their planning per period."""
from flask import abort, flash, redirect, render_template, request, url_for

from programme.core.editing import CONFLICT, VersionedForm
from programme.core.extensions import db
from programme.core.forms import EmptyForm
from programme.core.operations import Stale, run
from programme.core.permissions import manager_required
from programme.plan import bp
from programme.plan import operations as ops
from programme.plan.forms import ActionForm, NewActionForm, NewPlanningForm, PlanningForm
from programme.plan.models import Deliverable
from programme.plan.queries import get_action, get_planning

SAVED = {True: "De {what} is opgeslagen.", False: "Er was niets gewijzigd."}


def _data(form, names) -> dict:
    return {name: form[name].data for name in names}


def _action_page(action, form, conflict=None):
    return render_template("plan/action.html", action=action, deliverable=action.deliverable, form=form,
                           lines=action.budget_lines, conflict=conflict,
                           conflict_message=CONFLICT.format(what="deze actie"),
                           button_form=EmptyForm()), 409 if conflict is not None else 200


@bp.route("/prestaties/<int:deliverable_id>/acties/nieuw", methods=["GET", "POST"])
@manager_required
def new_action(deliverable_id: int):
    deliverable = db.get_or_404(Deliverable, deliverable_id)
    form = NewActionForm()
    if form.validate_on_submit():
        outcome = run(ops.create_action, deliverable, _data(form, ops.ACTION_FIELDS), form=form)
        if outcome:
            flash("De actie is toegevoegd.", "info")
            return redirect(url_for("plan.edit_action", action_id=outcome.result.id))
    return render_template("plan/action.html", action=None, deliverable=deliverable, form=form, lines=[],
                           conflict=None, button_form=None)


@bp.route("/acties/<int:action_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_action(action_id: int):
    action = get_action(action_id)
    form = ActionForm(obj=action) if request.method == "GET" else ActionForm()
    if not form.validate_on_submit():
        return _action_page(action, form)
    outcome = run(ops.update_action, action, _data(form, ops.ACTION_FIELDS), expected_version=int(form.version.data),
                  form=form, stale=Stale(lambda: get_action(action_id), ops.ACTION_FIELDS, "action.update"))
    if outcome:
        flash(SAVED[outcome.result].format(what="actie"), "info")
        return redirect(url_for("plan.edit_action", action_id=action_id))
    return _action_page(outcome.result or action, form, outcome.conflict)


@bp.route("/acties/<int:action_id>/archiveren", methods=["POST"])
@manager_required
def archive_action(action_id: int):
    return _set_archived(action_id, True)


@bp.route("/acties/<int:action_id>/dearchiveren", methods=["POST"])
@manager_required
def unarchive_action(action_id: int):
    return _set_archived(action_id, False)


def _set_archived(action_id: int, archived: bool):
    action = get_action(action_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if run(ops.set_action_archived, action, archived):
        flash("De actie is gearchiveerd." if archived else "De actie is uit het archief gehaald.", "info")
    return redirect(url_for("plan.edit_action", action_id=action_id))


def _planning_page(action, planning, form, conflict=None, deleting=False):
    what = "deze planning"
    message = (f"Iemand anders heeft {what} gewijzigd nadat u de pagina opende. De planning is niet verwijderd. "
               "Hieronder staat wat nu is opgeslagen; verwijder opnieuw als dat nog steeds de bedoeling is."
               if deleting else CONFLICT.format(what=what))
    title = ("Niet verwijderd" if deleting else "Niet opgeslagen") + ": de planning is intussen gewijzigd"
    return render_template("plan/planning.html", action=action, planning=planning, form=form, conflict=conflict,
                           conflict_title=title, conflict_message=message,
                           same_text=None if deleting else "Uw invoer is gelijk aan wat nu is opgeslagen.",
                           remove_form=VersionedForm(formdata=None, obj=planning) if planning else None
                           ), 409 if conflict is not None else 200


def _plannings_url(action_id: int) -> str:
    return url_for("plan.edit_action", action_id=action_id) + "#planning"


@bp.route("/acties/<int:action_id>/planning/nieuw", methods=["GET", "POST"])
@manager_required
def new_planning(action_id: int):
    action = get_action(action_id)
    form = NewPlanningForm()
    if form.validate_on_submit() and run(ops.add_planning, action, _data(form, ops.PLANNING_FIELDS), form=form):
        flash("De planning is toegevoegd.", "info")
        return redirect(_plannings_url(action_id))
    return _planning_page(action, None, form)


@bp.route("/acties/<int:action_id>/planning/<int:planning_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_planning(action_id: int, planning_id: int):
    planning = get_planning(action_id, planning_id)
    form = PlanningForm(obj=planning) if request.method == "GET" else PlanningForm()
    if not form.validate_on_submit():
        return _planning_page(planning.action, planning, form)
    outcome = run(ops.update_planning, planning, _data(form, ops.PLANNING_FIELDS),
                  expected_version=int(form.version.data), form=form,
                  stale=Stale(lambda: get_planning(action_id, planning_id), ops.PLANNING_FIELDS,
                              "action_planning.update"))
    if outcome:
        flash(SAVED[outcome.result].format(what="planning"), "info")
        return redirect(_plannings_url(action_id))
    planning = outcome.result or planning
    return _planning_page(planning.action, planning, form, outcome.conflict)


@bp.route("/acties/<int:action_id>/planning/<int:planning_id>/verwijderen", methods=["POST"])
@manager_required
def remove_planning(action_id: int, planning_id: int):
    planning = get_planning(action_id, planning_id)
    form = VersionedForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = run(ops.remove_planning, planning, expected_version=int(form.version.data), form=form,
                  stale=Stale(lambda: get_planning(action_id, planning_id), (), "action_planning.delete"))
    if outcome:
        flash("De planning is verwijderd.", "info")
        return redirect(_plannings_url(action_id))
    if outcome.conflict is None:
        return redirect(_plannings_url(action_id))
    planning = outcome.result
    return _planning_page(planning.action, planning, PlanningForm(formdata=None, obj=planning), [], deleting=True)
