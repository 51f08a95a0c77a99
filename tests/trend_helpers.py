"""A later monitor edition for tests of trends and monitor-linked indicators, committed and removed again."""
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import delete, select

from programme.core.extensions import db as _db
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator, MonitorValue


def area(name: str) -> Area:
    return _db.session.scalar(select(Area).where(Area.name == name))


def monitor_indicator(code: str) -> MonitorIndicator:
    return _db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == code))


def stored(year: int, area_name: str, code: str) -> Decimal | None:
    return _db.session.scalar(select(MonitorValue.value).join(MonitorEdition).where(
        MonitorEdition.year == year, MonitorValue.area_id == area(area_name).id,
        MonitorValue.indicator_id == monitor_indicator(code).id))


@contextmanager
def later_edition(app, year: int, values: dict[tuple[str, str], str]):
    """A committed edition of `year` with (area name, indicator code) -> value, withdrawn again when the
    block ends (tests read what a withdrawn edition leaves)."""
    with app.app_context():
        edition = MonitorEdition(year=year, name=f"Testeditie {year} (voorbeeld, geen echte meting)", publisher="test")
        _db.session.add(edition)
        _db.session.flush()
        for (area_name, code), value in values.items():
            _db.session.add(MonitorValue(edition_id=edition.id, area_id=area(area_name).id,
                                         indicator_id=monitor_indicator(code).id, value=Decimal(value)))
        _db.session.commit()
        edition_id = edition.id
    try:
        yield edition_id
    finally:
        with app.app_context():
            _db.session.rollback()
            _db.session.execute(delete(MonitorValue).where(MonitorValue.edition_id == edition_id))
            _db.session.execute(delete(MonitorEdition).where(MonitorEdition.id == edition_id))
            _db.session.commit()
