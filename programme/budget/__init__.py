"""Budget: the source table, computed totals and the reconciliation of allocations."""
from flask import Blueprint

bp = Blueprint("budget", __name__)

from programme.budget import views  # noqa: E402,F401
