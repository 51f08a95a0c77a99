"""The programme's structure: goals, lines, themes, prestaties and actions (blueprint `plan`)."""
from flask import Blueprint

bp = Blueprint("plan", __name__)

from programme.plan import views  # noqa: E402,F401
