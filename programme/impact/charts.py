"""The chart of one impact indicator over time, as server-side SVG for the web page and the PDF alike.

It shows the baseline, the targets, actual values from the monitor (context) and from updates (contribution),
and the Brabant line, with a text alternative. Series differ by marker and line style, never by colour alone,
and every point has a <title> with its value."""
import math
from decimal import Decimal

from markupsafe import escape

from programme.core.formatting import measure
from programme.core.svg import FONT, Chart
from programme.impact.tracks import IndicatorTrack, Point

INK, GRID, MUTED = "#1a1a1a", "#d0d4d8", "#5f6368"
CONTEXT_COLOUR, CONTRIBUTION_COLOUR, TARGET_COLOUR = "#0b4f8a", "#a35200", "#1a1a1a"
WIDTH, LEFT, RIGHT, TOP, PLOT_H = 640, 62, 20, 14, 210
LEGEND = [  # (key, label)
    ("nulmeting", "nulmeting (stippellijn)"),
    ("streefwaarde", "streefwaarde (open vierkant; lijn: verwacht pad)"),
    ("monitor", "contextmeting uit de monitor (rondje, doorgetrokken lijn)"),
    ("bijdrage", "bijdragemeting uit voortgangsberichten (driehoek)"),
    ("brabant", "Brabant, ter vergelijking (grijs, kruisje)"),
]


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low or 1.0
    raw = span / count
    step = 10 ** math.floor(math.log10(raw))
    step = next(s * step for s in (1, 2, 2.5, 5, 10) if s * step >= raw)
    first = math.floor(low / step) * step
    return [round(first + i * step, 10) for i in range(count + 3) if first + i * step <= high + step * 0.001]


def _marker(kind: str, x: float, y: float) -> str:
    if kind == "monitor":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{CONTEXT_COLOUR}" stroke="#fff" stroke-width="1"/>'
    if kind == "bijdrage":
        return (f'<path d="M{x:.1f},{y - 6:.1f} L{x + 6:.1f},{y + 5:.1f} L{x - 6:.1f},{y + 5:.1f} Z" '
                f'fill="{CONTRIBUTION_COLOUR}" stroke="#fff" stroke-width="1"/>')
    if kind == "streefwaarde":
        return (f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="#fff" stroke="{TARGET_COLOUR}" '
                f'stroke-width="2"/>')
    if kind == "nulmeting":
        return (f'<path d="M{x:.1f},{y - 6:.1f} L{x + 6:.1f},{y:.1f} L{x:.1f},{y + 6:.1f} L{x - 6:.1f},{y:.1f} Z" '
                f'fill="{MUTED}"/>')
    return (f'<path d="M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} M{x - 4:.1f},{y + 4:.1f} '
            f'L{x + 4:.1f},{y - 4:.1f}" stroke="{MUTED}" stroke-width="2"/>')


def _describe(points: list[Point], unit: str | None) -> str:
    return "; ".join(f"{p.label}: {measure(p.value, unit)}" for p in points)


def alternative(track: IndicatorTrack) -> str:
    unit = track.indicator.unit
    parts = [f"{track.indicator.name}."]
    base = track.baseline
    parts.append(f"Nulmeting {measure(base.value, unit)}" + (f" ({base.source})." if base.source else ".")
                 if base else "Geen nulmeting als getal.")
    parts.append(f"Streefwaarden: {_describe(track.targets, unit)}." if track.targets
                 else "Geen streefwaarde als getal.")
    if track.is_linked:
        parts.append(f"Contextmetingen uit de monitor voor {track.area.name}: {_describe(track.context, unit)}."
                     if track.context else f"Nog geen latere editie van de monitor voor {track.area.name}.")
    parts.append(f"Bijdragemetingen uit voortgangsberichten: {_describe(track.contributions, unit)}."
                 if track.contributions else "Geen bijdragemetingen uit voortgangsberichten.")
    if track.brabant:
        parts.append(f"Brabant: {_describe(track.brabant, unit)}.")
    parts.append(f"Status: {track.status_label.lower()}.")
    return " ".join(parts)


