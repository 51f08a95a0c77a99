"""Initiatives: list with filters, detail page."""
from flask import abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.extensions import db
from programme.impact.models import ImpactIndicator
from programme.initiatives import bp
from programme.initiatives.models import LINE_BOTH, LINE_LABELS, STATUS_LABELS, Initiative, InitiativeArea
from programme.monitor import operations as monitor_ops
from programme.monitor.models import Area, SourceNote
from programme.plan.models import Theme


def get_initiative(initiative_id: int) -> Initiative:
    """Load an initiative for reading: every signed-in user may read every initiative."""
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None:
        abort(404)
    return initiative


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.route("/initiatieven")
def index():
    line = request.args.get("lijn") if request.args.get("lijn") in LINE_LABELS else None
    status = request.args.get("status") if request.args.get("status") in STATUS_LABELS else None
    theme_id = _int_arg("thema")
    area_id = _int_arg("gebied")
    show_archived = request.args.get("archief") == "1"

    query = select(Initiative).options(
        selectinload(Initiative.themes), selectinload(Initiative.crossover_tasks),
        selectinload(Initiative.area_links).selectinload(InitiativeArea.area))
    if not show_archived:
        query = query.where(Initiative.is_archived.is_(False))
    if line:
        query = query.where(Initiative.line.in_([line, LINE_BOTH]) if line != LINE_BOTH
                            else Initiative.line == LINE_BOTH)
    if status:
        query = query.where(Initiative.status == status)
    if theme_id:
        query = query.where(Initiative.themes.any(Theme.id == theme_id))
    if area_id:
        # An area matches itself and everything inside it (a region matches its municipalities).
        area = db.session.get(Area, area_id)
        ids = monitor_ops.descendant_ids(area) if area else set()
        query = query.where(Initiative.area_links.any(InitiativeArea.area_id.in_(ids)))
    initiatives = sorted(db.session.scalars(query).all(), key=lambda i: i.sort_key)

    used_area_ids = set(db.session.scalars(select(InitiativeArea.area_id)))
    areas = [a for a in db.session.scalars(select(Area).order_by(Area.position))
             if a.id in used_area_ids or a.kind in ("province", "corop")]
    return render_template(
        "initiatives/index.html", initiatives=initiatives,
        lines=LINE_LABELS, statuses=STATUS_LABELS,
        themes=db.session.scalars(select(Theme).order_by(Theme.position)).all(), areas=areas,
        selected={"lijn": line, "status": status, "thema": theme_id, "gebied": area_id,
                  "archief": show_archived},
    )


@bp.route("/initiatieven/<int:initiative_id>")
def detail(initiative_id: int):
    initiative = get_initiative(initiative_id)
    indicators = db.session.scalars(select(ImpactIndicator).where(
        ImpactIndicator.initiative_id == initiative.id).order_by(ImpactIndicator.position)).all()
    notes = db.session.scalars(select(SourceNote).where(
        SourceNote.topic == "initiatives", SourceNote.key.like(f"initiative_{initiative.number}_%"))).all()
    return render_template(
        "initiatives/detail.html", initiative=initiative, indicators=indicators, notes=notes,
        area_profiles=monitor_ops.area_profiles(initiative.areas),
    )
