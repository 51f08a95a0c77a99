"""Trends of the monitor: per indicator and area the values and changes over the editions.

The change since the previous edition and since the first one (the baseline), better, worse or equal within
the indicator's threshold, the Brabant figure beside it, and a note where the area was reorganised between
two editions.

Everything is read in a fixed number of queries, whatever the number of indicators and areas."""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from programme.core.extensions import db
from programme.core.formatting import dutch_list, measure, number
from programme.monitor import queries
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator, MonitorValue

BETTER, WORSE, EQUAL, HIGHER, LOWER = "beter", "slechter", "gelijk", "hoger", "lager"
DIRECTION_LABELS = {BETTER: "beter", WORSE: "slechter", EQUAL: "gelijk", HIGHER: "hoger (geen richting)",
                    LOWER: "lager (geen richting)"}
# Text symbols beside the words, so that neither colour nor a symbol alone carries the meaning.
DIRECTION_SYMBOLS = {BETTER: "▲", WORSE: "▼", EQUAL: "=", HIGHER: "↑", LOWER: "↓"}
# The default threshold per unit: 1 percentage point for percentages (and 1 on an index or rank), 0.1 on a
# score (the 1-5 scales) and on the small numbers (items, hours, kilometres).
DEFAULT_THRESHOLDS = {"percent": Decimal(1), "index": Decimal(1), "rank": Decimal(1)}
DEFAULT_THRESHOLD = Decimal("0.1")
HEADLINE_RESOURCE = "resilience"  # the monitor's headline figures, shown for every initiative's areas
RULE = ("Een verandering telt als beter of slechter zodra zij minstens de drempel van de indicator is "
        "(standaard 1 procentpunt bij percentages en 0,1 bij een score of schaal van 1 tot 5; de programmamanager "
        "kan haar per indicator aanpassen). Een kleinere verandering telt als gelijk. Of hoger beter is, staat "
        "bij de indicator; waar de monitor geen richting geeft, staat er alleen hoger of lager.")


def threshold_of(indicator: MonitorIndicator) -> Decimal:
    if indicator.trend_threshold is not None:
        return indicator.trend_threshold
    return DEFAULT_THRESHOLDS.get(indicator.unit, DEFAULT_THRESHOLD)


def threshold_label(indicator: MonitorIndicator) -> str:
    value = threshold_of(indicator)
    text = f"{number(value)} procentpunt" if indicator.unit == "percent" else measure(value, indicator.unit)
    return text + ("" if indicator.trend_threshold is not None else " (standaard)")


def direction(change: Decimal | None, indicator: MonitorIndicator) -> str | None:
    """BETTER or WORSE when the change is at least the threshold, given whether higher is better; EQUAL when
    it is smaller; HIGHER or LOWER where the monitor gives no direction. None without a change."""
    if change is None:
        return None
    if abs(change) < threshold_of(indicator):
        return EQUAL
    if indicator.higher_is_better is None:
        return HIGHER if change > 0 else LOWER
    return BETTER if (change > 0) == indicator.higher_is_better else WORSE


@dataclass
class TrendPoint:
    indicator: MonitorIndicator
    edition: MonitorEdition
    value: Decimal | None
    brabant: Decimal | None
    since_previous: Decimal | None = None
    previous: MonitorEdition | None = None  # the edition the change is measured from
    since_baseline: Decimal | None = None
    brabant_since_previous: Decimal | None = None
    notes: list[str] = field(default_factory=list)  # the area's reorganisations since the previous edition

    @property
    def direction_previous(self) -> str | None:
        return direction(self.since_previous, self.indicator)

    @property
    def direction_baseline(self) -> str | None:
        return direction(self.since_baseline, self.indicator)

    @property
    def versus_brabant(self) -> Decimal | None:
        return None if self.value is None or self.brabant is None else self.value - self.brabant


@dataclass
class Trend:
    indicator: MonitorIndicator
    area: Area
    points: list[TrendPoint]  # one per edition, oldest first

    @property
    def baseline(self) -> TrendPoint | None:
        """The first edition with a value for the area."""
        return next((p for p in self.points if p.value is not None), None)

    @property
    def has_values(self) -> bool:
        return self.baseline is not None

    def at(self, edition: MonitorEdition) -> TrendPoint | None:
        return next((p for p in self.points if p.edition.id == edition.id), None)

    @property
    def notes(self) -> list[str]:
        return [note for p in self.points for note in p.notes]


