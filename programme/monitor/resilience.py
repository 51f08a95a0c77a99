"""Resilience over the editions: resilient, partly and not resilient per area, its map and its charts.

Level (a) of the programme's question, the autonomous development of social resilience in Brabant: for Brabant,
the COROP regions, and the areas the horizon goal names (the mid-size municipalities and West-Brabant). The
same figures feed the Impact page and the GS/PS report: the map is monitor/maps.choropleth, the charts are
SVG with a text alternative, and every caller shows the figures in a table as well."""
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import escape
from sqlalchemy import select

from programme.core.extensions import db
from programme.core.formatting import dutch_list, percent
from programme.core import svg
from programme.core.svg import INK, Chart
from programme.monitor import geo, maps, queries, trends
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator

YES, PARTLY, NOT = "resilience_yes", "resilience_partly", "resilience_not"
CODES = (YES, PARTLY, NOT)
LABELS = {YES: "veerkrachtig", PARTLY: "deels veerkrachtig", NOT: "niet veerkrachtig"}
# Dark to light blue, each a step apart; the value is written in every segment and the table repeats it.
COLOURS = {YES: "#08519c", PARTLY: "#6baed6", NOT: "#deebf7"}
TEXT_ON = {YES: "#ffffff", PARTLY: "#1a1a1a", NOT: "#1a1a1a"}
HORIZON_NOTE = ("De horizon voor 2019 (Uitvoeringsagenda, voorwoord): een toename van sociale veerkracht in de "
                "monitor, met name in de middelgrote gemeenten (M7) en in West-Brabant.")


@dataclass
class Share:
    """One area in one edition: the shares resilient, partly and not resilient (None where not given)."""
    area: Area
    edition: MonitorEdition
    values: dict[str, Decimal | None]
    change: Decimal | None = None  # resilient: change since the previous edition with a value
    direction: str | None = None  # trends.BETTER | WORSE | EQUAL

    @property
    def resilient(self) -> Decimal | None:
        return self.values.get(YES)

    @property
    def has_values(self) -> bool:
        return any(v is not None for v in self.values.values())

    @property
    def direction_label(self) -> str:
        return trends.DIRECTION_LABELS.get(self.direction, "–") if self.direction else "–"


@dataclass
class AreaSeries:
    area: Area
    shares: list[Share] = field(default_factory=list)  # one per edition, oldest first

    def at(self, edition: MonitorEdition) -> Share | None:
        return next((s for s in self.shares if s.edition.id == edition.id), None)

    @property
    def latest(self) -> Share | None:
        return next((s for s in reversed(self.shares) if s.resilient is not None), None)


@dataclass
class Resilience:
    editions: list[MonitorEdition]  # the published editions that measure resilience this way, oldest first
    other_editions: list[MonitorEdition]  # published editions that measured it otherwise (2016)
    brabant: AreaSeries | None
    regions: list[AreaSeries]
    horizon: list[AreaSeries]  # M7 municipalities and West-Brabant

    @property
    def latest(self) -> MonitorEdition | None:
        return self.editions[-1] if self.editions else None


def _indicators() -> dict[str, MonitorIndicator]:
    return {i.code: i for i in db.session.scalars(select(MonitorIndicator).where(MonitorIndicator.code.in_(CODES)))}


def horizon_areas() -> list[Area]:
    """The areas the horizon goal names: the mid-size municipalities (M7) and West-Brabant."""
    m7 = (Area.kind == "municipality") & (Area.group == "M7")
    west = (Area.kind == "corop") & (Area.name == "West-Brabant")
    areas = db.session.scalars(select(Area).where(m7 | west).order_by(Area.position, Area.name)).all()
    return sorted(areas, key=lambda a: (a.kind != "corop", a.name))


