"""The programme at a glance, and its impact on three levels."""
from collections import Counter

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.budget import queries as budget_queries
from programme.dashboard.impact import horizon_chart, impact_levels, status_chart
from programme.impact.tracks import STATUS_RULE
from programme.initiatives import toetsingskader
from programme.monitor import resilience, trends
from programme.dashboard import bp
from programme.core.extensions import db
from programme.impact.models import ImpactIndicator
from programme.initiatives.models import (LINE_BOTH, LINE_CROSSOVER, LINE_GEBIEDSGERICHT, LINE_LABELS,
                                          STATUS_LABELS, Initiative)
from programme.plan.models import Goal, Theme


@bp.route("/")
def index():
    initiatives = db.session.scalars(
        select(Initiative).where(Initiative.is_archived.is_(False))
        .options(selectinload(Initiative.themes))).all()
    initiatives.sort(key=lambda i: i.sort_key)
    by_status = Counter(i.status for i in initiatives)
    themes = db.session.scalars(select(Theme).order_by(Theme.position)).all()
    by_theme = {t.name: sum(1 for i in initiatives if t in i.themes) for t in themes}
    table = budget_queries.budget_table()
    return render_template(
        "dashboard/index.html",
        goals=db.session.scalars(select(Goal).order_by(Goal.number)).all(),
        initiatives=initiatives,
        # An initiative in both lines counts in each, so the list filter and these counts agree.
        by_line=[(LINE_LABELS[k], sum(1 for i in initiatives if i.in_line(k)), k)
                 for k in (LINE_GEBIEDSGERICHT, LINE_CROSSOVER)],
        in_both=sum(1 for i in initiatives if i.line == LINE_BOTH),
        by_status=[(STATUS_LABELS[k], by_status.get(k, 0), k) for k in STATUS_LABELS],
        by_theme=by_theme,
        untagged_themes=sum(1 for i in initiatives if not i.themes),
        table=table,
        checks=budget_queries.reconciliation(table),
        org_allocations=budget_queries.organisation_allocations(),
        horizon=db.session.scalars(select(ImpactIndicator).where(ImpactIndicator.initiative_id.is_(None))
                                   .order_by(ImpactIndicator.position)).all(),
    )


@bp.route("/impact")
def impact():
    """The programme's question on three levels, at a glance: each chart with its table."""
    levels = impact_levels()
    data = levels.resilience
    return render_template(
        "dashboard/impact.html", levels=levels, data=data,
        brabant_chart=resilience.shares_chart(
            [(resilience.short_label(s.edition), s.values) for s in data.brabant.shares] if data.brabant else [],
            "Brabant: veerkrachtig, deels en niet veerkrachtig per editie", "brabant-grafiek"),
        region_map=resilience.region_map(data),
        horizon_areas_chart=resilience.change_chart(
            data.horizon, data.editions, "Aandeel veerkrachtig per editie: middelgrote gemeenten en West-Brabant",
            "horizon-gebieden-grafiek", brabant=data.brabant),
        missing=resilience.missing_sentence(data), horizon_note=resilience.HORIZON_NOTE,
        horizon_chart=horizon_chart(levels.horizon), status_chart=status_chart(levels.initiatives),
        status_rule=STATUS_RULE, trend_rule=trends.RULE, frame_rule=toetsingskader.RULE,
    )
