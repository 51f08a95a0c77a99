"""Initiatives: the list with filters and the detail page."""
from flask import Blueprint

bp = Blueprint("initiatives", __name__)

from programme.initiatives import map_overlay, views  # noqa: E402,F401

# The monitor's map offers the initiatives' areas as an overlay (monitor/overlays.py): the higher layer provides it.
bp.record_once(lambda state: map_overlay.register(state.app))