def resilience(editions: list[MonitorEdition] | None = None) -> Resilience:
    """Resilience for Brabant, the COROP regions and the horizon areas over the published editions (or the
    given ones), in a fixed number of queries."""
    editions = queries.published_editions() if editions is None else editions
    indicators = _indicators()
    province = queries.brabant()
    regions = list(db.session.scalars(select(Area).where(Area.kind == "corop").order_by(Area.position)))
    horizon = horizon_areas()
    areas = {a.id: a for a in [*([province] if province else []), *regions, *horizon]}
    found = trends.trends(list(indicators.values()), list(areas.values()), editions) if indicators else {}
    measured = {p.edition.id for t in found.values() for p in t.points if p.value is not None}
    kept = [e for e in editions if e.id in measured]

    def series(area: Area) -> AreaSeries:
        out = AreaSeries(area)
        for edition in kept:
            values, change, direction = {}, None, None
            for code in CODES:
                indicator = indicators.get(code)
                point = found[(indicator.id, area.id)].at(edition) if indicator else None
                values[code] = point.value if point else None
                if code == YES and point is not None:
                    change, direction = point.since_previous, point.direction_previous
            out.shares.append(Share(area, edition, values, change, direction))
        return out

    return Resilience(kept, [e for e in editions if e.id not in measured],
                      series(province) if province else None, [series(r) for r in regions],
                      [series(a) for a in horizon])


# ---------------------------------------------------------------- the map

def region_map(data: Resilience, edition: MonitorEdition | None = None, element_id: str = "veerkracht-kaart"
               ) -> maps.Map | None:
    """Share resilient per COROP region in an edition (default the newest), as a choropleth."""
    edition = edition or data.latest
    if edition is None:
        return None
    values = {s.area.cbs_code: (s.at(edition).resilient if s.at(edition) else None) for s in data.regions}
    shapes = geo.shapes("corop", edition.year)
    return maps.choropleth(shapes, values, title=f"Aandeel veerkrachtige inwoners per COROP-regio, {edition.label}",
                           unit="percent", level="corop", names={s.area.cbs_code: s.area.name for s in data.regions},
                           element_id=element_id)


# ---------------------------------------------------------------- charts

def _segments(values: dict[str, Decimal | None], y: float, x0: float, width: float, height: float) -> list[str]:
    out, x = [], x0
    for code in CODES:
        value = values.get(code)
        if value is None:
            continue
        w = width * float(value) / 100
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{height}" fill="{COLOURS[code]}" '
                   f'stroke="{INK}" stroke-width="0.6"><title>{escape(LABELS[code])}: {percent(value)}</title></rect>')
        if w >= 34:
            out.append(f'<text x="{x + w / 2:.1f}" y="{y + height / 2 + 4:.1f}" text-anchor="middle" '
                       f'fill="{TEXT_ON[code]}">{percent(value, 0)}</text>')
        x += w
    return out


def shares_chart(rows: list[tuple[str, dict[str, Decimal | None]]], title: str, element_id: str) -> Chart | None:
    """Stacked bars, one per (label, values): resilient, partly and not resilient, each value written in its
    segment (colour never alone), a legend, and the figures in the text alternative."""
    rows = [(label, values) for label, values in rows if any(v is not None for v in values.values())]
    if not rows:
        return None
    width, label_w, bar_w, row_h, bar_h = 640, 190, 420, 30, 20
    body = []
    for index, (label, values) in enumerate(rows):
        y = 10 + index * row_h
        body.append(f'<text x="{label_w - 8}" y="{y + bar_h / 2 + 4:.1f}" text-anchor="end">{escape(label)}</text>')
        body.extend(_segments(values, y, label_w, bar_w, bar_h))
    legend_y = 16 + len(rows) * row_h
    body += svg.legend([(COLOURS[code], LABELS[code]) for code in CODES], label_w, legend_y, 150)
    height = legend_y + 26
    parts = []
    for label, values in rows:
        known = [f"{percent(values[c], 0)} {LABELS[c]}" for c in CODES if values.get(c) is not None]
        parts.append(f"{label}: {', '.join(known)}")
    alt = f"{title}. " + "; ".join(parts) + "."
    return Chart(svg.document(width, height, body, title, alt, element_id), alt)


MARKERS = ("circle", "square", "diamond", "triangle")


def short_label(edition: MonitorEdition) -> str:
    """An edition in a chart's narrow space: '2018', '2022 (voorbeeld)'."""
    return f"{edition.year} (voorbeeld)" if edition.is_example else str(edition.year)


