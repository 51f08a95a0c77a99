"""Impact: programme and initiative indicators, targets and measured values, and the manager's
editing of indicators and targets."""
from flask import Blueprint

bp = Blueprint("impact", __name__)

from programme.impact import views  # noqa: E402,F401
