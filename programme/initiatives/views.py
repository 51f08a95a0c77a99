"""Initiatives: list with filters, detail page, and the manager's editing."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from programme.accounts.models import User
from programme.core import audit
from programme.core.forms import EmptyForm, choices
from programme.core.permissions import OWNER
from programme.core.extensions import db
from programme.impact.models import ImpactIndicator
from programme.initiatives import bp
from programme.initiatives import operations as initiative_ops
from programme.initiatives.forms import InitiativeForm, LearningQuestionEditForm, LearningQuestionForm
from programme.initiatives.models import (LINE_BOTH, LINE_LABELS, ORGANISATION_KINDS, STATUS_LABELS, CrossoverTask,
                                          Initiative, InitiativeArea, LearningQuestion, Organisation)
from programme.monitor import queries as monitor_queries
from programme.monitor.models import Area, SourceNote
from programme.core.editing import CONFLICT, save_with_lock
from programme.plan.models import Theme


def get_initiative(initiative_id: int) -> Initiative:
    """Load an initiative for reading: every signed-in user may read every initiative."""
    initiative = db.get_or_404(Initiative, initiative_id)
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
        ids = monitor_queries.descendant_ids(area) if area else set()
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
        area_profiles=monitor_queries.area_profiles(initiative.areas),
    )


def get_editable_initiative(initiative_id: int) -> Initiative:
    """Load an initiative for changing: 404 when it does not exist, 403 (audited) when this user
    may not edit it (only the programme manager may)."""
    initiative = get_initiative(initiative_id)
    if not initiative.can_edit(current_user):
        audit.record_refusal("object", f"initiatief {initiative.id} bewerken niet toegestaan")
        abort(403)
    return initiative


def get_learning_question(initiative: Initiative, question_id: int) -> LearningQuestion:
    """A learning question of this initiative; 404 for one of another initiative (forged id)."""
    item = db.session.get(LearningQuestion, question_id)
    if item is None or item.initiative_id != initiative.id:
        abort(404)
    return item


# The groups of the area checkboxes, in the monitor's own terms (Monitor Sociale Veerkracht 2018, hoofdstuk 2).
AREA_GROUPS = (
    ("Provincie", lambda a: a.kind == "province"),
    ("COROP-regio’s", lambda a: a.kind == "corop"),
    ("Grote steden (B5)", lambda a: a.kind == "municipality" and a.group == "B5"),
    ("Middelgrote gemeenten (M7)", lambda a: a.kind == "municipality" and a.group == "M7"),
    ("Regio’s van kleine gemeenten", lambda a: a.kind == "small_municipalities"),
    ("Andere gemeenten", lambda a: True),
)


def _area_groups(areas: list[Area]) -> list[tuple[str, list[int]]]:
    """(group label, area ids) for the grouped checkbox list; every area lands in its first matching group."""
    groups: dict[str, list[int]] = {label: [] for label, _ in AREA_GROUPS}
    for area in areas:
        label = next(label for label, belongs in AREA_GROUPS if belongs(area))
        groups[label].append(area.id)
    return [(label, ids) for label, ids in groups.items() if ids]


def _organisation_groups(organisations: list[Organisation]) -> list[tuple[str, list[int]]]:
    """(type, organisation ids) in the order of ORGANISATION_KINDS."""
    groups = {kind: [] for kind in ORGANISATION_KINDS}
    for organisation in organisations:
        groups.setdefault(organisation.kind, []).append(organisation.id)
    return [(ORGANISATION_KINDS.get(kind, ORGANISATION_KINDS["other"]), ids) for kind, ids in groups.items() if ids]


def _fill_choices(form: InitiativeForm) -> dict[str, list[tuple[str, list[int]]]]:
    """Set the choices of the form's lists; returns the groups of the grouped checkbox lists."""
    owners = db.session.scalars(select(User).where(User.role == OWNER).order_by(User.name)).all()
    form.owners.choices = choices((u.id, u.name if u.is_active else f"{u.name} (uitgeschakeld)") for u in owners)
    form.themes.choices = choices((t.id, t.name[:1].upper() + t.name[1:])
                                  for t in db.session.scalars(select(Theme).order_by(Theme.position)))
    areas = db.session.scalars(select(Area).order_by(Area.position)).all()
    form.areas.choices = choices((a.id, a.name) for a in areas)
    form.crossover_tasks.choices = choices(
        (t.id, t.name) for t in db.session.scalars(select(CrossoverTask).order_by(CrossoverTask.name)))
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.partners.choices = choices((o.id, o.name) for o in organisations)
    return {"areas": _area_groups(areas), "partners": _organisation_groups(organisations)}


def _display(name: str, value, choices: dict) -> str:
    if name in initiative_ops.RELATIONS:
        return ", ".join(choices[name].get(v, str(v)) for v in value) or "–"
    if name == "status":
        return STATUS_LABELS.get(value, value or "–")
    if name == "line":
        return LINE_LABELS.get(value, value or "–")
    return value or "–"


