"""The manager's screens for impact indicators (of an initiative or of the programme) and their targets."""
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from programme.core.editing import CONFLICT
from programme.core.edit_pages import (NOTHING_CHANGED, add_flow, edit_flow, edit_form, edit_page, form_data,
                                       part_page, remove_part, button_action, save_version)
from programme.core.extensions import db
from programme.core.formatting import in_sentence
from programme.core.forms import EmptyForm, choices
from programme.core.operations import run
from programme.core.permissions import manager_required
from programme.impact import bp
from programme.impact import operations as ops
from programme.impact.forms import UNIT_CHOICES, IndicatorForm, NewIndicatorForm, NewTargetForm, TargetForm
from programme.impact.models import ImpactIndicator
from programme.impact.charts import indicator_chart
from programme.impact.queries import (get_indicator, get_target, get_visible_indicator, has_measurements,
                                      indicators_by_owner)
from programme.impact.tracks import KIND_LABELS, STATUS_RULE, track_of, tracks_for
from programme.initiatives.models import Initiative
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator

def _fill_choices(form, indicator: ImpactIndicator | None = None) -> None:
    units = dict(UNIT_CHOICES)
    if indicator is not None and indicator.unit and indicator.unit not in units:
        units[indicator.unit] = indicator.unit  # a unit from elsewhere stays choosable
    form.unit.choices = choices(units.items())
    monitor_indicators = db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position,
                                                                              MonitorIndicator.id))
    form.monitor_indicator_id.choices = choices([("", "Geen"), *(
        (m.id, f"{m.name} ({in_sentence(m.resource_label)})") for m in monitor_indicators)])
    form.baseline_edition_id.choices = choices([("", "Geen"), *(
        (e.id, e.name) for e in db.session.scalars(select(MonitorEdition).order_by(MonitorEdition.year)))])
    form.baseline_area_id.choices = choices([("", "Geen"), *(
        (a.id, f"{a.name} ({in_sentence(a.kind_label)})")
        for a in db.session.scalars(select(Area).order_by(Area.position, Area.id)))])
    if isinstance(form, NewIndicatorForm):
        initiatives = sorted(db.session.scalars(select(Initiative).where(Initiative.is_archived.is_(False))),
                             key=lambda i: i.sort_key)
        form.initiative_id.choices = choices([("", "Het programma (geen initiatief)"),
                                              *((i.id, str(i)) for i in initiatives)])


@bp.route("/indicatoren")
@manager_required
def index():
    initiatives = {i.id: i for i in db.session.scalars(select(Initiative))}
    by_owner = indicators_by_owner()
    groups = {None: by_owner.get(None, []),
              **{i.id: by_owner.get(i.id, []) for i in sorted(initiatives.values(), key=lambda i: i.sort_key)}}
    tracks = tracks_for([i for group in by_owner.values() for i in group])
    return render_template("impact/index.html", groups=groups, initiatives=initiatives, tracks=tracks,
                           rule=STATUS_RULE)


@bp.route("/indicatoren/<int:indicator_id>")
def show_indicator(indicator_id: int):
    """An indicator over time: its chart, the same figures in a table, and its status by the rule on screen."""
    indicator = get_visible_indicator(indicator_id)
    track = track_of(indicator)
    initiative = db.session.get(Initiative, indicator.initiative_id) if indicator.initiative_id else None
    return render_template("impact/show.html", indicator=indicator, initiative=initiative, track=track,
                           chart=indicator_chart(track), rule=STATUS_RULE, kind_labels=KIND_LABELS)


@bp.route("/indicatoren/nieuw", methods=["GET", "POST"])
@manager_required
def new_indicator():
    form = NewIndicatorForm()
    _fill_choices(form)
    if request.method == "GET":
        wanted = request.args.get("initiatief", "")
        form.initiative_id.data = int(wanted) if wanted.isdigit() else None
        form.higher_is_better.data = True
    elif form.validate_on_submit():
        initiative = db.session.get(Initiative, form.initiative_id.data) if form.initiative_id.data else None
        outcome = run(ops.create_indicator, initiative, form_data(form, ops.INDICATOR_FIELDS), form=form)
        if outcome:
            flash("De indicator is toegevoegd. Voeg hieronder de streefwaarden per periode toe.", "info")
            return redirect(url_for("impact.edit_indicator", indicator_id=outcome.result.id) + "#streefwaarden")
    return render_template("impact/indicator.html", indicator=None, initiative=None, form=form, conflict=None)


