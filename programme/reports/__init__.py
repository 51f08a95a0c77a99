"""Progress reports for GS and PS: built from approved data, on demand and on schedule,
archived unchanged and delivered by e-mail."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from programme.reports import preview, views  # noqa: E402,F401
