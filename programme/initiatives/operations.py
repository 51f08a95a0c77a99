"""Initiative writes: the manager's edits (optimistic locking), archiving, learning questions, partners, resources."""
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from programme.accounts.models import User
from programme.core import audit
from programme.core.extensions import db
from programme.initiatives.queries import RELATIONS, TEXT_FIELDS, editable_values
from programme.initiatives.models import (ORGANISATION_KINDS, CrossoverTask, Initiative, InitiativeArea,
                                          LearningQuestion, Organisation)
from programme.core.operations import Refused, RuleError
from programme.monitor.models import Area, MonitorIndicator
from programme.core.editing import archive_or_restore, check_version
from programme.plan.models import Theme

FIELD_LABELS = {
    "name": "Naam", "status": "Status", "line": "Uitvoeringslijn", "opgave": "Opgave",
    "description": "Initiatief (beschrijving)", "partners_text": "Partners (tekst)",
    "role_province": "Rol van de provincie", "role_zet": "Rol van ZET", "role_zorgbelang": "Rol van Zorgbelang",
    "owners": "Eigenaren", "themes": "Thema’s", "areas": "Gebieden (Figuur 1)",
    "crossover_tasks": "Cross-over met", "partners": "Partners (organisaties)",
}


def _names(model, ids: list[int]) -> list[str]:
    if not ids:
        return []
    return sorted(str(getattr(obj, "name", obj)) for obj in db.session.scalars(
        select(model).where(model.id.in_(ids))))


RELATION_MODELS = {"owners": User, "themes": Theme, "areas": Area, "crossover_tasks": CrossoverTask,
                   "partners": Organisation}


def readable(name: str, value):
    """A value as people read it: names instead of ids, empty text as None."""
    if name in RELATION_MODELS:
        return _names(RELATION_MODELS[name], value or [])
    return value or None


def add_organisation(name: str, kind: str, *, initiative_id: int | None = None) -> Organisation:
    """A new partner organisation typed by the manager; the form has checked that the name is new."""
    if kind not in ORGANISATION_KINDS:
        raise ValueError(f"unknown organisation kind {kind!r}")
    organisation = Organisation(name=name.strip(), kind=kind)
    db.session.add(organisation)
    db.session.flush()
    audit.record("organisation.create", organisation,
                 new={"name": organisation.name, "kind": organisation.kind_label}, initiative_id=initiative_id)
    return organisation


def add_crossover_task(name: str, *, initiative_id: int | None = None) -> CrossoverTask:
    task = CrossoverTask(name=name.strip())
    db.session.add(task)
    db.session.flush()
    audit.record("crossover_task.create", task, new={"name": task.name}, initiative_id=initiative_id)
    return task


