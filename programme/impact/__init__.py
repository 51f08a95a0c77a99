"""Impact: programme and initiative indicators, their targets and measured values (blueprint `impact`)."""
from flask import Blueprint

bp = Blueprint("impact", __name__)

from programme.impact import views  # noqa: E402,F401
