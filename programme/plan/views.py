"""The manager's screens for actions per prestatie and their planning per period."""
from flask import flash, redirect, render_template, url_for

from programme.core.editing import CONFLICT
from programme.core.edit_pages import (add_flow, edit_flow, edit_form, edit_page, form_data, part_page, remove_part,
                                       button_action)
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
    return edit_flow(ops.update_action, action, edit_form(ActionForm, action), names=ops.ACTION_FIELDS,
                     load=lambda: get_action(action_id), action="action.update", saved="De actie is opgeslagen.",
                     done_url=url_for("plan.edit_action", action_id=action_id), page=_action_page)


@bp.route("/acties/<int:action_id>/archiveren", methods=["POST"], endpoint="archive_action",
          defaults={"archived": True})
@bp.route("/acties/<int:action_id>/dearchiveren", methods=["POST"], endpoint="unarchive_action",
          defaults={"archived": False})
@manager_required
def set_archived(action_id: int, archived: bool):
    return button_action(ops.set_action_archived, get_action(action_id), archived,
                         done="De actie is gearchiveerd." if archived else "De actie is uit het archief gehaald.",
                         to=url_for("plan.edit_action", action_id=action_id))


def _planning_page(action, planning, form, conflict=None, deleting=False):
    return part_page("plan/planning.html", planning, what="deze planning", it="De planning", noun="de planning",
                     conflict=conflict, deleting=deleting, action=action, planning=planning, form=form)


def _page_of(action):
    return lambda planning, form, conflict=None: _planning_page(action, planning, form, conflict)


def _plannings_url(action_id: int) -> str:
    return url_for("plan.edit_action", action_id=action_id) + "#planning"


@bp.route("/acties/<int:action_id>/planning/nieuw", methods=["GET", "POST"])
@manager_required
def new_planning(action_id: int):
    action = get_action(action_id)
    return add_flow(ops.add_planning, action, NewPlanningForm(), names=ops.PLANNING_FIELDS,
                    added="De planning is toegevoegd.", done_url=_plannings_url(action_id), page=_page_of(action))


@bp.route("/acties/<int:action_id>/planning/<int:planning_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_planning(action_id: int, planning_id: int):
    planning = get_planning(action_id, planning_id)
    return edit_flow(ops.update_planning, planning, edit_form(PlanningForm, planning), names=ops.PLANNING_FIELDS,
                     load=lambda: get_planning(action_id, planning_id), action="action_planning.update",
                     saved="De planning is opgeslagen.", done_url=_plannings_url(action_id),
                     page=_page_of(planning.action))


@bp.route("/acties/<int:action_id>/planning/<int:planning_id>/verwijderen", methods=["POST"])
@manager_required
def remove_planning(action_id: int, planning_id: int):
    return remove_part(
        ops.remove_planning, get_planning(action_id, planning_id), load=lambda: get_planning(action_id, planning_id),
        action="action_planning.delete", removed="De planning is verwijderd.", done_url=_plannings_url(action_id),
        refused_url=_plannings_url(action_id),
        page=lambda planning: _planning_page(planning.action, planning, PlanningForm(formdata=None, obj=planning),
                                             [], deleting=True))
