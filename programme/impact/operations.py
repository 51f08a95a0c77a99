"""Impact writes: the manager's indicators and their targets per period.

The manager creates and edits indicators of an initiative or of the programme, with their baseline
and targets per period. An indicator linked to a monitor indicator and an area takes its baseline from the
chosen edition of the monitor (impact/tracks.py reads its later editions as actual values).
Indicators are archived, never deleted; a target may be removed only while
its indicator has no measured values."""
import uuid

from sqlalchemy import func, select

from programme.core import audit
from programme.core.extensions import db
from programme.impact.models import ImpactIndicator, ImpactTarget
from programme.impact.queries import has_measurements
from programme.initiatives.models import Initiative
from programme.core.editing import apply_changes, archive_or_restore, check_version, is_taken, values_of
from programme.core.operations import RuleError
from programme.monitor import queries as monitor_queries
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator

INDICATOR_FIELDS = ("name", "description", "unit", "higher_is_better", "monitor_indicator_id", "baseline_value",
                    "baseline_text", "baseline_edition_id", "baseline_area_id")
TARGET_FIELDS = ("period_label", "target_value", "target_text")
HAS_MEASUREMENTS = ("Deze indicator heeft meetwaarden; haar streefwaarden horen bij die geschiedenis en worden "
                    "niet verwijderd. Pas de streefwaarde zo nodig aan.")
PERIOD_TAKEN = "Deze indicator heeft al een streefwaarde voor deze periode; pas die aan."
LINK_NEEDS = {"baseline_edition_id": "Kies de editie van de monitor waaruit de nulmeting komt.",
              "baseline_area_id": "Kies het gebied waarvoor de monitor de nulmeting geeft."}


def _clean(data: dict, names) -> dict:
    """Empty text becomes None; the rest as the form gave it."""
    return {name: (data.get(name) if data.get(name) != "" else None) for name in names}


def _values(data: dict) -> dict:
    """The indicator's fields from the form; linked to the monitor, the baseline comes from the monitor."""
    values = _clean(data, INDICATOR_FIELDS)
    values["higher_is_better"] = bool(values["higher_is_better"])
    if values["monitor_indicator_id"] is not None:
        _fill_from_monitor(values)
    return values


def _fill_from_monitor(values: dict) -> None:
    """A monitor-linked indicator takes its baseline (value and source), unit and direction from the chosen
    edition and area of the monitor; typed baseline values do not count. RuleError when the monitor has
    no value there."""
    missing = [(name, message) for name, message in LINK_NEEDS.items() if values[name] is None]
    if missing:
        raise RuleError(*missing[0], more=missing[1:])
    linked = db.session.get(MonitorIndicator, values["monitor_indicator_id"])
    edition = db.session.get(MonitorEdition, values["baseline_edition_id"])
    area = db.session.get(Area, values["baseline_area_id"])
    if linked is None or edition is None or area is None:
        raise RuleError("monitor_indicator_id", "Kies een bestaande monitorindicator, editie en gebied.")
    value = monitor_queries.value_of(edition.id, area.id, linked.id)
    if value is None:
        raise RuleError("baseline_area_id", f"De {edition.name} geeft geen waarde voor ‘{linked.name}’ in "
                                            f"{area.name}. Kies een ander gebied of een andere editie.")
    values.update(baseline_value=value, baseline_text=f"{edition.name}: {linked.name}, {area.name}",
                  unit=linked.unit)
    if linked.higher_is_better is not None:
        values["higher_is_better"] = linked.higher_is_better


def create_indicator(initiative: Initiative | None, data: dict) -> ImpactIndicator:
    values = _values(data)
    initiative_id = initiative.id if initiative else None
    same_owner = (ImpactIndicator.initiative_id.is_(None) if initiative is None
                  else ImpactIndicator.initiative_id == initiative_id)
    position = db.session.scalar(select(func.coalesce(func.max(ImpactIndicator.position), -1)).where(same_owner)) + 1
    # The code is the natural key of seeded indicators; the manager's get a unique one.
    code = f"{initiative.number if initiative else 'programma'}-{uuid.uuid4().hex[:10]}"
    indicator = ImpactIndicator(code=code, initiative_id=initiative_id, position=position, **values)
    db.session.add(indicator)
    db.session.flush()
    audit.record("impact_indicator.create", indicator, new={
        "initiative": str(initiative) if initiative else "programma", **values_of(indicator, INDICATOR_FIELDS)},
        initiative_id=initiative_id)
    return indicator


def update_indicator(indicator: ImpactIndicator, data: dict, *, expected_version: int) -> bool:
    """EditConflict when the form was loaded from an older version; a concurrent save between
    this check and the flush raises StaleDataError at the flush."""
    check_version(indicator, expected_version)
    values = _values(data)
    return apply_changes(indicator, "impact_indicator.update", values, initiative_id=indicator.initiative_id)


def set_indicator_archived(indicator: ImpactIndicator, archived: bool) -> None:
    """Archived indicators leave the owners' progress forms; their values and targets stay."""
    archive_or_restore(indicator, archived, "impact_indicator", initiative_id=indicator.initiative_id)


def add_target(indicator: ImpactIndicator, data: dict) -> ImpactTarget:
    values = _clean(data, TARGET_FIELDS)
    if is_taken(ImpactTarget, indicator_id=indicator.id, period_label=values["period_label"]):
        raise RuleError("period_label", PERIOD_TAKEN)
    target = ImpactTarget(indicator=indicator, **values)
    db.session.add(target)
    db.session.flush()
    audit.record("impact_target.create", target, new=values_of(target, TARGET_FIELDS),
                 initiative_id=indicator.initiative_id)
    return target


def update_target(target: ImpactTarget, data: dict, *, expected_version: int) -> bool:
    check_version(target, expected_version)
    values = _clean(data, TARGET_FIELDS)
    if is_taken(ImpactTarget, indicator_id=target.indicator_id, period_label=values["period_label"],
                other_than=target.id):
        raise RuleError("period_label", PERIOD_TAKEN)
    return apply_changes(target, "impact_target.update", values, initiative_id=target.indicator.initiative_id)


def remove_target(target: ImpactTarget, *, expected_version: int) -> None:
    """RuleError when the indicator has measured values (the target is part of that history)."""
    check_version(target, expected_version)
    if has_measurements(target.indicator):
        raise RuleError(None, HAS_MEASUREMENTS, refused=("impact_target.delete", target))
    audit.record("impact_target.delete", target, old=values_of(target, TARGET_FIELDS),
                 initiative_id=target.indicator.initiative_id)
    db.session.delete(target)
    db.session.flush()
