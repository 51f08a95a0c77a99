"""The manager's screens for impact indicators (of an initiative or of the programme) and their
targets per period."""
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from programme.core.formatting import in_sentence
from programme.core.forms import EmptyForm, choices
from programme.core.permissions import manager_required
from programme.core.extensions import db
from programme.impact import bp
from programme.impact import operations as ops
from programme.impact.forms import UNIT_CHOICES, IndicatorForm, NewIndicatorForm, NewTargetForm, TargetForm
from programme.impact.models import ImpactIndicator, ImpactTarget
from programme.initiatives.models import Initiative
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator
from programme.core.editing import CONFLICT, EditConflict, VersionedForm, refuse, save_with_lock
from programme.core.operations import RuleError

__all__ = ["bp"]


def get_target(indicator: ImpactIndicator, target_id: int) -> ImpactTarget:
    """A target of this indicator; 404 for one of another indicator (a forged id in the URL)."""
    target = db.session.get(ImpactTarget, target_id)
    if target is None or target.indicator_id != indicator.id:
        abort(404)
    return target


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
    indicators = db.session.scalars(select(ImpactIndicator).order_by(ImpactIndicator.position,
                                                                     ImpactIndicator.id)).all()
    initiatives = {i.id: i for i in db.session.scalars(select(Initiative))}
    groups = {None: []}
    for initiative in sorted(initiatives.values(), key=lambda i: i.sort_key):
        groups[initiative.id] = []
    for indicator in indicators:
        groups[indicator.initiative_id].append(indicator)
    return render_template("impact/index.html", groups=groups, initiatives=initiatives)


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
        indicator = ops.create_indicator(initiative, _data(form, ops.INDICATOR_FIELDS))
        db.session.commit()
        flash("De indicator is toegevoegd. Voeg hieronder de streefwaarden per periode toe.", "info")
        return redirect(url_for("impact.edit_indicator", indicator_id=indicator.id) + "#streefwaarden")
    return render_template("impact/indicator.html", indicator=None, initiative=None, form=form, conflict=None)


@bp.route("/indicatoren/<int:indicator_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_indicator(indicator_id: int):
    indicator = db.get_or_404(ImpactIndicator, indicator_id)
    form = IndicatorForm(obj=indicator) if request.method == "GET" else IndicatorForm()
    _fill_choices(form, indicator)
    conflict = None
    if form.validate_on_submit():
        indicator, changed, conflict = save_with_lock(
            lambda: db.get_or_404(ImpactIndicator, indicator_id), form,
            lambda obj, version: ops.update_indicator(obj, _data(form, ops.INDICATOR_FIELDS),
                                                      expected_version=version),
            action="impact_indicator.update", names=ops.INDICATOR_FIELDS)
        if conflict is None:
            flash("De indicator is opgeslagen." if changed else "Er was niets gewijzigd.", "info")
            return redirect(url_for("impact.edit_indicator", indicator_id=indicator.id))
    initiative = db.session.get(Initiative, indicator.initiative_id) if indicator.initiative_id else None
    return render_template("impact/indicator.html", indicator=indicator, initiative=initiative, form=form,
                           conflict=conflict,
                           conflict_message=CONFLICT.format(what="deze indicator"),
                           has_measurements=ops.has_measurements(indicator),
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
    indicator = db.get_or_404(ImpactIndicator, indicator_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ops.set_indicator_archived(indicator, archived)
    db.session.commit()
    flash("De indicator is gearchiveerd." if archived else "De indicator is uit het archief gehaald.", "info")
    return redirect(url_for("impact.edit_indicator", indicator_id=indicator.id))


def _target_page(indicator, target, form, conflict=None, status=200, deleting=False):
    message = ("Iemand anders heeft deze streefwaarde gewijzigd nadat u de pagina opende. Zij is niet "
               "verwijderd. Hieronder staat wat nu is opgeslagen; verwijder opnieuw als dat nog steeds de "
               "bedoeling is." if deleting else CONFLICT.format(what="deze streefwaarde"))
    title = ("Niet verwijderd" if deleting else "Niet opgeslagen") + ": de streefwaarde is intussen gewijzigd"
    return render_template(
        "impact/target.html", indicator=indicator, target=target, form=form, conflict=conflict,
        conflict_title=title, conflict_message=message,
        same_text=None if deleting else "Uw invoer is gelijk aan wat nu is opgeslagen.",
        can_remove=target is not None and not ops.has_measurements(indicator),
        remove_form=VersionedForm(formdata=None, obj=target) if target else None), status


@bp.route("/indicatoren/<int:indicator_id>/streefwaarden/nieuw", methods=["GET", "POST"])
@manager_required
def new_target(indicator_id: int):
    indicator = db.get_or_404(ImpactIndicator, indicator_id)
    form = NewTargetForm()
    if form.validate_on_submit():
        try:
            ops.add_target(indicator, _data(form, ops.TARGET_FIELDS))
        except RuleError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash("De streefwaarde is toegevoegd.", "info")
            return redirect(url_for("impact.edit_indicator", indicator_id=indicator.id) + "#streefwaarden")
    return _target_page(indicator, None, form)


@bp.route("/indicatoren/<int:indicator_id>/streefwaarden/<int:target_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_target(indicator_id: int, target_id: int):
    indicator = db.get_or_404(ImpactIndicator, indicator_id)
    target = get_target(indicator, target_id)
    form = TargetForm(obj=target) if request.method == "GET" else TargetForm()
    conflict = None
    if form.validate_on_submit():
        try:
            target, changed, conflict = save_with_lock(
                lambda: get_target(db.get_or_404(ImpactIndicator, indicator_id), target_id), form,
                lambda obj, version: ops.update_target(obj, _data(form, ops.TARGET_FIELDS), expected_version=version),
                action="impact_target.update", names=ops.TARGET_FIELDS)
        except RuleError as error:
            form[error.field].errors.append(error.message)
        else:
            if conflict is None:
                flash("De streefwaarde is opgeslagen." if changed else "Er was niets gewijzigd.", "info")
                return redirect(url_for("impact.edit_indicator", indicator_id=indicator.id) + "#streefwaarden")
    return _target_page(indicator, target, form, conflict, 409 if conflict is not None else 200)


@bp.route("/indicatoren/<int:indicator_id>/streefwaarden/<int:target_id>/verwijderen", methods=["POST"])
@manager_required
def remove_target(indicator_id: int, target_id: int):
    indicator = db.get_or_404(ImpactIndicator, indicator_id)
    target = get_target(indicator, target_id)
    form = VersionedForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ops.remove_target(target, expected_version=int(form.version.data))
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        refuse("impact_target.delete", get_target(indicator, target_id), error.message)
        flash(error.message, "error")
        return redirect(url_for("impact.edit_target", indicator_id=indicator_id, target_id=target_id))
    except (EditConflict, StaleDataError):
        db.session.rollback()
        target = get_target(indicator, target_id)
        refuse("impact_target.delete", target, "bewerkconflict: verouderde versie")
        return _target_page(indicator, target, TargetForm(formdata=None, obj=target), [], 409, deleting=True)
    flash("De streefwaarde is verwijderd.", "info")
    return redirect(url_for("impact.edit_indicator", indicator_id=indicator.id) + "#streefwaarden")
