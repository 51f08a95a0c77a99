"""The monitor's trend page and the manager's threshold per monitor indicator.

The trend page shows an indicator in an area over the editions, beside Brabant."""
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from programme.core.extensions import db
from programme.core.operations import run
from programme.core.permissions import manager_required
from programme.monitor import bp, queries, trends
from programme.monitor import operations as ops
from programme.monitor.forms import ThresholdForm
from programme.monitor.models import Area, MonitorIndicator


def _indicator_groups(indicators: list[MonitorIndicator]) -> list[tuple[str, list[MonitorIndicator]]]:
    groups: dict[str, list[MonitorIndicator]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.resource_label, []).append(indicator)
    return list(groups.items())


@bp.route("/monitor/ontwikkeling")
def trend_page():
    """One indicator in one area over the editions up to the chosen one, and every indicator of that area
    at the chosen edition, each with its change and direction and the Brabant figure beside it."""
    editions = queries.published_editions()
    edition = next((e for e in editions if str(e.year) == request.args.get("editie")),
                   editions[-1] if editions else None)
    shown_editions = [e for e in editions if edition and e.year <= edition.year]
    indicators = db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position,
                                                                      MonitorIndicator.id)).all()
    indicator = next((i for i in indicators if i.code == request.args.get("indicator")),
                     next((i for i in indicators if i.code == "resilience_yes"), indicators[0] if indicators else None))
    areas = db.session.scalars(select(Area).order_by(Area.position, Area.name)).all()
    province = next((a for a in areas if a.kind == "province"), None)
    area = next((a for a in areas if str(a.id) == request.args.get("gebied")), province)
    found = trends.trends(indicators, [area], shown_editions) if area and shown_editions else {}
    chosen = found.get((indicator.id, area.id)) if indicator and area else None
    overview = [(t, t.at(edition)) for i in indicators for t in [found.get((i.id, area.id))]
                if t is not None and t.at(edition) is not None and t.at(edition).value is not None]
    return render_template(
        "monitor/trends.html", editions=editions, edition=edition, indicators=indicators,
        indicator_groups=_indicator_groups(indicators), indicator=indicator, areas=areas, area=area,
        is_brabant=area is not None and area.kind == "province", trend=chosen, overview=overview,
        rule=trends.RULE, trend_labels=trends.DIRECTION_LABELS, trend_symbols=trends.DIRECTION_SYMBOLS,
        threshold_label=trends.threshold_label)


@bp.route("/monitor/indicatoren/<int:indicator_id>/drempel", methods=["GET", "POST"])
@manager_required
def edit_threshold(indicator_id: int):
    indicator = db.get_or_404(MonitorIndicator, indicator_id)
    form = ThresholdForm(obj=indicator) if request.method == "GET" else ThresholdForm()
    if form.validate_on_submit():
        outcome = run(ops.set_trend_threshold, indicator, form.trend_threshold.data, form=form)
        if outcome:
            flash("De drempel is opgeslagen." if outcome.result else "Er was niets gewijzigd.", "info")
            return redirect(url_for("monitor.trend_page", indicator=indicator.code))
    return render_template("monitor/threshold.html", indicator=indicator, form=form,
                           default=trends.DEFAULT_THRESHOLDS.get(indicator.unit, trends.DEFAULT_THRESHOLD),
                           rule=trends.RULE)
