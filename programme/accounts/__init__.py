"""Accounts: users, roles, sign-in and sign-out, and their management by the programme manager."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from programme.accounts import admin, second_factor, views  # noqa: E402,F401
