"""Reads of the monitor.

Values per area beside Brabant, the area hierarchy, profiles, and areas across municipal
reorganisations (the areas of a year, what an area became or came from)."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from programme.core.extensions import db
from programme.core.formatting import dutch_list, percent
from programme.monitor.models import Area, AreaChange, MonitorEdition, MonitorIndicator, MonitorValue

BRABANT = "Brabant"


def published_editions() -> list[MonitorEdition]:
    """The editions whose figures count (trends, actual values, current figures), oldest first: not drafts,
    not withdrawn. The one place that leaves those out."""
    return list(db.session.scalars(select(MonitorEdition).where(MonitorEdition.status == "published")
                                   .order_by(MonitorEdition.year)))


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
    edition = db.session.scalar(select(MonitorEdition).where(MonitorEdition.status == "published")
                                .order_by(MonitorEdition.year.desc()))
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


# ---------------------------------------------------------------- areas across reorganisations

def areas_in(year: int, kind: str = "municipality") -> list[Area]:
    """The areas of `kind` that exist in `year` (the municipalities an edition of that year uses), by name."""
    return list(db.session.scalars(
        select(Area).where(Area.kind == kind, or_(Area.valid_from.is_(None), Area.valid_from <= year),
                           or_(Area.valid_to.is_(None), Area.valid_to >= year)).order_by(Area.name)))


def all_changes() -> list[AreaChange]:
    # A handful of rows for all of Brabant: one query, then walk them in memory.
    return list(db.session.scalars(select(AreaChange).options(
        joinedload(AreaChange.predecessor), joinedload(AreaChange.successor)).order_by(AreaChange.year)))


def counterparts(area: Area, year: int, changes: list[AreaChange] | None = None) -> list[tuple[Area, Decimal]]:
    """What `area` is in `year`: itself while it exists, else its successors (after) or predecessors (before),
    followed through several reorganisations, each with the share of the area it stands for.
    Haaren in 2026 -> Vught 0.429, Oisterwijk 0.286, ...; Altena in 2018 -> Aalburg, Werkendam, Woudrichem."""
    changes = all_changes() if changes is None else changes
    if area.exists_in(year):
        return [(area, Decimal(1))]
    later = area.valid_to is not None and year > area.valid_to
    steps = [c for c in changes if (c.predecessor_id if later else c.successor_id) == area.id]
    out: dict[int, tuple[Area, Decimal]] = {}
    for change in steps:
        nxt = change.successor if later else change.predecessor
        # Going back, a predecessor counts whole for a merger; going forward, by the share it received.
        share = (change.share_of_area or Decimal(1)) if later and change.kind == "split" else Decimal(1)
        for found, part in counterparts(nxt, year, changes):
            previous = out.get(found.id, (found, Decimal(0)))[1]
            out[found.id] = (found, previous + share * part)
    return sorted(out.values(), key=lambda pair: (-pair[1], pair[0].name))


def change_notes(areas: list[Area]) -> dict[int, list[str]]:
    """For each area (by id), Dutch sentences on the reorganisations it took part in, in one query:
    'Per 2019 samengevoegd tot Altena, met Werkendam en Woudrichem.', 'Sinds 2019 ontstaan uit Aalburg, …'."""
    changes = all_changes()
    wanted = {a.id for a in areas}
    notes: dict[int, list[str]] = {}
    for change in changes:
        if change.predecessor_id in wanted:
            notes.setdefault(change.predecessor_id, []).append(_became(change, changes))
        if change.successor_id in wanted:
            notes.setdefault(change.successor_id, []).append(_came_from(change, changes))
    return {key: list(dict.fromkeys(value)) for key, value in notes.items()}


def change_notes_between(area: Area, after: int, upto: int, changes: list[AreaChange]) -> list[str]:
    """Dutch sentences on the reorganisations of `area` that took effect after year `after` up to `upto`
    (between two editions), from the given changes (all_changes(): no query here)."""
    notes = []
    for change in changes:
        if after < change.year <= upto:
            if change.predecessor_id == area.id:
                notes.append(_became(change, changes))
            if change.successor_id == area.id:
                notes.append(_came_from(change, changes))
    return list(dict.fromkeys(notes))


def _became(change: AreaChange, changes: list[AreaChange]) -> str:
    old = change.predecessor
    if change.kind == "split":
        parts = sorted((c for c in changes if c.predecessor_id == old.id), key=lambda c: -(c.share_of_area or 0))
        shares = [f"{c.successor.name} ({_share(c)})" for c in parts]
        return f"Per {change.year} opgeheven en verdeeld over {dutch_list(shares)}."
    partners = [c.predecessor.name for c in changes if c.successor_id == change.successor_id
                and c.predecessor_id != old.id and c.year == change.year]
    together = f", met {dutch_list(partners)}" if partners else ""
    return f"Per {change.year} samengevoegd tot {change.successor.name}{together}."


def _came_from(change: AreaChange, changes: list[AreaChange]) -> str:
    new = change.successor
    if change.kind == "split":
        return f"Sinds {change.year} vergroot met {_share(change)} van het oppervlak van {change.predecessor.name}."
    merged = [c.predecessor.name for c in changes if c.successor_id == new.id and c.year == change.year]
    return f"Sinds {change.year} ontstaan uit {dutch_list(merged)}."


def _share(change: AreaChange) -> str:
    return percent((change.share_of_area or Decimal(0)) * 100, 0)


def indicator_values(edition_id: int, indicator_id: int) -> dict[int, Decimal]:
    """Area id -> value of one indicator in one edition, for every area that has one (one query)."""
    rows = db.session.execute(select(MonitorValue.area_id, MonitorValue.value).where(
        MonitorValue.edition_id == edition_id, MonitorValue.indicator_id == indicator_id))
    return {area_id: value for area_id, value in rows}


def value_of(edition_id: int, area_id: int, indicator_id: int) -> Decimal | None:
    """One stored value of the monitor, or None."""
    return db.session.scalar(select(MonitorValue.value).where(
        MonitorValue.edition_id == edition_id, MonitorValue.area_id == area_id,
        MonitorValue.indicator_id == indicator_id))
