"""The report's charts as SVG made on the server, each with a text alternative.

The same picture in the PDF and on web pages; the Chart itself is core/svg.py's."""
from decimal import Decimal

from markupsafe import escape

from programme.core.formatting import money, number, percent
from programme.core.svg import FONT, Chart
from programme.progress.models import AT_RISK, ATTENTION, ON_TRACK

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), text colours 4.5:1.
COLOURS = {ON_TRACK: "#1e7b34", ATTENTION: "#a35200", AT_RISK: "#b3261e", None: "#5f6368", "geen": "#5f6368"}
SPENT, COMMITTED, REST = "#0b4f8a", "#5b8fc7", "#d9e4f0"
TEXT = "#1a1a1a"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" font-family="{FONT}" font-size="11"><title>{escape(title)}</title>'
            + "".join(body) + "</svg>")


def _shorten(text: str, length: int = 42) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def status_chart(counts: list[tuple[str, str, int]]) -> Chart:
    """Initiatives per traffic light: (key, label, count)."""
    total = sum(c for _, _, c in counts) or 1
    width, bar_x, bar_w, row_h = 520, 170, 300, 24
    body = []
    for index, (key, label, count) in enumerate(counts):
        y = 8 + index * row_h
        w = round(bar_w * count / total)
        body.append(f'<text x="0" y="{y + 13}" fill="{TEXT}">{escape(label)}</text>')
        body.append(f'<rect x="{bar_x}" y="{y}" width="{max(w, 1)}" height="16" fill="{COLOURS.get(key)}"/>')
        body.append(f'<text x="{bar_x + w + 6}" y="{y + 13}" fill="{TEXT}">{count}</text>')
    height = 16 + len(counts) * row_h
    alt = "Initiatieven per status: " + "; ".join(f"{label}: {count}" for _, label, count in counts) + "."
    return Chart(_svg(width, height, body, "Initiatieven per status"), alt)


def _format(value: Decimal | None, unit: str | None) -> str:
    if value is None:
        return "–"
    return percent(value) if unit == "percent" else number(value)


def indicator_chart(labelled_lines) -> Chart | None:
    """Numeric indicators, as (label, line): baseline (grey), actual value (bar in the colour of its
    traffic light) and target (black tick), each on its own scale from 0 to the largest of the three.
    The label names the indicator and, for an initiative's indicator, the initiative."""
    rows = [(label, line) for label, line in labelled_lines if line.actual is not None or
            (line.baseline is not None and line.target is not None)]
    if not rows:
        return None
    width, label_w, bar_w, row_h = 640, 250, 330, 34
    body, alt_parts = [], []
    for index, (label, line) in enumerate(rows):
        y = 6 + index * row_h
        values = [v for v in (line.baseline, line.actual, line.target) if v is not None]
        top = max(values) * Decimal("1.1") or Decimal(1)

        def scale(v, top=top):
            return round(float(v / top) * bar_w)
        body.append(f'<text x="0" y="{y + 14}" fill="{TEXT}">{escape(_shorten(label))}</text>')
        body.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="18" fill="#f1f3f4"/>')
        if line.baseline is not None:
            body.append(f'<rect x="{label_w}" y="{y + 2}" width="{scale(line.baseline)}" height="7" fill="#8a8f94"/>')
        if line.actual is not None:
            body.append(f'<rect x="{label_w}" y="{y + 11}" width="{scale(line.actual)}" height="9" '
                        f'fill="{COLOURS.get(line.light)}"/>')
        if line.target is not None:
            x = label_w + scale(line.target)
            body.append(f'<rect x="{x - 1}" y="{y}" width="3" height="22" fill="{TEXT}"/>')
        alt_parts.append(f"{label}: nulmeting {_format(line.baseline, line.indicator.unit)}, "
                         f"streefwaarde {_format(line.target, line.indicator.unit)}, "
                         f"gemeten {_format(line.actual, line.indicator.unit)} ({line.light_label})")
    legend_y = 12 + len(rows) * row_h
    body.append(f'<rect x="0" y="{legend_y}" width="14" height="7" fill="#8a8f94"/>'
                f'<text x="20" y="{legend_y + 8}" fill="{TEXT}">nulmeting</text>'
                f'<rect x="100" y="{legend_y}" width="14" height="9" fill="{COLOURS[ON_TRACK]}"/>'
                f'<text x="120" y="{legend_y + 8}" fill="{TEXT}">gemeten (kleur = status)</text>'
                f'<rect x="285" y="{legend_y - 3}" width="3" height="14" fill="{TEXT}"/>'
                f'<text x="294" y="{legend_y + 8}" fill="{TEXT}">streefwaarde</text>')
    alt = "Indicatoren: " + "; ".join(alt_parts) + "."
    return Chart(_svg(width, legend_y + 20, body, "Voortgang van de indicatoren"), alt)


def budget_chart(rows, title: str = "Besteding per financieringsbron") -> Chart | None:
    """Per row: spent, committed but not yet spent, and the rest of the budget."""
    rows = [row for row in rows if row.budgeted]
    if not rows:
        return None
    top = max(max(row.budgeted, row.committed, row.spent) for row in rows)
    width, label_w, bar_w, row_h = 640, 250, 330, 28
    body, alt_parts = [], []
    for index, row in enumerate(rows):
        y = 6 + index * row_h
        spent = round(float(row.spent / top) * bar_w)
        committed = max(round(float(max(row.committed - row.spent, 0) / top) * bar_w), 0)
        budget = round(float(row.budgeted / top) * bar_w)
        body.append(f'<text x="0" y="{y + 13}" fill="{TEXT}">{escape(_shorten(row.label))}</text>')
        body.append(f'<rect x="{label_w}" y="{y}" width="{max(budget, 1)}" height="18" fill="{REST}" '
                    f'stroke="#5f6368" stroke-width="0.5"/>')
        if committed:
            body.append(f'<rect x="{label_w + spent}" y="{y}" width="{committed}" height="18" fill="{COMMITTED}"/>')
        if spent:
            body.append(f'<rect x="{label_w}" y="{y}" width="{spent}" height="18" fill="{SPENT}"/>')
        alt_parts.append(f"{row.label}: begroot {money(row.budgeted)}, verplicht {money(row.committed)}, "
                         f"besteed {money(row.spent)}")
    legend_y = 10 + len(rows) * row_h
    body.append(f'<rect x="0" y="{legend_y}" width="14" height="10" fill="{SPENT}"/>'
                f'<text x="20" y="{legend_y + 9}" fill="{TEXT}">besteed</text>'
                f'<rect x="90" y="{legend_y}" width="14" height="10" fill="{COMMITTED}"/>'
                f'<text x="110" y="{legend_y + 9}" fill="{TEXT}">verplicht, nog niet besteed</text>'
                f'<rect x="290" y="{legend_y}" width="14" height="10" fill="{REST}" stroke="#5f6368" '
                f'stroke-width="0.5"/><text x="310" y="{legend_y + 9}" fill="{TEXT}">rest van het budget</text>')
    alt = f"{title}: " + "; ".join(alt_parts) + "."
    return Chart(_svg(width, legend_y + 20, body, title), alt)
