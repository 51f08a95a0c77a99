"""The Impact page's content: the programme's question on three levels, each with a chart and its table.

(a) Brabant's resilience over the editions, per COROP region and in the areas the horizon goal names;
(b) the horizon indicators with baseline, target and actual; (c) per initiative the status of its indicators.
Reads only, in a fixed number of queries whatever the number of initiatives and indicators."""
from collections import Counter
from dataclasses import dataclass

from markupsafe import escape
from sqlalchemy import select

from programme.core.extensions import db
from programme.core.formatting import measure
from programme.core import svg
from programme.core.svg import INK, Chart
from programme.impact.models import ImpactIndicator
from programme.impact.tracks import BEHIND, NO_DATA, ON_TRACK, STATUS_LABELS, IndicatorTrack, tracks_for
from programme.initiatives import toetsingskader
from programme.initiatives.models import Initiative
from programme.monitor import resilience

STATUS_ORDER = (ON_TRACK, BEHIND, NO_DATA)
# Status colours with at least 3:1 against white; the count is written in each segment and the table repeats it.
STATUS_COLOURS = {ON_TRACK: "#1e7b34", BEHIND: "#b3261e", NO_DATA: "#e6e6e6"}
STATUS_TEXT = {ON_TRACK: "#ffffff", BEHIND: "#ffffff", NO_DATA: "#1a1a1a"}


@dataclass
class InitiativeStatus:
    initiative: Initiative
    tracks: list[IndicatorTrack]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(t.status for t in self.tracks)
        return {key: counted.get(key, 0) for key in STATUS_ORDER}


@dataclass
class ImpactLevels:
    resilience: resilience.Resilience
    horizon: list[IndicatorTrack]
    initiatives: list[InitiativeStatus]
    matrix: toetsingskader.Matrix


def impact_levels() -> ImpactLevels:
    indicators = list(db.session.scalars(select(ImpactIndicator).where(ImpactIndicator.is_archived.is_(False))
                                         .order_by(ImpactIndicator.position, ImpactIndicator.id)))
    tracks = tracks_for(indicators)
    initiatives = toetsingskader.active_initiatives()
    by_initiative: dict[int, list[IndicatorTrack]] = {}
    for indicator in indicators:
        if indicator.initiative_id is not None:
            by_initiative.setdefault(indicator.initiative_id, []).append(tracks[indicator.id])
    return ImpactLevels(
        resilience=resilience.resilience(),
        horizon=[tracks[i.id] for i in indicators if i.initiative_id is None],
        initiatives=[InitiativeStatus(i, by_initiative.get(i.id, [])) for i in initiatives],
        matrix=toetsingskader.matrix(initiatives))


def horizon_chart(tracks: list[IndicatorTrack], element_id: str = "horizon-grafiek") -> Chart | None:
    """Per horizon indicator with a number as target: how far the latest value is towards it (a bar from 0 to the
    target, the latest value filled in and written beside it)."""
    rows = [t for t in tracks if t.targets]
    if not rows:
        return None
    width, label_w, bar_w, row_h, bar_h = 640, 300, 200, 30, 16
    body, parts = [], []
    for index, track in enumerate(rows):
        y = 8 + index * row_h
        target = track.targets[-1]
        latest = track.latest
        unit = track.indicator.unit
        name = track.indicator.name if len(track.indicator.name) <= 40 else track.indicator.name[:39] + "…"
        body.append(f'<text x="{label_w - 8}" y="{y + bar_h - 3}" text-anchor="end">{escape(name)}</text>')
        body.append(f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{bar_h}" fill="#ffffff" stroke="{INK}"/>')
        if latest is not None and target.value:
            share = max(0.0, min(float(latest.value / target.value), 1.0))
            body.append(f'<rect x="{label_w}" y="{y}" width="{bar_w * share:.1f}" height="{bar_h}" fill="#08519c"/>')
        shown = (f"{measure(latest.value, unit)} van {measure(target.value, unit)}" if latest is not None
                 else f"nog geen meting; doel {measure(target.value, unit)}")
        body.append(f'<text x="{label_w + bar_w + 8}" y="{y + bar_h - 3}">{escape(shown)}</text>')
        parts.append(f"{track.indicator.name}: {shown} ({target.label}), {track.status_label.lower()}")
    height = 14 + len(rows) * row_h
    title = "Horizonresultaten: laatste meting tegenover de streefwaarde"
    alt = f"{title}. " + "; ".join(parts) + "."
    return Chart(svg.document(width, height, body, title, alt, element_id), alt)


def status_chart(rows: list[InitiativeStatus], element_id: str = "status-grafiek") -> Chart | None:
    """Per initiative with indicators: how many are on track, behind, or without data (a stacked bar, the
    count written in every segment)."""
    rows = [r for r in rows if r.tracks]
    if not rows:
        return None
    width, label_w, row_h, bar_h, unit_w = 640, 280, 28, 18, 48
    body, parts = [], []
    for index, row in enumerate(rows):
        y = 8 + index * row_h
        name = f"{row.initiative.number} {row.initiative.name}"
        name = name if len(name) <= 34 else name[:33] + "…"
        body.append(f'<text x="{label_w - 8}" y="{y + bar_h - 4}" text-anchor="end">{escape(name)}</text>')
        x = label_w
        for key in STATUS_ORDER:
            count = row.counts[key]
            if not count:
                continue
            w = unit_w * count
            body.append(f'<rect x="{x}" y="{y}" width="{w}" height="{bar_h}" fill="{STATUS_COLOURS[key]}" '
                        f'stroke="{INK}" stroke-width="0.6"><title>{STATUS_LABELS[key]}: {count}</title></rect>'
                        f'<text x="{x + w / 2}" y="{y + bar_h - 4}" text-anchor="middle" fill="{STATUS_TEXT[key]}">'
                        f'{count}</text>')
            x += w
        parts.append(f"{row.initiative.number}: " + ", ".join(f"{row.counts[k]} {STATUS_LABELS[k].lower()}"
                                                             for k in STATUS_ORDER if row.counts[k]))
    legend_y = 14 + len(rows) * row_h
    body += svg.legend([(STATUS_COLOURS[key], STATUS_LABELS[key]) for key in STATUS_ORDER], label_w, legend_y, 130)
    height = legend_y + 24
    title = "Indicatoren per initiatief naar status"
    alt = f"{title}. " + "; ".join(parts) + "."
    return Chart(svg.document(width, height, body, title, alt, element_id), alt)