@bp.route("/indicatoren/<int:indicator_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_indicator(indicator_id: int):
    indicator = get_indicator(indicator_id)
    form = edit_form(IndicatorForm, indicator)
    _fill_choices(form, indicator)
    conflict = None
    if form.validate_on_submit():
        outcome = save_version(ops.update_indicator, indicator, form_data(form, ops.INDICATOR_FIELDS), form=form,
                               load=lambda: get_indicator(indicator_id), names=ops.INDICATOR_FIELDS,
                               action="impact_indicator.update")
        if outcome:
            flash("De indicator is opgeslagen." if outcome.result else NOTHING_CHANGED, "info")
            return redirect(url_for("impact.edit_indicator", indicator_id=indicator_id))
        indicator, conflict = outcome.result or indicator, outcome.conflict
    initiative = db.session.get(Initiative, indicator.initiative_id) if indicator.initiative_id else None
    return edit_page("impact/indicator.html", indicator=indicator, initiative=initiative, form=form,
                     conflict=conflict, conflict_message=CONFLICT.format(what="deze indicator"),
                     has_measurements=has_measurements(indicator), button_form=EmptyForm())


@bp.route("/indicatoren/<int:indicator_id>/archiveren", methods=["POST"], endpoint="archive_indicator",
          defaults={"archived": True})
@bp.route("/indicatoren/<int:indicator_id>/dearchiveren", methods=["POST"], endpoint="unarchive_indicator",
          defaults={"archived": False})
@manager_required
def set_archived(indicator_id: int, archived: bool):
    done = "De indicator is gearchiveerd." if archived else "De indicator is uit het archief gehaald."
    return button_action(ops.set_indicator_archived, get_indicator(indicator_id), archived, done=done,
                         to=url_for("impact.edit_indicator", indicator_id=indicator_id))


def _target_page(indicator, target, form, conflict=None, deleting=False):
    return part_page("impact/target.html", target, what="deze streefwaarde", it="Zij", noun="de streefwaarde",
                     conflict=conflict, deleting=deleting, indicator=indicator, target=target, form=form,
                     can_remove=target is not None and not has_measurements(indicator))


def _page_of(indicator):
    return lambda target, form, conflict=None: _target_page(indicator, target, form, conflict)


def _targets_url(indicator_id: int) -> str:
    return url_for("impact.edit_indicator", indicator_id=indicator_id) + "#streefwaarden"


@bp.route("/indicatoren/<int:indicator_id>/streefwaarden/nieuw", methods=["GET", "POST"])
@manager_required
def new_target(indicator_id: int):
    indicator = get_indicator(indicator_id)
    return add_flow(ops.add_target, indicator, NewTargetForm(), names=ops.TARGET_FIELDS,
                    added="De streefwaarde is toegevoegd.", done_url=_targets_url(indicator_id),
                    page=_page_of(indicator))


@bp.route("/indicatoren/<int:indicator_id>/streefwaarden/<int:target_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_target(indicator_id: int, target_id: int):
    target = get_target(indicator_id, target_id)
    return edit_flow(ops.update_target, target, edit_form(TargetForm, target), names=ops.TARGET_FIELDS,
                     load=lambda: get_target(indicator_id, target_id), action="impact_target.update",
                     saved="De streefwaarde is opgeslagen.", done_url=_targets_url(indicator_id),
                     page=_page_of(target.indicator))


@bp.route("/indicatoren/<int:indicator_id>/streefwaarden/<int:target_id>/verwijderen", methods=["POST"])
@manager_required
def remove_target(indicator_id: int, target_id: int):
    return remove_part(
        ops.remove_target, get_target(indicator_id, target_id), load=lambda: get_target(indicator_id, target_id),
        action="impact_target.delete", removed="De streefwaarde is verwijderd.", done_url=_targets_url(indicator_id),
        refused_url=url_for("impact.edit_target", indicator_id=indicator_id, target_id=target_id),
        page=lambda target: _target_page(target.indicator, target, TargetForm(formdata=None, obj=target), [],
                                         deleting=True))
