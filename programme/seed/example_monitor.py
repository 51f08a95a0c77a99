"""The example monitor edition for demonstrations (`flask example-monitor`).

A FICTIONAL edition 2022, marked "voorbeeld, geen echte meting" wherever it shows, imported through
the same import operation as a manager's file. Never loaded by `flask seed`; removed again with
`flask example-monitor --remove`."""
from pathlib import Path

from sqlalchemy import delete, select

from programme.accounts.models import User
from programme.core import permissions
from programme.core.extensions import db
from programme.monitor import operations as ops
from programme.monitor.imports import plan_file, sha256
from programme.monitor.models import MonitorEdition, MonitorImport, MonitorValue
from programme.seed.example import refuse_in_production
from programme.seed.history import ExampleDataRefused

FILE = Path(__file__).parent / "data" / "example" / "monitor-2022-voorbeeld.csv"
YEAR = 2022
NAME = "Monitor Sociale Veerkracht 2022"


def _manager() -> User:
    manager = db.session.scalar(select(User).where(permissions.users_with_role(User, permissions.MANAGER))
                                .order_by(User.id))
    if manager is None:
        raise ExampleDataRefused("Er is nog geen programmamanager: maak eerst een account (flask demo-accounts).")
    return manager


def load_example_monitor() -> MonitorImport | None:
    """Import and publish the example edition; None when it is there already."""
    refuse_in_production()
    existing = db.session.scalar(select(MonitorEdition).where(MonitorEdition.year == YEAR))
    if existing is not None:
        if existing.is_example:
            return None
        raise ExampleDataRefused(f"Er is al een echte editie {YEAR}; het voorbeeld is niet geladen.")
    manager = _manager()
    data = FILE.read_bytes()
    plan = plan_file(data, FILE.name, YEAR, "wide")
    if plan.problems:
        raise ExampleDataRefused("Het voorbeeldbestand heeft problemen: "
                                 + "; ".join(f"{p.where}: {p.message}" for p in plan.problems[:5]))
    try:
        record = ops.import_values(plan, actor=manager, file_sha256=sha256(data), edition_name=NAME, is_example=True)
        ops.set_status(record.edition, "published", actor=manager)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return record


def remove_example_monitor() -> int:
    """Delete the example edition with its values and imports (the audit trail keeps that it existed)."""
    refuse_in_production()
    editions = db.session.scalars(select(MonitorEdition).where(MonitorEdition.is_example)).all()
    count = 0
    for edition in editions:
        count += db.session.execute(delete(MonitorValue).where(MonitorValue.edition_id == edition.id)).rowcount
        db.session.execute(delete(MonitorImport).where(MonitorImport.edition_id == edition.id))
        db.session.delete(edition)
    db.session.commit()
    return count
