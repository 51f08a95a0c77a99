"""Database work that stands whatever the request's own transaction does: one home for it.

Refusal audits, failed sign-ins, sign-in claims and rate-limit counters must be written (or read at
their latest) even when the request that causes them rolls back. `independently(work)` runs
`work(connection)` in a transaction of its own on a connection of its own and commits it.

It takes a function rather than being a `with` block so that the test suite, which runs every test
inside one transaction that is rolled back, can swap in a runner of its own (`RUNNER_KEY` in
`app.extensions`): that runner does the work on the test's connection and does it again should the
request's transaction roll back over it (see tests/isolation.py)."""
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy import Connection

from programme.core.extensions import db

T = TypeVar("T")

RUNNER_KEY = "programme.independent_runner"


def independently(work: Callable[[Connection], T]) -> T:
    """work(connection) in a transaction of its own, committed at once (rolled back on an error)."""
    runner = current_app.extensions.get(RUNNER_KEY)
    if runner is not None:
        return runner(work)
    with db.engine.begin() as conn:
        return work(conn)
