"""Queries over the monitor: values per area beside Brabant, area hierarchy, profiles."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from programme.core.extensions import db
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator, MonitorValue

BRABANT = "Brabant"


def brabant() -> Area | None:
    return db.session.scalar(select(Area).where(Area.kind == "province"))


def descendant_ids(area: Area) -> set[int]:
    ids, stack = set(), [area]
    while stack:
        node = stack.pop()
        ids.add(node.id)
        stack.extend(node.children)
    return ids


def values_for(edition: MonitorEdition, area_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """(indicator id, area id) -> value."""
    rows = db.session.execute(select(MonitorValue.indicator_id, MonitorValue.area_id, MonitorValue.value)
                              .where(MonitorValue.edition_id == edition.id, MonitorValue.area_id.in_(area_ids)))
    return {(ind, area): value for ind, area, value in rows}


@dataclass
class IndicatorRow:
    indicator: MonitorIndicator
    values: list[Decimal | None]  # one per column area
    brabant: Decimal | None

    def difference(self, index: int) -> Decimal | None:
        value = self.values[index]
        if value is None or self.brabant is None:
            return None
        return value - self.brabant

    def judgement(self, index: int) -> str | None:
        """'beter', 'slechter' or 'gelijk' than Brabant, where the direction is known."""
        diff = self.difference(index)
        if diff is None or self.indicator.higher_is_better is None:
            return None
        if diff == 0:
            return "gelijk"
        return "beter" if (diff > 0) == self.indicator.higher_is_better else "slechter"


def monitor_table(edition: MonitorEdition, columns: list[Area]) -> list[tuple[str, list[IndicatorRow]]]:
    """Indicators grouped by resource, with a value per column area and the Brabant figure."""
    province = brabant()
    area_ids = [a.id for a in columns] + ([province.id] if province else [])
    values = values_for(edition, area_ids)
    indicators = db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position)).all()
    groups: dict[str, list[IndicatorRow]] = {}
    for indicator in indicators:
        row = IndicatorRow(indicator, [values.get((indicator.id, a.id)) for a in columns],
                           values.get((indicator.id, province.id)) if province else None)
        if any(v is not None for v in row.values) or (row.brabant is not None):
            groups.setdefault(indicator.resource_label, []).append(row)
    return list(groups.items())


@dataclass
class AreaProfile:
    shown_area: Area  # the area whose figures these are
    areas: list[Area]  # the initiative's areas they stand for: the area itself, or areas without own figures
    edition: MonitorEdition
    rows: list[IndicatorRow]

    @property
    def stand_ins(self) -> list[Area]:
        """The initiative's areas that have no figures of their own and are shown by this area's."""
        return [a for a in self.areas if a != self.shown_area]


def area_profiles(areas: list[Area]) -> list[AreaProfile]:
    """For an initiative's areas: the newest monitor figures of each area (or of the nearest enclosing area
    that has figures), each beside the Brabant figure; one profile per distinct area shown, so two
    municipalities in one region, or a region and its municipality, never repeat the same table."""
    edition = db.session.scalar(select(MonitorEdition).order_by(MonitorEdition.year.desc()))
    province = brabant()
    if edition is None or province is None:
        return []
    indicators = db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position)).all()
    profiles: dict[int, AreaProfile] = {}
    for area in areas:
        if area.kind == "province":
            continue
        for candidate in [area, *area.ancestors()]:
            if candidate.kind == "province":
                break
            if candidate.id in profiles:
                profiles[candidate.id].areas.append(area)
                break
            values = values_for(edition, [candidate.id, province.id])
            rows = [IndicatorRow(ind, [values[(ind.id, candidate.id)]], values.get((ind.id, province.id)))
                    for ind in indicators if (ind.id, candidate.id) in values]
            if rows:
                profiles[candidate.id] = AreaProfile(candidate, [area], edition, rows)
                break
    return list(profiles.values())
