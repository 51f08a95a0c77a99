"""The monitor page: indicators per area with the Brabant figure beside it, per edition."""
from flask import render_template, request
from sqlalchemy import select

from programme.core.extensions import db
from programme.monitor import bp
from programme.monitor import queries
from programme.monitor.models import Area, MdiRanking, MonitorEdition, MonitorIndicator, SourceNote


@bp.route("/monitor")
def index():
    editions = db.session.scalars(select(MonitorEdition).order_by(MonitorEdition.year.desc())).all()
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
    return render_template(
        "monitor/index.html", editions=editions, edition=edition, areas=areas, selected=selected,
        columns=columns, groups=groups,
        mdi=db.session.scalars(select(MdiRanking).where(MdiRanking.edition_id == edition.id)
                               .order_by(MdiRanking.rank)).all() if edition else [],
        correlations=db.session.scalars(select(MonitorIndicator).where(MonitorIndicator.correlation.is_not(None))
                                        .order_by(MonitorIndicator.correlation.desc())).all(),
        notes=db.session.scalars(select(SourceNote).where(SourceNote.topic == "monitor")
                                 .order_by(SourceNote.id)).all(),  # the order of the seed data
    )
