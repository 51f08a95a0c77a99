"""The programme's structure: goals, implementation lines, themes, prestaties and actions, and the
manager's editing of actions (routes in views.py)."""
from flask import Blueprint

# The views are imported by register_blueprints, not here: every domain's models import
# plan.models, and importing the views with the package would make that import circular.
bp = Blueprint("plan", __name__)
