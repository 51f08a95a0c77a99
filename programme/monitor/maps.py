"""Choropleth maps of Brabant drawn on the server as SVG: one function for the web page and the PDF alike.

`choropleth(shapes, values, ...)` is pure: boundaries (monitor/geo.py) and values per CBS code in, SVG out.
Colour never carries the meaning alone: each area has a <title> with its name and value, the legend states
the class breaks, areas without a value are hatched, and the caller shows the same figures in a table.
"""
import base64
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from markupsafe import Markup, escape

from programme.core.formatting import dutch_list, measure
from programme.monitor.geo import Shape, attribution

# ColorBrewer "Blues": single-hue sequential, safe for every kind of colour blindness, by number of classes.
PALETTES = {
    1: ("#6baed6",),
    2: ("#bdd7e7", "#3182bd"),
    3: ("#deebf7", "#9ecae1", "#3182bd"),
    4: ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"),
    5: ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
}
INK = "#1a1a1a"  # text and borders: at least 4.5:1 against white and against the lightest classes
HALO = "#ffffff"  # drawn under every border, so borders also stand out against the darkest class
NO_DATA = "geen gegevens"
LEVEL_NOUNS = {"municipality": "gemeenten", "corop": "COROP-regio’s"}

WIDTH = 400  # SVG user units; the page scales the drawing to its column (about 0.85 on a 390 px phone)
PAD = 8
FONT = 14
ROW = 23
LATITUDE = 51.55  # the middle of Brabant: an equirectangular projection is good enough at this size


@dataclass(frozen=True)
class Legend:
    """Class breaks (ascending) and a colour per class. With ranges, there is one break more than classes:
    class i holds values from breaks[i] up to breaks[i+1], the last class includes its upper break. With
    exact values (as few distinct values as classes or fewer), each break is a class of its own."""
    breaks: tuple[Decimal, ...]
    colours: tuple[str, ...]
    unit: str | None = None
    method: str = "kwantielen"  # or 'vaste grenzen', or 'elke waarde een eigen klasse' (few distinct values)

    @property
    def exact(self) -> bool:
        return bool(self.colours) and len(self.breaks) == len(self.colours)

    def class_of(self, value: Decimal | None) -> int | None:
        if value is None or not self.colours:
            return None
        inner = self.breaks[1:] if self.exact else self.breaks[1:-1]
        return sum(1 for b in inner if value >= b)

    def labels(self) -> list[str]:
        b = [measure(x, self.unit) for x in self.breaks]
        if self.exact or not self.colours:
            return b
        return [f"{b[i]} tot {b[i + 1]}" for i in range(len(self.colours) - 1)] + [f"{b[-2]} tot en met {b[-1]}"]

    def label_of(self, value: Decimal | None) -> str:
        index = self.class_of(value)
        return NO_DATA if index is None else self.labels()[index]


@dataclass(frozen=True)
class Map:
    svg: str  # built by choropleth() with every text escaped
    alt: str  # the text alternative: the title and the SVG's <desc>
    legend: Legend

    def inline(self) -> Markup:
        """For web pages: inline SVG, role img, labelled by its title and text alternative."""
        return Markup(self.svg)  # noqa: S704 - built here with every text escaped

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()

    def img(self, css_class: str = "map") -> Markup:
        """For the PDF (WeasyPrint keeps it vector): an image with the text alternative as alt."""
        return Markup('<img class="{}" src="{}" alt="{}">').format(css_class, self.data_uri, self.alt)


