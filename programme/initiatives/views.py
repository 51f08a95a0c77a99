"""Initiatives: the list with filters, the detail page, and the manager's editing."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from programme.accounts.models import User
from programme.core.editing import CONFLICT
from programme.core.extensions import db
from programme.core.formatting import number
from programme.core.forms import EmptyForm, choices
from programme.core.edit_pages import button_action, edit_form, edit_page, form_data, save_version, switch_routes
from programme.core.operations import run
from programme.core.permissions import OWNER, users_with_role
from programme.initiatives import bp
from programme.initiatives import operations as ops
from programme.initiatives import map_overlay, queries
from programme.initiatives import toetsingskader
from programme.initiatives.forms import InitiativeForm, LearningQuestionEditForm, LearningQuestionForm, ResourcesForm
from programme.initiatives.models import (LINE_LABELS, ORGANISATION_KINDS, STATUS_LABELS, CrossoverTask, Initiative,
                                          Organisation)
from programme.initiatives.queries import get_editable_initiative, get_initiative, get_learning_question
from programme.monitor import queries as monitor_queries
from programme.monitor import trends as monitor_trends
from programme.monitor.models import Area, SourceNote
from programme.plan.models import Theme


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
    return render_template(
        "initiatives/index.html",
        initiatives=queries.initiatives(line=line, status=status, theme_id=theme_id, area_id=area_id,
                                        show_archived=show_archived),
        lines=LINE_LABELS, statuses=STATUS_LABELS,
        themes=db.session.scalars(select(Theme).order_by(Theme.position)).all(), areas=queries.filter_areas(),
        selected={"lijn": line, "status": status, "thema": theme_id, "gebied": area_id,
                  "archief": show_archived},
    )


@bp.route("/initiatieven/<int:initiative_id>")
def detail(initiative_id: int):
    initiative = get_initiative(initiative_id)
    notes = db.session.scalars(select(SourceNote).where(
        SourceNote.topic == "initiatives", SourceNote.key.like(f"initiative_{initiative.number}_%"))).all()
    return render_template(
        "initiatives/detail.html", initiative=initiative, indicators=initiative.indicators, notes=notes,
        area_profiles=monitor_queries.area_profiles(initiative.areas),
        frame=toetsingskader.frame_of(initiative), frame_rule=toetsingskader.RULE,
        # The monitor indicators its impact indicators are linked to (read off the related rows: impact is a
        # higher layer), beside the headline figures.
        area_trends=monitor_trends.area_trends(initiative.areas, {
            i.monitor_indicator_id for i in initiative.indicators if i.monitor_indicator_id is not None}),
        trend_labels=monitor_trends.DIRECTION_LABELS, trend_symbols=monitor_trends.DIRECTION_SYMBOLS,
        trend_rule=monitor_trends.RULE,
        # The monitor's map of a headline (or chosen) indicator with the initiative's areas outlined.
        **_map_context(initiative),
    )


@bp.route("/toetsingskader")
def resource_matrix():
    """The programme's toetsingskader: every initiative against the resources that matter most."""
    return render_template("initiatives/toetsingskader.html", matrix=toetsingskader.matrix(),
                           rule=toetsingskader.RULE)


@bp.route("/initiatieven/<int:initiative_id>/hulpbronnen", methods=["GET", "POST"])
def resources(initiative_id: int):
    """The manager records which of the monitor's resources the initiative works on."""
    initiative = get_editable_initiative(initiative_id)
    options = toetsingskader.resource_options()
    form = ResourcesForm()
    form.resources.choices = choices((r.id, r.name + (f" (correlatie {number(r.correlation, 2)})"
                                                      if r.correlation is not None else "")) for r in options)
    if request.method == "GET":
        form.resources.data = [r.id for r in initiative.resources]
    elif form.validate_on_submit():
        outcome = run(ops.set_resources, initiative, form.resources.data or [], current_user, form=form)
        if outcome:
            flash("De hulpbronnen zijn vastgelegd." if outcome.result else "Er was niets gewijzigd.", "info")
            return redirect(url_for("initiatives.detail", initiative_id=initiative_id) + "#toetsingskader")
    groups: dict[str, list[int]] = {"Hulpbronnen die er het meest toe doen": []}
    for resource in options:
        label = ("Hulpbronnen die er het meest toe doen" if toetsingskader.is_important(resource)
                 else resource.resource_label)
        groups.setdefault(label, []).append(resource.id)
    return render_template("initiatives/resources.html", initiative=initiative, form=form,
                           groups=[(label, ids) for label, ids in groups.items() if ids], rule=toetsingskader.RULE)


