"""Reading impact indicators: loaders for the manager's screens and whether an indicator has measured values."""
from sqlalchemy import select

from programme.core.edit_pages import part_or_404
from programme.core.extensions import db
from programme.impact.models import ImpactIndicator, ImpactMeasurement, ImpactTarget


def get_indicator(indicator_id: int) -> ImpactIndicator:
    return db.get_or_404(ImpactIndicator, indicator_id)


def get_visible_indicator(indicator_id: int) -> ImpactIndicator:
    """An indicator this user may read: a programme indicator, or one of an initiative they may read; 404 else."""
    from programme.initiatives.queries import get_initiative

    indicator = get_indicator(indicator_id)
    if indicator.initiative_id is not None:
        get_initiative(indicator.initiative_id)
    return indicator


def get_target(indicator_id: int, target_id: int) -> ImpactTarget:
    """A target of this indicator; 404 for one of another indicator (a forged id in the URL)."""
    return part_or_404(ImpactTarget, target_id, indicator_id=get_indicator(indicator_id).id)


def has_measurements(indicator: ImpactIndicator) -> bool:
    return db.session.scalar(select(ImpactMeasurement.id).where(
        ImpactMeasurement.indicator_id == indicator.id).limit(1)) is not None


def indicators_by_owner() -> dict[int | None, list[ImpactIndicator]]:
    """Initiative id (None: the programme) -> its indicators, in their order."""
    groups: dict[int | None, list[ImpactIndicator]] = {}
    for indicator in db.session.scalars(select(ImpactIndicator).order_by(ImpactIndicator.position,
                                                                         ImpactIndicator.id)):
        groups.setdefault(indicator.initiative_id, []).append(indicator)
    return groups
