"""The manager's pages for monitor editions and their imports.

The editions and their imports, the import flow (upload, validation report, preview, confirm), the
templates to download, and adding a monitor indicator."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from programme.core.extensions import db
from programme.core.operations import run
from programme.core.permissions import manager_required
from programme.core.rate_limits import upload_limit
from programme.core.sourced import cite
from programme.monitor import bp, import_rows, imports, operations as ops, uploads
from programme.monitor.forms import ConfirmForm, IndicatorForm, StatusForm, UploadForm
from programme.monitor.models import MonitorEdition, MonitorIndicator, MonitorValue
from programme.monitor.spreadsheets import FORMATS, UnreadableFile, file_format, template_csv, template_xlsx

SHOWN_PROBLEMS = 500  # a report longer than this shows the first ones and says how many more
SHOWN_ADDITIONS = 200


@bp.route("/monitor/edities")
@manager_required
def editions():
    rows = db.session.execute(select(MonitorEdition, func.count(MonitorValue.id))
                              .outerjoin(MonitorValue, MonitorValue.edition_id == MonitorEdition.id)
                              .group_by(MonitorEdition.id).order_by(MonitorEdition.year.desc())).all()
    return render_template("monitor/editions.html", rows=rows, form=StatusForm(formdata=None))


@bp.route("/monitor/edities/<int:edition_id>/status", methods=["POST"])
@manager_required
def edition_status(edition_id: int):
    edition = db.get_or_404(MonitorEdition, edition_id)
    form = StatusForm()
    if form.validate_on_submit():
        published = form.status.data == "published"
        run(ops.set_status, edition, form.status.data, actor=current_user, reason=form.reason.data, form=form,
            success=f"De editie {edition.year} is {'gepubliceerd' if published else 'ingetrokken'}.")
    return redirect(url_for("monitor.editions") + f"#editie-{edition.year}")


def _default_year() -> int:
    latest = db.session.scalar(select(func.max(MonitorEdition.year)))
    return (latest or 2018) + 2


@bp.route("/monitor/import", methods=["GET", "POST"])
@manager_required
@upload_limit
def upload():
    form = UploadForm()
    if request.method == "GET":
        form.year.data = request.args.get("jaar", type=int) or _default_year()
    if form.validate_on_submit():
        file = form.file.data
        try:
            file_format(file.filename or "")
        except UnreadableFile as error:
            form.file.errors = [error.message]
        else:
            saved = uploads.save(file.read(), user_id=current_user.id, file_name=file.filename,
                                 year=form.year.data, layout=form.layout.data, edition_name=form.name.data or None)
            return redirect(url_for("monitor.import_report", token=saved.token))
    return render_template("monitor/import_upload.html", form=form, year=form.year.data or _default_year(),
                           formats=FORMATS, rule=import_rows.NOTATION_RULE)


def _upload_or_404(token: str) -> uploads.Upload:
    found = uploads.load(token, current_user.id)
    if found is None:
        abort(404)
    return found


def _plan(found: uploads.Upload):
    try:
        return imports.plan_file(found.data, found.file_name, found.year, found.layout), None
    except UnreadableFile as error:
        return None, error.message


@bp.route("/monitor/import/<token>")
@manager_required
def import_report(token: str):
    found = _upload_or_404(token)
    plan, unreadable = _plan(found)
    return render_template("monitor/import_report.html", upload=found, plan=plan, unreadable=unreadable,
                           layouts=imports.LAYOUTS, notations=import_rows.NOTATIONS, rule=import_rows.NOTATION_RULE,
                           shown=SHOWN_PROBLEMS)


@bp.route("/monitor/import/<token>/voorbeeld", methods=["GET", "POST"])
@manager_required
def import_preview(token: str):
    found = _upload_or_404(token)
    plan, unreadable = _plan(found)
    if plan is None:
        return redirect(url_for("monitor.import_report", token=token))
    form = ConfirmForm()
    if form.validate_on_submit():
        outcome = run(ops.import_values, plan, actor=current_user, file_sha256=imports.sha256(found.data),
                      only_valid=form.only_valid.data, reason=form.reason.data,
                      expected=form.fingerprint.data or None, edition_name=found.edition_name, form=form)
        if outcome:
            uploads.discard(token)
            record = outcome.result
            if record is None:
                flash("Er is niets veranderd: alle waarden in het bestand stonden er al zo.", "success")
            else:
                flash(f"Geïmporteerd in {record.edition.label}: {record.added} toegevoegd, {record.changed} "
                      f"gewijzigd, {record.unchanged} ongewijzigd"
                      + (f", {record.refused} geweigerd en overgeslagen." if record.refused else "."), "success")
            return redirect(url_for("monitor.editions") + f"#editie-{plan.year}")
        plan, _ = _plan(found)  # as it is now, after the rollback
    form.fingerprint.data = plan.fingerprint()
    return render_template("monitor/import_preview.html", upload=found, plan=plan, form=form,
                           shown=SHOWN_ADDITIONS, cite=cite)


@bp.route("/monitor/import/sjabloon/<layout>.<fmt>")
@manager_required
def import_template(layout: str, fmt: str):
    if layout not in imports.LAYOUTS or fmt not in FORMATS:
        abort(404)
    year = request.args.get("jaar", type=int) or _default_year()
    if not ops.FIRST_YEAR <= year <= ops.LAST_YEAR:
        abort(404)
    rows = imports.template_rows(layout, year)
    name = f"monitor-{year}-{'lang' if layout == 'long' else 'breed'}.{fmt}"
    if fmt == "csv":
        data, mimetype = template_csv(rows), "text/csv; charset=utf-8"
    else:
        notes = [f"Sjabloon voor de Monitor Sociale Veerkracht {year}, indeling {imports.LAYOUTS[layout]}.",
                 "Vul alleen waarden in; een lege cel betekent ‘geen waarde’ en verwijdert niets.",
                 "Gebieden: de gemeenten van " + str(year) + ", de COROP-regio's en Brabant (CBS-code of naam).",
                 import_rows.NOTATION_RULE]
        data = template_xlsx(rows, sheet="Waarden", notes=notes)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/monitor/indicatoren/nieuw", methods=["GET", "POST"])
@manager_required
def new_indicator():
    form = IndicatorForm()
    if form.validate_on_submit():
        outcome = run(ops.add_indicator, form.values(), actor=current_user, form=form,
                      success="De monitorindicator is toegevoegd.")
        if outcome:
            return redirect(url_for("monitor.editions") + "#indicatoren")
    indicators = db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position)).all()
    return render_template("monitor/indicator_new.html", form=form, count=len(indicators))
