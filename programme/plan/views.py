"""The manager's screens for actions per prestatie and their planning per period."""
from flask import render_template, url_for

from programme.core.editing import CONFLICT
from programme.core.edit_pages import (PartPages, button_action, edit_flow, edit_form, edit_page, form_data, form_flow,
                                       part_page, switch_routes)
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
    return form_flow(form, lambda: run(ops.create_action, deliverable, form_data(form, ops.ACTION_FIELDS), form=form),
                     done="De actie is toegevoegd.", to=lambda action: url_for("plan.edit_action", action_id=action.id),
                     page=lambda: render_template("plan/action.html", action=None, deliverable=deliverable, form=form,
                                                  lines=[], conflict=None, button_form=None))


@bp.route("/acties/<int:action_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_action(action_id: int):
    action = get_action(action_id)
    return edit_flow(ops.update_action, action, edit_form(ActionForm, action), names=ops.ACTION_FIELDS,
                     load=lambda: get_action(action_id), action="action.update", saved="De actie is opgeslagen.",
                     done_url=url_for("plan.edit_action", action_id=action_id), page=_action_page)


@switch_routes(bp, "/acties/<int:action_id>", "archived", on=("archiveren", "archive_action"),
               off=("dearchiveren", "unarchive_action"))
@manager_required
def set_archived(action_id: int, archived: bool):
    return button_action(ops.set_action_archived, get_action(action_id), archived,
                         done="De actie is gearchiveerd." if archived else "De actie is uit het archief gehaald.",
                         to=url_for("plan.edit_action", action_id=action_id))


def _planning_page(action, planning, form, conflict=None, deleting=False, **urls):
    return part_page("plan/planning.html", planning, what="deze planning", it="De planning", noun="de planning",
                     conflict=conflict, deleting=deleting, action=action, planning=planning, form=form, **urls)


PLANNINGS = PartPages(
    get=get_planning, load_owner=get_action, owner_of=lambda planning: planning.action, page=_planning_page,
    new_form=NewPlanningForm, form=PlanningForm, names=ops.PLANNING_FIELDS, add=ops.add_planning,
    update=ops.update_planning, delete=ops.remove_planning, audit="action_planning", subject="De planning",
    list_url=lambda action_id: url_for("plan.edit_action", action_id=action_id) + "#planning",
    refused_url=lambda action_id, planning_id: url_for("plan.edit_action", action_id=action_id) + "#planning")
PLANNINGS.routes(bp, "/acties/<int:action_id>/planning", name="planning", owner_key="action_id",
                 part_key="planning_id")
