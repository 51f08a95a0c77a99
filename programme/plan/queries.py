"""Reading the programme's structure: the loaders of actions and their plannings for the manager's screens."""
from programme.core.edit_pages import part_or_404
from programme.core.extensions import db
from programme.plan.models import Action, ActionPlanning


def get_action(action_id: int) -> Action:
    return db.get_or_404(Action, action_id)


def get_planning(action_id: int, planning_id: int) -> ActionPlanning:
    """A planning of this action; 404 for one of another action (a forged id in the URL)."""
    return part_or_404(ActionPlanning, planning_id, action_id=get_action(action_id).id)
