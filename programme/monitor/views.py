"""The monitor pages: indicators per area with the Brabant figure beside it, per edition, and the map."""
from flask import render_template, request
from sqlalchemy import select

from programme.core.extensions import db
from programme.monitor import bp
from programme.monitor import map_figures, overlays, queries
from programme.monitor.models import Area, MdiRanking, MonitorIndicator, SourceNote


@bp.route("/monitor")
def index():
    editions = queries.published_editions()[::-1]  # newest first on screen
    year = request.args.get("editie", "")
    edition = next((e for e in editions if str(e.year) == year), editions[0] if editions else None)
    areas = db.session.scalars(select(Area).order_by(Area.position)).all()
    area_id = request.args.get("gebied", "")
    selected = next((a for a in areas if str(a.id) == area_id), None)
    if selected is None or selected.kind == "province":
        selected = None
        columns = [a for a in areas if a.kind == "corop"]
    else:
        columns = [selected, *[a for a in selected.ancestors() if a.kind != "province"]]
    groups = queries.monitor_table(edition, columns) if edition else []
    province = next((a for a in areas if a.kind == "province"), None)
    return render_template(
        "monitor/index.html", editions=editions, edition=edition, areas=areas, selected=selected,
        columns=columns, groups=groups, beside=_remarks_beside(groups, [*columns, *([province] if province else [])]),
        mdi=db.session.scalars(select(MdiRanking).where(MdiRanking.edition_id == edition.id)
                               .order_by(MdiRanking.rank)).all() if edition else [],
        correlations=db.session.scalars(select(MonitorIndicator).where(MonitorIndicator.correlation.is_not(None))
                                        .order_by(MonitorIndicator.correlation.desc())).all(),
        notes=db.session.scalars(select(SourceNote).where(SourceNote.topic == "monitor")
                                 .order_by(SourceNote.id)).all(),  # the order of the seed data
    )


@bp.route("/monitor/kaart")
def map_page():
    """A choropleth of one indicator in one edition, per municipality (as they were in the edition's year)
    or per COROP region, with the same figures in a table beside it; optionally with areas outlined that a
    higher layer provides (the initiatives' municipalities: monitor/overlays.py)."""
    editions = queries.published_editions()[::-1]  # newest first on screen
    edition = next((e for e in editions if str(e.year) == request.args.get("editie")),
                   editions[0] if editions else None)
    indicators = db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position)).all()
    indicator = next((i for i in indicators if i.code == request.args.get("indicator")),
                     indicators[0] if indicators else None)
    if edition is None or indicator is None:
        return render_template("monitor/map.html", editions=editions, edition=None)
    overlay_choices = overlays.choices()
    chosen = request.args.get("omlijnen", "")
    chosen = chosen if any(value == chosen for value, _label in overlay_choices) else ""
    figure = map_figures.map_figure(edition, indicator, request.args.get("niveau"),
                                    outline_of=lambda year, kind: overlays.outline(chosen, year, kind))
    return render_template(
        "monitor/map.html", editions=editions, indicator_groups=_by_resource(indicators), edition=edition,
        indicator=indicator, levels=map_figures.LEVELS, figure=figure, overlay_choices=overlay_choices,
        overlay=chosen)


def _remarks_beside(groups, areas: list[Area]) -> dict[int, list[tuple[Area, list[overlays.Remark]]]]:
    """Indicator id -> (area, what was observed there) for the areas of the table, in its column order: what
    higher layers provide beside the figures (monitor/overlays.py), read in one go for the whole page."""
    if not groups:
        return {}
    found = overlays.remarks([a.id for a in areas])
    beside = {}
    for _label, rows in groups:
        for row in rows:
            per_area = [(a, found[(row.indicator.id, a.id)]) for a in areas if (row.indicator.id, a.id) in found]
            if per_area:
                beside[row.indicator.id] = per_area
    return beside


def _by_resource(indicators: list[MonitorIndicator]) -> list[tuple[str, list[MonitorIndicator]]]:
    groups: dict[str, list[MonitorIndicator]] = {}
    for indicator in indicators:  # in the monitor's order, groups in order of first appearance
        groups.setdefault(indicator.resource_label, []).append(indicator)
    return list(groups.items())
