"""Audit trail: the programme-wide log for the manager and the history of each initiative."""
from flask import Blueprint

bp = Blueprint("audit", __name__)

from programme.audit import views  # noqa: E402,F401
