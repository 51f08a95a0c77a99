"""Initiatives: the list with filters and the detail page."""
from flask import Blueprint

bp = Blueprint("initiatives", __name__)

from programme.initiatives import views  # noqa: E402,F401
