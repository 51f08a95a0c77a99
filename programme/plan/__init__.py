"""The programme's structure: goals, implementation lines, themes, prestaties and actions, and the
manager's editing of actions and their planning."""
from flask import Blueprint

bp = Blueprint("plan", __name__)

from programme.plan import views  # noqa: E402,F401
