"""Impact: programme and initiative indicators, targets and measured values, and the manager's
editing of indicators and targets (routes in views.py)."""
from flask import Blueprint

# The views are imported by register_blueprints, not here: importing them with the package
# would make the import of impact.models (by every domain that shows indicators) circular.
bp = Blueprint("impact", __name__)
