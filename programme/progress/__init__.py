"""The progress domain: rounds of progress reporting and progress updates with their review workflow."""
from flask import Blueprint

bp = Blueprint("progress", __name__)

from programme.progress import followup_views, monitor_overlay, period_views, views  # noqa: E402,F401

# The monitor page shows the approved observations beside its figures (monitor/overlays.py): the higher layer
# provides them.
bp.record_once(lambda state: monitor_overlay.register(state.app))