def update_initiative(initiative: Initiative, data: dict, *, expected_version: int,
                      new_partner: tuple[str, str] | None = None, new_crossover_task: str | None = None) -> bool:
    """Apply the manager's edit. new_partner (name, kind) and new_crossover_task are created and linked.
    EditConflict when the form was loaded from an older version; a concurrent save that slips between
    check and flush raises StaleDataError at flush."""
    check_version(initiative, expected_version)
    old = editable_values(initiative)
    new = {name: (data.get(name) or None) if name not in ("name", "status", "line") else data[name]
           for name in TEXT_FIELDS}
    for name in RELATIONS:
        new[name] = sorted(set(data.get(name) or []))
    # Created before the initiative changes, so this flush does not touch (and version) the initiative.
    if new_partner:
        organisation = add_organisation(*new_partner, initiative_id=initiative.id)
        new["partners"] = sorted(set(new["partners"]) | {organisation.id})
    if new_crossover_task:
        task = add_crossover_task(new_crossover_task, initiative_id=initiative.id)
        new["crossover_tasks"] = sorted(set(new["crossover_tasks"]) | {task.id})
    changed = [name for name in old if old[name] != new[name]]
    if not changed:
        return False
    old_readable = {name: readable(name, old[name]) for name in changed}
    new_readable = {name: readable(name, new[name]) for name in changed}
    # One UPDATE per edit: no autoflush half-way (each would bump the version once more).
    with db.session.no_autoflush:
        for name in TEXT_FIELDS:
            setattr(initiative, name, new[name])
        for name in ("owners", "themes", "crossover_tasks", "partners"):
            if name in changed:
                model = RELATION_MODELS[name]
                setattr(initiative, name, list(db.session.scalars(select(model).where(model.id.in_(new[name])))))
        if "areas" in changed:
            wanted = set(new["areas"])
            keep = [link for link in initiative.area_links if link.basis != "figuur" or link.area_id in wanted]
            present = {link.area_id for link in keep if link.basis == "figuur"}
            initiative.area_links = keep + [InitiativeArea(area_id=area_id, basis="figuur")
                                            for area_id in new["areas"] if area_id not in present]
        # Relation-only edits do not touch the row; mark it so the version is checked and bumped.
        flag_modified(initiative, "name")
        audit.record("initiative.update", initiative, old=old_readable, new=new_readable,
                     initiative_id=initiative.id)
    db.session.flush()
    return True


def set_archived(initiative: Initiative, archived: bool) -> None:
    """Archive or bring back; initiatives are never deleted."""
    archive_or_restore(initiative, archived, "initiative", initiative_id=initiative.id)


def add_learning_question(initiative: Initiative, *, question: str, context: str | None,
                          status: str) -> LearningQuestion:
    position = db.session.scalar(select(func.coalesce(func.max(LearningQuestion.position), 0)).where(
        LearningQuestion.initiative_id == initiative.id)) + 1
    item = LearningQuestion(initiative=initiative, question=question, context=context or None,
                            status=status, position=position)
    db.session.add(item)
    db.session.flush()
    audit.record("learning_question.create", item,
                 new={"question": item.question, "context": item.context, "status": status},
                 initiative_id=initiative.id)
    return item


def update_learning_question(item: LearningQuestion, *, question: str, context: str | None, status: str,
                             expected_version: int | None = None) -> bool:
    """EditConflict (core.editing) when the form was loaded from an older version; a save that slips
    in between is caught by the versioned UPDATE (StaleDataError)."""
    if expected_version is not None:
        check_version(item, expected_version)
    old = {"question": item.question, "context": item.context, "status": item.status}
    new = {"question": question, "context": context or None, "status": status}
    changed = [key for key in old if old[key] != new[key]]
    if not changed:
        return False
    item.question, item.context, item.status = new["question"], new["context"], new["status"]
    audit.record("learning_question.update", item, old={k: old[k] for k in changed},
                 new={k: new[k] for k in changed}, initiative_id=item.initiative_id)
    db.session.flush()
    return True


def set_resources(initiative: Initiative, resource_ids: list[int], actor) -> bool:
    """The toetsingskader: the monitor resources the initiative works on, replaced as a whole. Only the
    manager records them; the resilience measure itself is no resource."""
    if not initiative.can_edit(actor):
        raise Refused(f"Alleen de programmamanager legt vast aan welke hulpbronnen initiatief {initiative} werkt.")
    wanted = sorted(set(resource_ids))
    chosen = list(db.session.scalars(select(MonitorIndicator).where(
        MonitorIndicator.id.in_(wanted), MonitorIndicator.resource != "resilience"))) if wanted else []
    if len(chosen) != len(wanted):
        raise RuleError("resources", "Kies alleen hulpbronnen uit de lijst.")
    old = sorted(r.name for r in initiative.resources)
    new = sorted(r.name for r in chosen)
    if old == new:
        return False
    initiative.resources = chosen
    audit.record("initiative.set_resources", initiative, old={"resources": old}, new={"resources": new},
                 actor=actor, initiative_id=initiative.id)
    db.session.flush()
    return True