def _marker(shape: str, x: float, y: float) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#ffffff" stroke="{INK}" stroke-width="2"/>'
    if shape == "square":
        return f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" fill="#08519c" stroke="{INK}"/>'
    if shape == "diamond":
        return (f'<path d="M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y:.1f} L{x:.1f},{y + 7:.1f} L{x - 7:.1f},{y:.1f} Z" '
                f'fill="#6baed6" stroke="{INK}"/>')
    return (f'<path d="M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y + 6:.1f} L{x - 7:.1f},{y + 6:.1f} Z" fill="{INK}"/>')


def change_chart(series: list[AreaSeries], editions: list[MonitorEdition], title: str, element_id: str,
                 brabant: AreaSeries | None = None) -> Chart | None:
    """Share resilient per area, one marker shape per edition on one axis (a line joins an area's editions),
    with Brabant as the first row: whether the horizon areas moved, at a glance."""
    rows = [s for s in ([brabant] if brabant else []) + series if any(x.resilient is not None for x in s.shares)]
    editions = editions[-len(MARKERS):]
    if not rows or not editions:
        return None
    values = [float(x.resilient) for s in rows for x in s.shares if x.resilient is not None]
    low, high = max(0.0, (min(values) // 10) * 10 - 5), min(100.0, (max(values) // 10) * 10 + 10)
    width, label_w, plot_w, row_h = 640, 170, 430, 28
    x_of = lambda v: label_w + plot_w * (float(v) - low) / ((high - low) or 1)  # noqa: E731
    body = []
    top = 24
    tick = low
    while tick <= high + 0.001:
        x = x_of(tick)
        body.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + len(rows) * row_h}" stroke="#d0d4d8"/>'
                    f'<text x="{x:.1f}" y="{top - 10}" text-anchor="middle" font-size="12">{tick:.0f} %</text>')
        tick += 5 if high - low <= 30 else 10
    for index, s in enumerate(rows):
        y = top + index * row_h + row_h / 2
        weight = ' font-weight="bold"' if s is brabant else ""
        body.append(f'<text x="{label_w - 10}" y="{y + 4:.1f}" text-anchor="end"{weight}>{escape(s.area.name)}</text>')
        points = [(e, s.at(e)) for e in editions]
        known = [(e, p) for e, p in points if p is not None and p.resilient is not None]
        if len(known) > 1:
            first, last = x_of(known[0][1].resilient), x_of(known[-1][1].resilient)
            body.append(f'<line x1="{first:.1f}" y1="{y:.1f}" x2="{last:.1f}" y2="{y:.1f}" stroke="{INK}" '
                        'stroke-width="1.5"/>')
        for e, p in known:
            marker = MARKERS[editions.index(e)]
            body.append(f'<g>{_marker(marker, x_of(p.resilient), y)}<title>{escape(s.area.name)}, {e.year}: '
                        f'{percent(p.resilient, 0)} veerkrachtig</title></g>')
    legend_y = top + len(rows) * row_h + 16
    x = label_w
    for index, edition in enumerate(editions):
        body.append(f'{_marker(MARKERS[index], x + 6, legend_y)}'
                    f'<text x="{x + 18}" y="{legend_y + 4}">{escape(short_label(edition))}</text>')
        x += 150
    height = legend_y + 18
    parts = []
    for s in rows:
        known = [f"{p.edition.year} {percent(p.resilient, 0)}" for p in s.shares if p.resilient is not None
                 and p.edition in editions]
        parts.append(f"{s.area.name}: {', '.join(known)}")
    alt = f"{title}. " + "; ".join(parts) + "."
    return Chart(svg.document(width, height, body, title, alt, element_id), alt)


def missing_sentence(data: Resilience) -> str | None:
    """Which horizon areas have no resilience figure in any edition, in words."""
    missing = [s.area.name for s in data.horizon if not any(x.resilient is not None for x in s.shares)]
    return f"De monitor geeft geen cijfer voor {dutch_list(missing)}." if missing else None