def legend_for(values: Collection[Decimal | None], unit: str | None = None, *, classes: int = 5,
               breaks: Sequence[Decimal] | None = None) -> Legend:
    """Fixed `breaks` when given, else quantile breaks over the values: fewer classes where there are fewer
    distinct values (four COROP regions make at most four classes)."""
    known = sorted(Decimal(v) for v in values if v is not None)
    if breaks is not None:
        fixed = tuple(Decimal(b) for b in breaks)
        return Legend(fixed, PALETTES[len(fixed) - 1], unit, "vaste grenzen")
    if not known:
        return Legend((), (), unit)
    classes = min(classes, max(PALETTES))
    distinct = sorted(set(known))
    if len(distinct) <= classes:
        return Legend(tuple(distinct), PALETTES[len(distinct)], unit, "elke waarde een eigen klasse")
    cuts: list[Decimal] = []
    for i in range(classes + 1):
        cut = known[round(i * (len(known) - 1) / classes)]
        if not cuts or cut > cuts[-1]:
            cuts.append(cut)
    return Legend(tuple(cuts), PALETTES[len(cuts) - 1], unit)


def choropleth(shapes: Sequence[Shape], values: Mapping[str, Decimal | None], *, title: str,
               unit: str | None = None, level: str = "municipality", legend: Legend | None = None,
               outline: Collection[str] = (), outline_label: str = "Omlijnd", names: Mapping[str, str] | None = None,
               element_id: str = "kaart") -> Map:
    """An SVG map: `shapes` filled by `values` (CBS code -> value; missing or None: hatched, 'geen gegevens'),
    a legend with its class breaks, the areas in `outline` drawn with a heavy border, and the boundaries'
    attribution. role="img" with a title and a text alternative; `names` (CBS code -> name) replaces the
    boundary files' names (the monitor's 'West-Brabant' for CBS's 'West-Noord-Brabant'); `element_id` keeps
    ids unique on a page."""
    if names:
        shapes = [replace(s, name=names.get(s.code, s.name)) for s in shapes]
    legend = legend or legend_for([values.get(s.code) for s in shapes], unit)
    paths, height = _project(shapes)
    hatch = f"{element_id}-geen-gegevens"
    areas, missing = [], []
    for shape in shapes:
        value = values.get(shape.code)
        index = legend.class_of(value)
        fill = f"url(#{hatch})" if index is None else legend.colours[index]
        if index is None:
            missing.append(shape.name)
        shown = NO_DATA if value is None else measure(value, unit)
        areas.append(f'<path d="{paths[shape.code]}" fill="{fill}"><title>{escape(shape.name)}: {shown}</title></path>')
    borders = "".join(f'<path d="{paths[s.code]}"/>' for s in shapes)
    outlined = [s for s in shapes if s.code in outline]
    overlay = "".join(f'<path d="{paths[s.code]}"/>' for s in outlined)
    legend_svg, legend_height = _legend(legend, bool(missing), outline_label if outlined else None, hatch, height)
    total = height + legend_height + ROW
    source = attribution(list(shapes))
    description = _description(shapes, values, legend, level, unit, missing,
                               [s.name for s in outlined], outline_label)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {total:.0f}" width="{WIDTH}" '
        f'height="{total:.0f}" role="img" aria-labelledby="{element_id}-titel {element_id}-beschrijving" '
        f'class="choropleth" font-family="Arial, Helvetica, sans-serif" font-size="{FONT}" fill="{INK}">'
        f'<title id="{element_id}-titel">{escape(title)}</title>'
        f'<desc id="{element_id}-beschrijving">{escape(description)}</desc>'
        f'<defs><pattern id="{hatch}" width="7" height="7" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="7" height="7" fill="#f7f7f7"/>'
        f'<line x1="0" y1="0" x2="0" y2="7" stroke="#767676" stroke-width="1.5"/></pattern></defs>'
        f'<g class="areas" stroke="none">{"".join(areas)}</g>'
        f'<g class="borders" fill="none" stroke-linejoin="round" aria-hidden="true">'
        f'<g stroke="{HALO}" stroke-width="2.2">{borders}</g><g stroke="{INK}" stroke-width="0.7">{borders}</g></g>'
        f'<g class="outline" fill="none" stroke-linejoin="round" aria-hidden="true">'
        f'<g stroke="{HALO}" stroke-width="6">{overlay}</g><g stroke="{INK}" stroke-width="3">{overlay}</g></g>'
        f'{legend_svg}'
        f'<text x="{PAD}" y="{total - 8:.0f}" font-size="13">{escape(source)}</text>'
        f'</svg>')
    return Map(svg, f"{title.rstrip('.')}. {description}", legend)


