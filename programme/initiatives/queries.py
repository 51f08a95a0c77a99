"""Reading initiatives: loaders (404 unseen, 403 may see but not change), the filtered list, edited values."""
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from programme.core import permissions
from programme.core.edit_pages import part_or_404
from programme.core.extensions import db
from programme.initiatives.models import LINE_BOTH, Initiative, InitiativeArea, LearningQuestion
from programme.monitor import queries as monitor_queries
from programme.monitor.models import Area
from programme.plan.models import Theme

TEXT_FIELDS = ("name", "status", "line", "opgave", "description", "partners_text",
               "role_province", "role_zet", "role_zorgbelang")
# The relations the manager's form edits as lists of ids.
RELATIONS = ("owners", "themes", "areas", "crossover_tasks", "partners")


def get_initiative(initiative_id: int) -> Initiative:
    """An initiative this user may read (Initiative.can_view); 404 otherwise."""
    return permissions.get_visible_or_404(Initiative, initiative_id)


def get_editable_initiative(initiative_id: int) -> Initiative:
    """An initiative to change: 404 when this user may not see it, 403 (audited) when they may not edit it."""
    initiative = get_initiative(initiative_id)
    if not initiative.can_edit(current_user):
        permissions.refuse("object", f"initiatief {initiative.id} bewerken niet toegestaan")
    return initiative


def get_learning_question(initiative: Initiative, question_id: int) -> LearningQuestion:
    """A learning question of this initiative; 404 for one of another initiative (forged id)."""
    return part_or_404(LearningQuestion, question_id, initiative_id=initiative.id)


def initiatives(*, line: str | None = None, status: str | None = None, theme_id: int | None = None,
                area_id: int | None = None, show_archived: bool = False) -> list[Initiative]:
    """The initiatives in the list, filtered; an area matches itself and everything inside it (a
    region matches its municipalities)."""
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
        area = db.session.get(Area, area_id)
        ids = monitor_queries.descendant_ids(area) if area else set()
        query = query.where(Initiative.area_links.any(InitiativeArea.area_id.in_(ids)))
    return sorted(db.session.scalars(query).all(), key=lambda i: i.sort_key)


def filter_areas() -> list[Area]:
    """The areas to filter the list on: those initiatives work in, and the province and its regions."""
    used_area_ids = set(db.session.scalars(select(InitiativeArea.area_id)))
    return [a for a in db.session.scalars(select(Area).order_by(Area.position))
            if a.id in used_area_ids or a.kind in ("province", "corop")]


def editable_values(initiative: Initiative) -> dict:
    """The fields the manager edits, as plain values (ids for relations)."""
    values = {name: getattr(initiative, name) for name in TEXT_FIELDS}
    values["owners"] = sorted(user.id for user in initiative.owners)
    values["themes"] = sorted(theme.id for theme in initiative.themes)
    values["areas"] = sorted(area.id for area in initiative.figure_areas)
    values["crossover_tasks"] = sorted(task.id for task in initiative.crossover_tasks)
    values["partners"] = sorted(org.id for org in initiative.partners)
    return values


def find_by_name(model, name: str):
    """The organisation or cross-over task with this name, ignoring case (None when there is none)."""
    return db.session.scalar(select(model).where(func.lower(model.name) == name.strip().lower()))
