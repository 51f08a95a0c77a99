"""Accounts: users, roles, sign-in and sign-out."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from programme.accounts import views  # noqa: E402,F401