def _project(shapes: Sequence[Shape]) -> tuple[dict[str, str], float]:
    """SVG path data per code, scaled to WIDTH, and the map's height."""
    factor = math.cos(math.radians(LATITUDE))
    points = [(lon * factor, -lat) for s in shapes for ring in s.rings for lon, lat in ring]
    if not points:
        return {}, 2 * PAD
    left, top = min(x for x, _ in points), min(y for _, y in points)
    right, bottom = max(x for x, _ in points), max(y for _, y in points)
    scale = (WIDTH - 2 * PAD) / ((right - left) or 1)
    paths = {}
    for shape in shapes:
        paths[shape.code] = " ".join(
            "M" + " L".join(f"{(lon * factor - left) * scale + PAD:.1f},{(-lat - top) * scale + PAD:.1f}"
                            for lon, lat in ring) + " Z"
            for ring in shape.rings)
    return paths, (bottom - top) * scale + 2 * PAD


def _legend(legend: Legend, no_data: bool, outline_label: str | None, hatch: str, top: float) -> tuple[str, float]:
    """The legend below the map, in two columns: one swatch per class, then 'geen gegevens' and the outline."""
    entries = [(f'<rect width="22" height="15" fill="{colour}" stroke="{INK}" stroke-width="0.7"/>', label)
               for colour, label in zip(legend.colours, legend.labels(), strict=True)]
    if no_data:
        entries.append((f'<rect width="22" height="15" fill="url(#{hatch})" stroke="{INK}" stroke-width="0.7"/>',
                        NO_DATA))
    if outline_label:
        entries.append((f'<rect x="1.5" y="1.5" width="19" height="12" fill="none" stroke="{INK}" stroke-width="3"/>',
                        outline_label))
    # Two columns where the longest label fits half the width (about 0.55 em per character), else one.
    longest = max((len(label) for _swatch, label in entries), default=0)
    columns = 2 if longest * FONT * 0.55 + 30 <= WIDTH / 2 - PAD else 1
    rows = math.ceil(len(entries) / columns)
    heading = f'<text x="{PAD}" y="{top + 20:.0f}" font-weight="bold">Legenda ({legend.method})</text>'
    items = []
    for i, (swatch, label) in enumerate(entries):
        x, y = PAD + (i // rows) * (WIDTH // 2), top + 30 + (i % rows) * ROW
        items.append(f'<g transform="translate({x} {y:.0f})">{swatch}'
                     f'<text x="30" y="13">{escape(label)}</text></g>')
    return f'<g class="legend">{heading}{"".join(items)}</g>', 30 + rows * ROW


def _description(shapes, values, legend: Legend, level: str, unit: str | None, missing: list[str],
                 outlined: list[str], outline_label: str) -> str:
    """The text alternative: what the map shows, its extremes, what is missing; the table has every value."""
    noun = LEVEL_NOUNS.get(level, "gebieden")
    known = [(values[s.code], s.name) for s in shapes if values.get(s.code) is not None]
    parts = [f"Kaart van de {len(shapes)} {noun} van Noord-Brabant."]
    if known:
        low, high = min(known), max(known)
        classes = len(legend.colours)
        parts.append(f"{classes} {'klasse' if classes == 1 else 'klassen'} ({legend.method}): "
                     f"{'; '.join(legend.labels())}.")
        parts.append(f"Hoogste waarde: {high[1]} ({measure(high[0], unit)}); "
                     f"laagste waarde: {low[1]} ({measure(low[0], unit)}).")
    if missing:
        parts.append("Voor geen enkel gebied zijn gegevens." if not known else
                     f"Geen gegevens voor {len(missing)} van de {len(shapes)} {noun}.")
    if outlined:
        parts.append(f"{outline_label}: {dutch_list(outlined)}.")
    parts.append("De tabel bij de kaart geeft alle waarden.")
    return " ".join(parts)
