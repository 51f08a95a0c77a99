"""Monitor Sociale Veerkracht: areas, editions, indicators and values."""
from flask import Blueprint

bp = Blueprint("monitor", __name__)

from programme.monitor import edition_views, trend_views, views  # noqa: E402,F401
