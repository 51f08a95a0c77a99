"""The progress domain: rounds of progress reporting and progress updates with their review workflow."""
from flask import Blueprint

bp = Blueprint("progress", __name__)

from programme.progress import followup_views, period_views, views  # noqa: E402,F401
