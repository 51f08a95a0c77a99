"""The manager's screens for actions per prestatie and their planning per period."""
from flask import flash, redirect, render_template, url_for

from programme.core.editing import CONFLICT
from programme.core.edit_pages import (SAVED, edit_form, edit_page, form_data, part_page, remove_part,
                                       require_button_form, save_version)
from programme.core.extensions import db
from programme.core.forms import EmptyForm
from programme.core.operations import run
from programme.core.permissions import manager_required
from programme.plan import bp
from programme.plan import operations as ops
from programme.plan.forms import ActionForm, NewActionForm, NewPlanningForm, PlanningForm
from programme.plan.models import Deliverable
from programme.plan.queries import get_action, get_planning


def _action_page(action, form, conflict=None):
    return edit_page("plan/action.html", action=action, deliverable=action.deliverable, form=form,
                     lines=action.budget_lines, conflict=conflict, conflict_message=CONFLICT.format(what="deze actie"),
                     button_form=EmptyForm())


@bp.route("/prestaties/<int:deliverable_id>/acties/nieuw", methods=["GET", "POST"])
@manager_required
def new_action(deliverable_id: int):
    deliverable = db.get_or_404(Deliverable, deliverable_id)
    form = NewActionForm()
    if form.validate_on_submit():
        outcome = run(ops.create_action, deliverable, form_data(form, ops.ACTION_FIELDS), form=form)
        if outcome:
            flash("De actie is toegevoegd.", "info")
            return redirect(url_for("plan.edit_action", action_id=outcome.result.id))
    return render_template("plan/action.html", action=None, deliverable=deliverable, form=form, lines=[],
                           conflict=None, button_form=None)


@bp.route("/acties/<int:action_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_action(action_id: int):
    action = get_action(action_id)
    form = edit_form(ActionForm, action)
    if not form.validate_on_submit():
        return _action_page(action, form)
    outcome = save_version(ops.update_action, action, form_data(form, ops.ACTION_FIELDS), form=form,
                           load=lambda: get_action(action_id), names=ops.ACTION_FIELDS, action="action.update")
    if outcome:
        flash(SAVED[outcome.result].format(what="actie"), "info")
        return redirect(url_for("plan.edit_action", action_id=action_id))
    return _action_page(outcome.result or action, form, outcome.conflict)


@bp.route("/acties/<int:action_id>/archiveren", methods=["POST"], endpoint="archive_action",
          defaults={"archived": True})
@bp.route("/acties/<int:action_id>/dearchiveren", methods=["POST"], endpoint="unarchive_action",
          defaults={"archived": False})
@manager_required
def set_archived(action_id: int, archived: bool):
    action = get_action(action_id)
    require_button_form()
    if run(ops.set_action_archived, action, archived):
        flash("De actie is gearchiveerd." if archived else "De actie is uit het archief gehaald.", "info")
    return redirect(url_for("plan.edit_action", action_id=action_id))


def _planning_page(action, planning, form, conflict=None, deleting=False):
    return part_page("plan/planning.html", planning, what="deze planning", it="De planning", noun="de planning",
                     conflict=conflict, deleting=deleting, action=action, planning=planning, form=form)


def _plannings_url(action_id: int) -> str:
    return url_for("plan.edit_action", action_id=action_id) + "#planning"


@bp.route("/acties/<int:action_id>/planning/nieuw", methods=["GET", "POST"])
@manager_required
def new_planning(action_id: int):
    action = get_action(action_id)
    form = NewPlanningForm()
    if form.validate_on_submit() and run(ops.add_planning, action, form_data(form, ops.PLANNING_FIELDS), form=form):
        flash("De planning is toegevoegd.", "info")
        return redirect(_plannings_url(action_id))
    return _planning_page(action, None, form)


@bp.route("/acties/<int:action_id>/planning/<int:planning_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_planning(action_id: int, planning_id: int):
    planning = get_planning(action_id, planning_id)
    form = edit_form(PlanningForm, planning)
    if not form.validate_on_submit():
        return _planning_page(planning.action, planning, form)
    outcome = save_version(ops.update_planning, planning, form_data(form, ops.PLANNING_FIELDS), form=form,
                           load=lambda: get_planning(action_id, planning_id), names=ops.PLANNING_FIELDS,
                           action="action_planning.update")
    if outcome:
        flash(SAVED[outcome.result].format(what="planning"), "info")
        return redirect(_plannings_url(action_id))
    planning = outcome.result or planning
    return _planning_page(planning.action, planning, form, outcome.conflict)


@bp.route("/acties/<int:action_id>/planning/<int:planning_id>/verwijderen", methods=["POST"])
@manager_required
def remove_planning(action_id: int, planning_id: int):
    return remove_part(
        ops.remove_planning, get_planning(action_id, planning_id), load=lambda: get_planning(action_id, planning_id),
        action="action_planning.delete", removed="De planning is verwijderd.", done_url=_plannings_url(action_id),
        refused_url=_plannings_url(action_id),
        page=lambda planning: _planning_page(planning.action, planning, PlanningForm(formdata=None, obj=planning),
                                             [], deleting=True))