def _notes(area: Area, previous_year: int | None, edition: MonitorEdition, changes, has_value: bool) -> list[str]:
    notes = []
    if not area.exists_in(edition.year):
        then = [a.name for a, _share in queries.counterparts(area, edition.year, changes)]
        word = "nog niet" if area.valid_from is not None and edition.year < area.valid_from else "niet meer"
        then_text = f"; toen: {dutch_list(then)}." if then else "."
        notes.append(f"{area.name} bestond in {edition.year} {word}{then_text}")
    if previous_year is not None:
        notes.extend(queries.change_notes_between(area, previous_year, edition.year, changes))
    if notes and has_value:
        notes.append("Vergelijk met de vorige editie met voorzichtigheid: het gebied is niet hetzelfde gebleven.")
    return notes


def trends(indicators: list[MonitorIndicator], areas: list[Area], editions: list[MonitorEdition] | None = None
           ) -> dict[tuple[int, int], Trend]:
    """(indicator id, area id) -> its trend over the editions (published editions by default), in four queries."""
    editions = queries.published_editions() if editions is None else editions
    province = queries.brabant()
    area_ids = {a.id for a in areas} | ({province.id} if province else set())
    values: dict[tuple[int, int, int], Decimal] = {}
    if indicators and editions:
        rows = db.session.execute(select(
            MonitorValue.edition_id, MonitorValue.indicator_id, MonitorValue.area_id, MonitorValue.value).where(
            MonitorValue.indicator_id.in_([i.id for i in indicators]), MonitorValue.area_id.in_(area_ids),
            MonitorValue.edition_id.in_([e.id for e in editions])))
        values = {(edition, indicator, area): value for edition, indicator, area, value in rows}
    changes = queries.all_changes()
    out = {}
    for area in areas:
        for indicator in indicators:
            points, last, first = [], None, None
            for edition in editions:
                value = values.get((edition.id, indicator.id, area.id))
                brabant = values.get((edition.id, indicator.id, province.id)) if province else None
                point = TrendPoint(indicator, edition, value, brabant,
                                   notes=_notes(area, last.edition.year if last else None, edition, changes,
                                                value is not None and last is not None))
                if value is not None:
                    if last is not None:
                        point.previous, point.since_previous = last.edition, value - last.value
                        if brabant is not None and last.brabant is not None:
                            point.brabant_since_previous = brabant - last.brabant
                    if first is not None:
                        point.since_baseline = value - first.value
                    first = first or point
                    last = point
                points.append(point)
            out[(indicator.id, area.id)] = Trend(indicator, area, points)
    return out


def trend(indicator: MonitorIndicator, area: Area, editions: list[MonitorEdition] | None = None) -> Trend:
    return trends([indicator], [area], editions)[(indicator.id, area.id)]


def headline_indicators(extra_ids: set[int] = frozenset()) -> list[MonitorIndicator]:
    """The monitor's headline indicators (resilience) and the ones with the given ids, in the monitor's order."""
    query = select(MonitorIndicator).order_by(MonitorIndicator.position, MonitorIndicator.id)
    found = db.session.scalars(query.where((MonitorIndicator.resource == HEADLINE_RESOURCE)
                                           | MonitorIndicator.id.in_(extra_ids or {0})))
    return list(found)


@dataclass
class AreaTrends:
    area: Area
    stand_ins: list[Area]  # the initiative's areas without own figures that this area's figures stand for
    editions: list[MonitorEdition]
    trends: list[Trend]


def area_trends(areas: list[Area], extra_indicator_ids: set[int] = frozenset()) -> list[AreaTrends]:
    """For an initiative's areas: per area (or the nearest enclosing area with figures, once) the trends of the
    headline indicators and of the linked ones, only those with at least one value."""
    editions = queries.published_editions()
    indicators = headline_indicators(extra_indicator_ids)
    own = [a for a in areas if a.kind != "province"]
    candidates = {a.id: a for area in own for a in [area, *area.ancestors()] if a.kind != "province"}
    found = trends(indicators, list(candidates.values()), editions)
    with_values = {area_id for (_ind, area_id), t in found.items() if t.has_values}
    out: dict[int, AreaTrends] = {}
    for area in own:
        shown = next((a for a in [area, *area.ancestors()] if a.id in with_values), None)
        if shown is None:
            continue
        if shown.id not in out:
            out[shown.id] = AreaTrends(shown, [], editions, [found[(i.id, shown.id)] for i in indicators
                                                            if found[(i.id, shown.id)].has_values])
        if shown.id != area.id:
            out[shown.id].stand_ins.append(area)
    return list(out.values())