def _map_context(initiative: Initiative) -> dict:
    figure, indicators = map_overlay.initiative_map(initiative, request.args.get("kaart"))
    groups: dict[str, list] = {}
    for indicator in indicators:
        groups.setdefault(indicator.resource_label, []).append(indicator)
    return {"map_figure": figure, "map_indicator_groups": list(groups.items()),
            "map_overlay": f"{map_overlay.ONE}{initiative.id}"}


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
    owners = db.session.scalars(select(User).where(users_with_role(User, OWNER)).order_by(User.name)).all()
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
    if name in queries.RELATIONS:
        return ", ".join(choices[name].get(v, str(v)) for v in value) or "–"
    if name == "status":
        return STATUS_LABELS.get(value, value or "–")
    if name == "line":
        return LINE_LABELS.get(value, value or "–")
    return value or "–"


def _differences(initiative: Initiative, form: InitiativeForm) -> list[tuple[str, str, str]]:
    """(field, stored value, the user's value) for every field where they differ."""
    stored = queries.editable_values(initiative)
    choices = {name: {c.value: c.label for c in getattr(form, name).choices} for name in queries.RELATIONS}
    rows = []
    for name, value in stored.items():
        theirs = getattr(form, name).data
        theirs = sorted(set(theirs or [])) if name in choices else (theirs or None)
        if (value or None) != (theirs or None):
            rows.append((ops.FIELD_LABELS[name], _display(name, value, choices), _display(name, theirs, choices)))
    return rows


@bp.route("/initiatieven/<int:initiative_id>/bewerken", methods=["GET", "POST"])
def edit(initiative_id: int):
    initiative = get_editable_initiative(initiative_id)
    form = InitiativeForm()
    groups = _fill_choices(form)
    conflict = None
    if request.method == "GET":
        for name, value in queries.editable_values(initiative).items():
            getattr(form, name).data = value
        form.version.data = str(initiative.version)
    elif form.validate_on_submit():
        outcome = save_version(ops.update_initiative, initiative, form_data(form, ops.FIELD_LABELS),
                               new_partner=form.new_partner, new_crossover_task=form.new_crossover_task.data or None,
                               form=form, load=lambda: get_editable_initiative(initiative_id),
                               action="initiative.update", compare=_differences)
        if outcome:
            flash("Het initiatief is opgeslagen." if outcome.result else "Er was niets gewijzigd.", "info")
            return redirect(url_for("initiatives.detail", initiative_id=initiative_id))
        initiative, conflict = outcome.result or initiative, outcome.conflict
    return edit_page("initiatives/edit.html", initiative=initiative, form=form, conflict=conflict,
                     conflict_message=CONFLICT.format(what="dit initiatief"), button_form=EmptyForm(), groups=groups)


@switch_routes(bp, "/initiatieven/<int:initiative_id>", "archived", on=("archiveren", "archive"),
               off=("dearchiveren", "unarchive"))
def set_archived(initiative_id: int, archived: bool):
    return button_action(ops.set_archived, get_editable_initiative(initiative_id), archived,
                         done="Het initiatief is gearchiveerd." if archived else "Het initiatief is uit het archief "
                              "gehaald.", to=url_for("initiatives.detail", initiative_id=initiative_id))


@bp.route("/initiatieven/<int:initiative_id>/leervragen/nieuw", methods=["GET", "POST"],
          defaults={"question_id": None})
@bp.route("/initiatieven/<int:initiative_id>/leervragen/<int:question_id>/bewerken", methods=["GET", "POST"])
def learning_question(initiative_id: int, question_id: int | None):
    initiative = get_editable_initiative(initiative_id)
    item = get_learning_question(initiative, question_id) if question_id is not None else None
    if item is None:
        form = LearningQuestionForm()
    else:
        form = edit_form(LearningQuestionEditForm, item)
    conflict = None
    if form.validate_on_submit():
        values = {"question": form.question.data, "context": form.context.data, "status": form.status.data}
        if item is None:
            outcome = run(ops.add_learning_question, initiative, **values, form=form)
            message = "De leervraag is toegevoegd."
        else:
            outcome = save_version(ops.update_learning_question, item, **values, form=form,
                                   load=lambda: get_learning_question(initiative, question_id),
                                   names=("question", "context", "status"), action="learning_question.update")
            message = "De leervraag is opgeslagen." if outcome.result else "Er was niets gewijzigd."
            item, conflict = outcome.result if outcome.conflict is not None else item, outcome.conflict
        if outcome:
            flash(message, "info")
            return redirect(url_for("initiatives.edit", initiative_id=initiative_id) + "#leervragen")
    return edit_page("initiatives/learning_question.html", initiative=initiative, item=item, form=form,
                     conflict=conflict, conflict_message=CONFLICT.format(what="deze leervraag"))
