"""Plan writes: the manager's actions per prestatie and their planning texts.

Actions are archived, never deleted (budget lines and the audit trail refer to them)."""
from sqlalchemy import func, select

from programme.core import audit
from programme.core.extensions import db
from programme.core.editing import apply_changes, archive_or_restore, check_version, is_taken, values_of
from programme.core.operations import RuleError
from programme.plan.models import Action, ActionPlanning, Deliverable

ACTION_FIELDS = ("name", "statement", "position")
PLANNING_FIELDS = ("period_label", "text")


def _clean_action(data: dict) -> dict:
    return {"name": data["name"], "statement": data.get("statement") or None, "position": data.get("position")}


def create_action(deliverable: Deliverable, data: dict) -> Action:
    values = _clean_action(data)
    if is_taken(Action, deliverable_id=deliverable.id, name=values["name"]):
        raise RuleError("name", "Deze prestatie heeft al een actie met deze naam.")
    if values["position"] is None:
        values["position"] = db.session.scalar(select(func.coalesce(func.max(Action.position), -1)).where(
            Action.deliverable_id == deliverable.id)) + 1
    action = Action(deliverable=deliverable, **values)
    db.session.add(action)
    db.session.flush()
    audit.record("action.create", action, new={**values_of(action, ACTION_FIELDS), "deliverable": deliverable.name})
    return action


def update_action(action: Action, data: dict, *, expected_version: int) -> bool:
    """EditConflict when the form was loaded from an older version; a concurrent save between
    this check and the flush raises StaleDataError at the flush."""
    check_version(action, expected_version)
    values = _clean_action(data)
    if values["position"] is None:
        values["position"] = action.position
    if is_taken(Action, deliverable_id=action.deliverable_id, name=values["name"], other_than=action.id):
        raise RuleError("name", "Deze prestatie heeft al een actie met deze naam.")
    return apply_changes(action, "action.update", values)


def set_action_archived(action: Action, archived: bool) -> None:
    archive_or_restore(action, archived, "action")


PERIOD_TAKEN = "Deze actie heeft al een planning voor deze periode; pas die aan."


def add_planning(action: Action, data: dict) -> ActionPlanning:
    if is_taken(ActionPlanning, action_id=action.id, period_label=data["period_label"]):
        raise RuleError("period_label", PERIOD_TAKEN)
    position = db.session.scalar(select(func.coalesce(func.max(ActionPlanning.position), -1)).where(
        ActionPlanning.action_id == action.id)) + 1
    planning = ActionPlanning(action=action, period_label=data["period_label"], text=data["text"], position=position)
    db.session.add(planning)
    db.session.flush()
    audit.record("action_planning.create", planning, new=values_of(planning, PLANNING_FIELDS))
    return planning


def update_planning(planning: ActionPlanning, data: dict, *, expected_version: int) -> bool:
    check_version(planning, expected_version)
    if is_taken(ActionPlanning, action_id=planning.action_id, period_label=data["period_label"],
                other_than=planning.id):
        raise RuleError("period_label", PERIOD_TAKEN)
    return apply_changes(planning, "action_planning.update",
                         {"period_label": data["period_label"], "text": data["text"]})


def remove_planning(planning: ActionPlanning, *, expected_version: int) -> None:
    """A planning text has no history of its own beyond the audit trail, which keeps its values."""
    check_version(planning, expected_version)
    audit.record("action_planning.delete", planning, old=values_of(planning, PLANNING_FIELDS))
    db.session.delete(planning)
    db.session.flush()