def indicator_chart(track: IndicatorTrack, element_id: str = "grafiek") -> Chart:
    unit = track.indicator.unit
    dated = [p for p in [*track.targets, *track.context, *track.contributions, *track.brabant]]
    if track.baseline is not None and track.baseline.moment:
        dated.append(track.baseline)
    values = [float(p.value) for p in dated] + ([float(track.baseline.value)] if track.baseline else [])
    title = f"{track.indicator.name}: nulmeting, streefwaarden en metingen in de tijd"
    alt = alternative(track)
    legend_top = TOP + PLOT_H + 34
    height = legend_top + len(LEGEND) * 18 + 6
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
            f'height="{height}" role="img" aria-labelledby="{element_id}-titel {element_id}-beschrijving" '
            f'font-family="{FONT}" font-size="13" class="indicator-chart">'
            f'<title id="{element_id}-titel">{escape(title)}</title>'
            f'<desc id="{element_id}-beschrijving">{escape(alt)}</desc>')
    body: list[str] = []
    if not values:
        body.append(f'<text x="{LEFT}" y="{TOP + 40}" fill="{INK}">Nog geen gegevens om te tekenen.</text>')
        return Chart(head + "".join(body) + "</svg>", alt)
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or max(abs(high) * 0.1, 1.0)
    low, high = low - pad, high + pad
    if unit == "percent":
        low, high = max(low, 0.0), min(high, 100.0)
    if low >= 0 and min(values) >= 0 and low < (high - low) * 0.2:
        low = 0.0
    y_ticks = _ticks(low, high)
    low, high = min(low, y_ticks[0]), max(high, y_ticks[-1])
    moments = [p.moment for p in dated] or [2018.5]
    start, end = math.floor(min(moments)), math.ceil(max(moments) + 0.001)
    if end - start < 2:
        end = start + 2
    plot_w = WIDTH - LEFT - RIGHT

    def x_of(moment: float) -> float:
        return LEFT + (moment - start) / (end - start) * plot_w

    def y_of(value) -> float:
        return TOP + PLOT_H - (float(value) - low) / (high - low) * PLOT_H

    for tick in y_ticks:
        y = y_of(tick)
        body.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}"/>'
                    f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">'
                    f'{escape(measure(Decimal(str(tick)), unit))}</text>')
    step = 1 if end - start <= 10 else 2
    for year in range(start, end + 1, step):
        x = x_of(year)
        # A tick on the axis, not a vertical grid line: with the horizontal ones that would be a ruled
        # grid, which PDF checkers take for an untagged table.
        body.append(f'<line x1="{x:.1f}" y1="{TOP + PLOT_H}" x2="{x:.1f}" y2="{TOP + PLOT_H + 4}" stroke="{INK}"/>'
                    f'<text x="{x:.1f}" y="{TOP + PLOT_H + 16}" text-anchor="middle" fill="{INK}">{year}</text>')
    body.append(f'<line x1="{LEFT}" y1="{TOP + PLOT_H}" x2="{WIDTH - RIGHT}" y2="{TOP + PLOT_H}" stroke="{INK}"/>')
    if track.baseline is not None:
        y = y_of(track.baseline.value)
        body.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{MUTED}" '
                    f'stroke-width="1.5" stroke-dasharray="6 4"/>')
        path = [track.baseline, *track.targets] if track.baseline.moment else []
        if len(path) > 1:
            body.append(_line(path, x_of, y_of, TARGET_COLOUR, "1 4", 1.5))
    body.append(_line(track.brabant, x_of, y_of, MUTED, "8 4", 2))
    body.append(_line(([track.baseline] if track.baseline and track.baseline.moment and track.is_linked else [])
                      + track.context, x_of, y_of, CONTEXT_COLOUR, None, 2.5))
    body.append(_line(track.contributions, x_of, y_of, CONTRIBUTION_COLOUR, "4 3", 1.5))
    series = [("brabant", track.brabant), ("streefwaarde", track.targets), ("monitor", track.context),
              ("bijdrage", track.contributions)]
    if track.baseline is not None and track.baseline.moment:
        series.append(("nulmeting", [track.baseline]))
    for kind, points in series:
        for p in points:
            what = {"brabant": "Brabant", "streefwaarde": "Streefwaarde", "monitor": "Contextmeting (monitor)",
                    "bijdrage": "Bijdragemeting", "nulmeting": "Nulmeting"}[kind]
            text = f"{what} {p.label}: {measure(p.value, unit)}" + (" (voorbeeld)" if p.is_example else "")
            body.append(f'<g class="point" data-kind="{kind}" data-moment="{p.moment:.2f}" data-value="{p.value}">'
                        f'{_marker(kind, x_of(p.moment), y_of(p.value))}<title>{escape(text)}</title></g>')
    for index, (key, label) in enumerate(LEGEND):
        y = legend_top + index * 18
        sample = {"nulmeting": f'<line x1="0" y1="{y}" x2="22" y2="{y}" stroke="{MUTED}" stroke-width="1.5" '
                               f'stroke-dasharray="6 4"/>',
                  "brabant": f'<line x1="0" y1="{y}" x2="22" y2="{y}" stroke="{MUTED}" stroke-width="2" '
                             f'stroke-dasharray="8 4"/>',
                  "monitor": f'<line x1="0" y1="{y}" x2="22" y2="{y}" stroke="{CONTEXT_COLOUR}" stroke-width="2.5"/>',
                  "bijdrage": f'<line x1="0" y1="{y}" x2="22" y2="{y}" stroke="{CONTRIBUTION_COLOUR}" '
                              f'stroke-width="1.5" stroke-dasharray="4 3"/>',
                  "streefwaarde": f'<line x1="0" y1="{y}" x2="22" y2="{y}" stroke="{TARGET_COLOUR}" '
                                  f'stroke-width="1.5" stroke-dasharray="1 4"/>'}[key]
        marker = _marker(key, 11, y) if key != "nulmeting" else ""
        body.append(f'<g transform="translate({LEFT},0)">{sample}{marker}'
                    f'<text x="32" y="{y + 4}" fill="{INK}">{escape(label)}</text></g>')
    return Chart(head + "".join(body) + "</svg>", alt)


def _line(points: list[Point], x_of, y_of, colour: str, dash: str | None, width: float) -> str:
    if len(points) < 2:
        return ""
    coords = " ".join(f"{x_of(p.moment):.1f},{y_of(p.value):.1f}" for p in sorted(points, key=lambda p: p.moment))
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{width}"{dashes}/>'
