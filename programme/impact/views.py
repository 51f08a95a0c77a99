"""The manager's screens for impact indicators (of an initiative or of the programme) and their targets."""
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from programme.core.editing import CONFLICT, VersionedForm
from programme.core.extensions import db
from programme.core.formatting import in_sentence
from programme.core.forms import EmptyForm, choices
from programme.core.operations import Stale, run
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

SAVED = {True: "De {what} is opgeslagen.", False: "Er was niets gewijzigd."}


def _data(form, names) -> dict:
    return {name: form[name].data for name in names}


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
        outcome = run(ops.create_indicator, initiative, _data(form, ops.INDICATOR_FIELDS), form=form)
        if outcome:
            flash("De indicator is toegevoegd. Voeg hieronder de streefwaarden per periode toe.", "info")
            return redirect(url_for("impact.edit_indicator", indicator_id=outcome.result.id) + "#streefwaarden")
    return render_template("impact/indicator.html", indicator=None, initiative=None, form=form, conflict=None)


@bp.route("/indicatoren/<int:indicator_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_indicator(indicator_id: int):
    indicator = get_indicator(indicator_id)
    form = IndicatorForm(obj=indicator) if request.method == "GET" else IndicatorForm()
    _fill_choices(form, indicator)
    conflict = None
    if form.validate_on_submit():
        outcome = run(ops.update_indicator, indicator, _data(form, ops.INDICATOR_FIELDS),
                      expected_version=int(form.version.data), form=form,
                      stale=Stale(lambda: get_indicator(indicator_id), ops.INDICATOR_FIELDS, "impact_indicator.update"))
        if outcome:
            flash(SAVED[outcome.result].format(what="indicator"), "info")
            return redirect(url_for("impact.edit_indicator", indicator_id=indicator_id))
        indicator, conflict = outcome.result or indicator, outcome.conflict
    initiative = db.session.get(Initiative, indicator.initiative_id) if indicator.initiative_id else None
    return render_template("impact/indicator.html", indicator=indicator, initiative=initiative, form=form,
                           conflict=conflict,
                           conflict_message=CONFLICT.format(what="deze indicator"),
                           has_measurements=has_measurements(indicator),
                           button_form=EmptyForm()), 409 if conflict is not None else 200


@bp.route("/indicatoren/<int:indicator_id>/archiveren", methods=["POST"])
@manager_required
def archive_indicator(indicator_id: int):
    return _set_archived(indicator_id, True)


@bp.route("/indicatoren/<int:indicator_id>/dearchiveren", methods=["POST"])
@manager_required
def unarchive_indicator(indicator_id: int):
    return _set_archived(indicator_id, False)


def _set_archived(indicator_id: int, archived: bool):
    indicator = get_indicator(indicator_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if run(ops.set_indicator_archived, indicator, archived):
        flash("De indicator is gearchiveerd." if archived else "De indicator is uit het archief gehaald.", "info")
    return redirect(url_for("impact.edit_indicator", indicator_id=indicator_id))


def _target_page(indicator, target, form, conflict=None, deleting=False):
    message = ("Iemand anders heeft deze streefwaarde gewijzigd nadat u de pagina opende. Zij is niet "
               "verwijderd. Hieronder staat wat nu is opgeslagen; verwijder opnieuw als dat nog steeds de "
               "bedoeling is." if deleting else CONFLICT.format(what="deze streefwaarde"))
    title = ("Niet verwijderd" if deleting else "Niet opgeslagen") + ": de streefwaarde is intussen gewijzigd"
    return render_template(
        "impact/target.html", indicator=indicator, target=target, form=form, conflict=conflict,
        conflict_title=title, conflict_message=message,
        same_text=None if deleting else "Uw invoer is gelijk aan wat nu is opgeslagen.",
        can_remove=target is not None and not has_measurements(indicator),
        remove_form=VersionedForm(formdata=None, obj=target) if target else None), 409 if conflict is not None else 200


def _targets_url(indicator_id: int) -> str:
    return url_for("impact.edit_indicator", indicator_id=indicator_id) + "#streefwaarden"


@bp.route("/indicatoren/<int:indicator_id>/streefwaarden/nieuw", methods=["GET", "POST"])
@manager_required
def new_target(indicator_id: int):
    indicator = get_indicator(indicator_id)
    form = NewTargetForm()
    if form.validate_on_submit() and run(ops.add_target, indicator, _data(form, ops.TARGET_FIELDS), form=form):
        flash("De streefwaarde is toegevoegd.", "info")
        return redirect(_targets_url(indicator_id))
    return _target_page(indicator, None, form)


@bp.route("/indicatoren/<int:indicator_id>/streefwaarden/<int:target_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_target(indicator_id: int, target_id: int):
    target = get_target(indicator_id, target_id)
    form = TargetForm(obj=target) if request.method == "GET" else TargetForm()
    if not form.validate_on_submit():
        return _target_page(target.indicator, target, form)
    outcome = run(ops.update_target, target, _data(form, ops.TARGET_FIELDS), expected_version=int(form.version.data),
                  form=form, stale=Stale(lambda: get_target(indicator_id, target_id), ops.TARGET_FIELDS,
                                         "impact_target.update"))
    if outcome:
        flash(SAVED[outcome.result].format(what="streefwaarde"), "info")
        return redirect(_targets_url(indicator_id))
    target = outcome.result or target
    return _target_page(target.indicator, target, form, outcome.conflict)


@bp.route("/indicatoren/<int:indicator_id>/streefwaarden/<int:target_id>/verwijderen", methods=["POST"])
@manager_required
def remove_target(indicator_id: int, target_id: int):
    target = get_target(indicator_id, target_id)
    form = VersionedForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = run(ops.remove_target, target, expected_version=int(form.version.data), form=form,
                  stale=Stale(lambda: get_target(indicator_id, target_id), (), "impact_target.delete"))
    if outcome:
        flash("De streefwaarde is verwijderd.", "info")
        return redirect(_targets_url(indicator_id))
    if outcome.conflict is None:  # a rule refused it: the message is flashed
        return redirect(url_for("impact.edit_target", indicator_id=indicator_id, target_id=target_id))
    target = outcome.result
    return _target_page(target.indicator, target, TargetForm(formdata=None, obj=target), [], deleting=True)
