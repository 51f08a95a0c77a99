"""Dashboard: the programme at a glance."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from programme.dashboard import views  # noqa: E402,F401
