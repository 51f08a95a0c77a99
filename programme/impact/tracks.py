"""An impact indicator over time, and its status against its target.

Its baseline, targets per period, actual values from the monitor (context) and from the owners' updates
(contribution), and the Brabant line.

Monitor values are read, never copied: an indicator linked to a monitor indicator and an area takes every
later published edition's value for that area at read time. A stored copy would go stale the moment an
edition is imported, corrected or withdrawn; read this way, the chart, the table and the status always
show what the monitor holds now. Everything is read in a fixed number of queries for any number of
indicators."""
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from programme.core.extensions import db
from programme.core.formatting import dutch_date
from programme.monitor import queries as monitor_queries
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator, MonitorValue
from programme.impact.models import ImpactIndicator, ImpactMeasurement, ImpactTarget

CONTEXT, CONTRIBUTION = "monitor", "bijdrage"
KIND_LABELS = {CONTEXT: "Contextmeting (monitor)", CONTRIBUTION: "Bijdragemeting (voortgangsbericht)"}
ON_TRACK, BEHIND, NO_DATA = "op_koers", "achter", "geen_gegevens"
STATUS_LABELS = {ON_TRACK: "Op koers", BEHIND: "Achter", NO_DATA: "Geen gegevens"}
STATUS_RULE = (
    "De status vergelijkt de nieuwste gemeten waarde (uit de monitor of uit een goedgekeurd voortgangsbericht; "
    "de meting met de laatste datum telt) met de streefwaarde van die periode, of anders de eerstvolgende "
    "streefwaarde daarna, of anders de laatste. Op koers: de streefwaarde is gehaald, of de waarde ligt op of "
    "voorbij de rechte lijn van de nulmeting naar de streefwaarde op het moment van de meting. Is het moment "
    "van de nulmeting onbekend (een nulmeting die niet uit de monitor komt), dan is zij op koers als zij sinds "
    "de nulmeting de goede kant op is gegaan. Achter: anders. Geen gegevens: er is geen nulmeting of "
    "streefwaarde als getal, of nog geen meting na de nulmeting.")

_PERIOD = re.compile(r"^(?P<first>\d{4})(?:-K(?P<quarter>[1-4])|[/-](?P<last>\d{4}))?$")


def period_end(label: str) -> float | None:
    """The moment a target period ends, in years: '2019' -> 2020.0, '2026-K2' -> 2026.5, '2018/2019' -> 2020.0."""
    match = _PERIOD.match(label or "")
    if match is None:
        return None
    if match["quarter"]:
        return int(match["first"]) + int(match["quarter"]) / 4
    return int(match["last"] or match["first"]) + 1.0


def edition_moment(year: int) -> float:
    """A monitor edition measures during its year: placed in the middle of it."""
    return year + 0.5


def date_moment(day: date) -> float:
    return day.year + (day.timetuple().tm_yday - 1) / 365.25


@dataclass
class Point:
    moment: float  # in years, for ordering and for the chart's time axis
    label: str  # when, as a reader says it: '2020', '12 maart 2019', '2019 (streefwaarde)'
    value: Decimal
    kind: str  # CONTEXT | CONTRIBUTION | 'nulmeting' | 'streefwaarde' | 'brabant'
    source: str = ""
    is_example: bool = False

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass
class IndicatorTrack:
    indicator: ImpactIndicator
    monitor_indicator: MonitorIndicator | None
    area: Area | None
    baseline: Point | None  # moment 0.0 when unknown (not from the monitor)
    targets: list[Point] = field(default_factory=list)
    text_targets: list[ImpactTarget] = field(default_factory=list)
    context: list[Point] = field(default_factory=list)  # later editions of the monitor, for the linked area
    contributions: list[Point] = field(default_factory=list)  # owners' values from approved updates
    brabant: list[Point] = field(default_factory=list)

    @property
    def is_linked(self) -> bool:
        return self.monitor_indicator is not None and self.area is not None

    @property
    def actuals(self) -> list[Point]:
        return sorted(self.context + self.contributions, key=lambda p: (p.moment, p.kind))

    @property
    def latest(self) -> Point | None:
        actuals = self.actuals
        return actuals[-1] if actuals else None

    @property
    def target(self) -> Point | None:
        """The target the latest value is held against: the one of its period, else the next, else the last."""
        latest = self.latest
        if not self.targets or latest is None:
            return self.targets[0] if self.targets else None
        return next((t for t in self.targets if t.moment >= latest.moment), self.targets[-1])

    @property
    def status(self) -> str:
        return status_of(self.baseline, self.target, self.latest, self.indicator.higher_is_better)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def status_of(baseline: Point | None, target: Point | None, latest: Point | None, higher_is_better: bool) -> str:
    """The rule in STATUS_RULE (shown on screen)."""
    if baseline is None or target is None or latest is None:
        return NO_DATA
    sign = 1 if higher_is_better else -1
    if sign * (latest.value - target.value) >= 0:
        return ON_TRACK
    if baseline.moment and target.moment > baseline.moment:
        share = min(max((latest.moment - baseline.moment) / (target.moment - baseline.moment), 0.0), 1.0)
        expected = baseline.value + (target.value - baseline.value) * Decimal(str(round(share, 6)))
        return ON_TRACK if sign * (latest.value - expected) >= 0 else BEHIND
    return ON_TRACK if sign * (latest.value - baseline.value) > 0 else BEHIND