def _differences(initiative: Initiative, form: InitiativeForm) -> list[tuple[str, str, str]]:
    """(field, stored value, the user's value) for every field where they differ."""
    stored = initiative_ops.editable_values(initiative)
    choices = {name: {c.value: c.label for c in getattr(form, name).choices} for name in initiative_ops.RELATIONS}
    rows = []
    for name, value in stored.items():
        theirs = getattr(form, name).data
        theirs = sorted(set(theirs or [])) if name in choices else (theirs or None)
        if (value or None) != (theirs or None):
            rows.append((initiative_ops.FIELD_LABELS[name], _display(name, value, choices),
                         _display(name, theirs, choices)))
    return rows


CONFLICT_MESSAGE = ("Iemand anders heeft dit initiatief opgeslagen nadat u het formulier opende. "
                    "Uw wijzigingen zijn niet opgeslagen. Hieronder staan de opgeslagen waarden naast "
                    "de uwe; uw invoer staat nog in het formulier. Controleer het en sla opnieuw op.")


@bp.route("/initiatieven/<int:initiative_id>/bewerken", methods=["GET", "POST"])
def edit(initiative_id: int):
    initiative = get_editable_initiative(initiative_id)
    form = InitiativeForm()
    groups = _fill_choices(form)
    conflict = None
    if request.method == "GET":
        for name, value in initiative_ops.editable_values(initiative).items():
            getattr(form, name).data = value
        form.version.data = str(initiative.version)
    elif form.validate_on_submit():
        data = {name: getattr(form, name).data for name in initiative_ops.FIELD_LABELS}
        try:
            changed = initiative_ops.update_initiative(
                initiative, data, expected_version=int(form.version.data), new_partner=form.new_partner,
                new_crossover_task=form.new_crossover_task.data or None)
            db.session.commit()
        except (initiative_ops.EditConflict, StaleDataError):
            db.session.rollback()
            initiative = get_editable_initiative(initiative_id)
            db.session.refresh(initiative)
            audit.record_now("initiative.update", result="refused", object_type="Initiative",
                             object_label=str(initiative)[:300], message="bewerkconflict: verouderde versie")
            conflict = _differences(initiative, form)
            # Saving again is a deliberate choice to overwrite what is stored now.
            form.version.data = str(initiative.version)
        else:
            flash("Het initiatief is opgeslagen." if changed else "Er was niets gewijzigd.", "info")
            return redirect(url_for("initiatives.detail", initiative_id=initiative.id))
    status = 409 if conflict is not None else 200
    return render_template("initiatives/edit.html", initiative=initiative, form=form, conflict=conflict,
                           conflict_message=CONFLICT_MESSAGE, button_form=EmptyForm(), groups=groups), status


@bp.route("/initiatieven/<int:initiative_id>/archiveren", methods=["POST"])
def archive(initiative_id: int):
    return _set_archived(initiative_id, True)


@bp.route("/initiatieven/<int:initiative_id>/dearchiveren", methods=["POST"])
def unarchive(initiative_id: int):
    return _set_archived(initiative_id, False)


def _set_archived(initiative_id: int, archived: bool):
    initiative = get_editable_initiative(initiative_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    initiative_ops.set_archived(initiative, archived)
    db.session.commit()
    flash("Het initiatief is gearchiveerd." if archived else "Het initiatief is uit het archief gehaald.", "info")
    return redirect(url_for("initiatives.detail", initiative_id=initiative.id))


@bp.route("/initiatieven/<int:initiative_id>/leervragen/nieuw", methods=["GET", "POST"],
          defaults={"question_id": None})
@bp.route("/initiatieven/<int:initiative_id>/leervragen/<int:question_id>/bewerken", methods=["GET", "POST"])
def learning_question(initiative_id: int, question_id: int | None):
    initiative = get_editable_initiative(initiative_id)
    item = get_learning_question(initiative, question_id) if question_id is not None else None
    if item is None:
        form = LearningQuestionForm()
    else:  # only the GET fills the form from the record: a POST without the version must not inherit it
        form = LearningQuestionEditForm(obj=item) if request.method == "GET" else LearningQuestionEditForm()
    conflict = None
    if form.validate_on_submit():
        values = {"question": form.question.data, "context": form.context.data, "status": form.status.data}
        if item is None:
            initiative_ops.add_learning_question(initiative, **values)
            db.session.commit()
            flash("De leervraag is toegevoegd.", "info")
        else:
            item, changed, conflict = save_with_lock(
                lambda: get_learning_question(initiative, question_id), form,
                lambda obj, version: initiative_ops.update_learning_question(obj, **values, expected_version=version),
                action="learning_question.update", names=("question", "context", "status"))
            if conflict is None:
                flash("De leervraag is opgeslagen." if changed else "Er was niets gewijzigd.", "info")
        if conflict is None:
            return redirect(url_for("initiatives.edit", initiative_id=initiative.id) + "#leervragen")
    return render_template("initiatives/learning_question.html", initiative=initiative, item=item, form=form,
                           conflict=conflict, conflict_message=CONFLICT.format(what="deze leervraag")
                           ), 409 if conflict is not None else 200
