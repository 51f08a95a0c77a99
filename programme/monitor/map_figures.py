"""The monitor's map of one indicator in one edition, with the rows of the table beside it.

One function for the map page and for any page that shows the map (an initiative's): the values, the level
(per municipality as they were in the edition's year, or per COROP region), an optional outline, the drawing
(monitor/maps.py), and per area its value, class, reorganisation notes and why it is outlined."""
from dataclasses import dataclass
from decimal import Decimal

from programme.monitor import geo, maps, queries
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator
from programme.monitor.overlays import Outline

# The URL's word for a level -> (Area.kind and boundary level, the Dutch noun for one area).
LEVELS = {"gemeente": ("municipality", "gemeente"), "corop": ("corop", "COROP-regio")}


@dataclass(frozen=True)
class MapRow:
    area: Area
    value: Decimal | None
    klass: str  # the legend's class, or 'gearceerd'
    notes: list[str]  # reorganisations the area took part in
    outlined: list[str]  # why the area is outlined; empty: it is not


@dataclass(frozen=True)
class MapFigure:
    edition: MonitorEdition
    indicator: MonitorIndicator
    level: str  # a key of LEVELS
    title: str
    map: maps.Map
    rows: list[MapRow]
    attribution: str
    brabant: Decimal | None
    outline: Outline | None

    @property
    def noun(self) -> str:
        return LEVELS[self.level][1]

    @property
    def known(self) -> list[MapRow]:
        return [row for row in self.rows if row.value is not None]

    @property
    def outlined(self) -> list[MapRow]:
        return [row for row in self.rows if row.outlined]


def default_level(edition: MonitorEdition, values: dict[int, Decimal]) -> str:
    """Where the monitor has figures: per municipality, else per COROP region."""
    return "gemeente" if any(a.id in values for a in queries.areas_in(edition.year, "municipality")) else "corop"


def map_figure(edition: MonitorEdition, indicator: MonitorIndicator, level: str | None = None, *,
               outline_of=None, element_id: str = "kaart") -> MapFigure:
    """The map and its table. `level` not in LEVELS: where the monitor has figures. `outline_of(year, kind)`
    returns the Outline to draw (or None)."""
    values = queries.indicator_values(edition.id, indicator.id)
    if level not in LEVELS:
        level = default_level(edition, values)
    kind, noun = LEVELS[level]
    areas = queries.areas_in(edition.year, kind)
    outline = outline_of(edition.year, kind) if outline_of else None
    reasons = outline.reasons if outline else {}
    title = f"{indicator.name}, per {noun}, {edition.label}"
    shapes = geo.shapes(kind, edition.year)
    drawn = maps.choropleth(shapes, {a.cbs_code: values.get(a.id) for a in areas}, title=title, unit=indicator.unit,
                            level=kind, names={a.cbs_code: a.name for a in areas},
                            outline=set(reasons), outline_label=outline.label if outline else "Omlijnd",
                            element_id=element_id)
    notes = queries.change_notes(areas)
    rows = [MapRow(area, value, "gearceerd" if value is None else drawn.legend.label_of(value),
                   notes.get(area.id, []), list(reasons.get(area.cbs_code, [])))
            for area in areas for value in [values.get(area.id)]]
    province = queries.brabant()
    return MapFigure(edition, indicator, level, title, drawn, rows, geo.attribution(shapes),
                     values.get(province.id) if province else None, outline)