def _by_id(model, ids) -> dict:
    ids = {i for i in ids if i is not None}
    return {obj.id: obj for obj in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}


def tracks_for(indicators: list[ImpactIndicator], until: date | None = None) -> dict[int, IndicatorTrack]:
    """Indicator id -> its track, in seven queries whatever the number of indicators; with `until` (a report's
    reference date) only the measurements and editions up to that day."""
    ids = [i.id for i in indicators]
    editions = [e for e in monitor_queries.published_editions() if until is None or e.year <= until.year]
    published = {e.id: e for e in editions}
    monitor_indicators = _by_id(MonitorIndicator, [i.monitor_indicator_id for i in indicators])
    areas = _by_id(Area, [i.baseline_area_id for i in indicators])
    province = monitor_queries.brabant()
    wanted_areas = set(areas) | ({province.id} if province else set())
    values: dict[tuple[int, int], list[tuple[MonitorEdition, Decimal]]] = {}
    if monitor_indicators and editions:
        rows = db.session.execute(select(MonitorValue.indicator_id, MonitorValue.area_id, MonitorValue.edition_id,
                                         MonitorValue.value).where(
            MonitorValue.indicator_id.in_(list(monitor_indicators)), MonitorValue.area_id.in_(wanted_areas),
            MonitorValue.edition_id.in_(list(published))))
        for indicator_id, area_id, edition_id, value in rows:
            values.setdefault((indicator_id, area_id), []).append((published[edition_id], value))
    targets: dict[int, list[ImpactTarget]] = {}
    for target in db.session.scalars(select(ImpactTarget).where(ImpactTarget.indicator_id.in_(ids or [0]))):
        targets.setdefault(target.indicator_id, []).append(target)
    measurements: dict[int, list[ImpactMeasurement]] = {}
    measured = select(ImpactMeasurement).where(ImpactMeasurement.indicator_id.in_(ids or [0]))
    if until is not None:
        measured = measured.where(ImpactMeasurement.measured_on <= until)
    for measurement in db.session.scalars(measured.order_by(ImpactMeasurement.measured_on, ImpactMeasurement.id)):
        measurements.setdefault(measurement.indicator_id, []).append(measurement)
    return {indicator.id: _track(indicator, monitor_indicators, areas, province, values, editions,
                                 targets.get(indicator.id, []), measurements.get(indicator.id, []))
            for indicator in indicators}


def track_of(indicator: ImpactIndicator) -> IndicatorTrack:
    return tracks_for([indicator])[indicator.id]


def _track(indicator, monitor_indicators, areas, province, values, editions, targets, measurements) -> IndicatorTrack:
    linked = monitor_indicators.get(indicator.monitor_indicator_id)
    area = areas.get(indicator.baseline_area_id) if linked else None
    edition = next((e for e in editions if e.id == indicator.baseline_edition_id), None)
    track = IndicatorTrack(indicator, linked, area, None)
    if linked is not None and area is not None and edition is not None:
        series = sorted(values.get((linked.id, area.id), []), key=lambda pair: pair[0].year)
        own = dict((e.id, v) for e, v in series)
        value = own.get(edition.id, indicator.baseline_value)
        if value is not None:
            track.baseline = Point(edition_moment(edition.year), str(edition.year), value, "nulmeting",
                                   f"{edition.name}, {area.name}")
        track.context = [Point(edition_moment(e.year), str(e.year), v, CONTEXT, f"{e.name}, {area.name}")
                         for e, v in series if e.year > edition.year]
    elif indicator.baseline_value is not None:
        track.baseline = Point(0.0, "nulmeting", indicator.baseline_value, "nulmeting", indicator.baseline_text or "")
    if linked is not None and province is not None:
        track.brabant = [Point(edition_moment(e.year), str(e.year), v, "brabant", e.name)
                         for e, v in sorted(values.get((linked.id, province.id), []), key=lambda pair: pair[0].year)]
    numeric = [t for t in targets if t.target_value is not None and period_end(t.period_label) is not None]
    track.targets = sorted((Point(period_end(t.period_label), t.period_label, t.target_value, "streefwaarde",
                                  t.target_text or "") for t in numeric), key=lambda p: p.moment)
    track.text_targets = sorted((t for t in targets if t not in numeric), key=lambda t: t.period_label)
    track.contributions = [Point(date_moment(m.measured_on), dutch_date(m.measured_on), m.value, CONTRIBUTION,
                                 m.source_text or "", m.is_example) for m in measurements]
    return track
