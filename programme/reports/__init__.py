"""Progress reports for GS and PS: built from approved data, on demand and on schedule, archived unchanged and e-mailed.

The web pages only queue a build; the scheduler process (worker/) builds it."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from programme.reports import views, views_preview, views_settings  # noqa: E402,F401
