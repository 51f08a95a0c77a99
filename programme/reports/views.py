"""Report pages: the archive and its downloads (manager and GS/PS readers); asking for a report and
following its build, schedules and recipients (manager). Web workers never build: a request only
queues a build, which the scheduler process picks up."""
import io

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from programme.accounts.models import User
from programme.core.audit import record_refusal
from programme.core.formatting import number
from programme.core.forms import EmptyForm
from programme.core.permissions import MANAGER, READER, manager_required, roles_required
from programme.core.rate_limits import export_limit
from programme.core.extensions import db
from programme.initiatives.models import Initiative
from programme.core.editing import CONFLICT, save_with_lock
from programme.reports import bp
from programme.reports import delivery as deliveries
from programme.reports import schedules
from programme.reports.build import ReportRequestError, request_report, retry, today_in_amsterdam
from programme.reports.excel import MIMETYPE as EXCEL_MIMETYPE
from programme.reports.excel import excel_filename, workbook_bytes
from programme.reports.forms import AskReportForm, MailCheckForm, RecipientForm, ScheduleEditForm, ScheduleForm
from programme.reports.models import (DONE, FAILED, KIND_IN_SENTENCE, KIND_LABELS, QUEUED, RUNNING, Delivery,
                                      IssuedReport, ReportBuild, ReportRecipient, ReportSchedule)
from programme.reports.periods import parse_period

archive_access = roles_required(MANAGER, READER)
PER_PAGE = 20
RECENT_BUILDS = 20
# SECURITY.md 14: building is expensive, so one person has only a few builds waiting at a time.
MAX_OPEN_PER_USER = 3
# A refused request may be tried again after about this many seconds (Retry-After).
RETRY_AFTER = 60
DUPLICATE = ("Deze rapportage staat al in de wachtrij of wordt gemaakt. Wacht tot die klaar is voordat u haar "
             "opnieuw aanvraagt.")


# ---------------------------------------------------------------- loading (404 when it does not exist)

def get_report(report_id: int) -> IssuedReport:
    return db.get_or_404(IssuedReport, report_id)


def get_build(build_id: int) -> ReportBuild:
    return db.get_or_404(ReportBuild, build_id)


# The fields of the schedule form, as its conflict screen compares them.
SCHEDULE_FIELDS = ("name", "days_after_period", "hour", "starts_on")


def get_schedule(schedule_id: int) -> ReportSchedule:
    return db.get_or_404(ReportSchedule, schedule_id)


def get_recipient(recipient_id: int) -> ReportRecipient:
    return db.get_or_404(ReportRecipient, recipient_id)


def get_delivery(delivery_id: int) -> Delivery:
    return db.get_or_404(Delivery, delivery_id)


def _user():
    return current_user._get_current_object()


def _today():
    return today_in_amsterdam()


@bp.context_processor
def mail_status():
    """Every report page: whether mail can go out at all, and (for the manager) how many deliveries failed."""
    manager = current_user.is_authenticated and current_user.is_manager
    return {"mail_ready": deliveries.mail_configured(),
            "failed_deliveries": deliveries.failed_count() if manager else 0}


def _require_post_form() -> None:
    """POST-only buttons: the CSRF token is checked by CSRFProtect, the empty form must validate too."""
    if not EmptyForm().validate_on_submit():
        abort(400)


def file_size(size: int | None) -> str:
    if size is None:
        return "–"
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{number(round(size / 1024, 1), 1)} kB"
    return f"{number(round(size / 1024 / 1024, 1), 1)} MB"


# ---------------------------------------------------------------- the archive

FAILED_FILTER = "mislukt"


@bp.route("/rapportages")
@archive_access
def index():
    kind = request.args.get("soort") if request.args.get("soort") in KIND_LABELS else None
    only_failed = request.args.get("verzending") == FAILED_FILTER
    query = (select(IssuedReport).options(selectinload(IssuedReport.deliveries))
             .order_by(IssuedReport.created_dt.desc(), IssuedReport.id.desc()))
    if kind:
        query = query.where(IssuedReport.kind == kind)
    if only_failed:
        query = query.where(IssuedReport.deliveries.any(Delivery.status == FAILED))
    page_number = request.args.get("pagina", "")
    page = db.paginate(query, page=int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1,
                       per_page=PER_PAGE, error_out=False)
    url_args = {key: value for key, value in (("soort", kind), ("verzending", FAILED_FILTER if only_failed else None))
                if value}
    mail_ready = deliveries.mail_configured()
    return render_template("reports/index.html", page=page, kind=kind, kinds=KIND_LABELS, only_failed=only_failed,
                           url_args=url_args, file_size=file_size, button_form=EmptyForm(),
                           state_of=lambda d: deliveries.delivery_state(d, mail_ready=mail_ready),
                           max_attempts=deliveries.MAX_ATTEMPTS)


@bp.route("/rapportages/<int:report_id>/pdf")
@archive_access
@export_limit
def download_pdf(report_id: int):
    report = get_report(report_id)
    path = deliveries.report_file(report)  # from the stored, generated name only
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True, download_name=report.filename,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/rapportages/<int:report_id>/excel")
@archive_access
@export_limit
def download_excel(report_id: int):
    report = get_report(report_id)
    response = send_file(io.BytesIO(workbook_bytes(report)), mimetype=EXCEL_MIMETYPE, as_attachment=True,
                         download_name=excel_filename(report), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/rapportages/verzendingen/<int:delivery_id>/opnieuw", methods=["POST"])
@manager_required
def resend_delivery(delivery_id: int):
    delivery = get_delivery(delivery_id)
    _require_post_form()
    try:
        deliveries.resend(delivery, actor=_user())
    except deliveries.RecipientError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"De rapportage wordt opnieuw verstuurd naar {delivery.email}.", "info")
    return redirect(url_for("reports.index"))


# ---------------------------------------------------------------- asking for a report and its builds

def _open_builds(kind: str, period_code: str, initiative_id: int | None, *, exclude: int | None = None):
    query = select(ReportBuild).where(ReportBuild.kind == kind, ReportBuild.period_code == period_code,
                                      ReportBuild.status.in_((QUEUED, RUNNING)))
    query = query.where(ReportBuild.initiative_id == initiative_id if initiative_id is not None
                        else ReportBuild.initiative_id.is_(None))
    if exclude is not None:
        query = query.where(ReportBuild.id != exclude)
    return db.session.scalar(query.order_by(ReportBuild.id).limit(1))


def _one_request_at_a_time() -> None:
    """Lock the requester's row until the commit, so that one person's parallel requests are counted
    one after another and the cap of MAX_OPEN_PER_USER holds whatever the parallelism (each count, a
    statement of its own, sees the builds that the requests before it committed). SQLite has no row
    locks; it is the single-user development database."""
    db.session.execute(select(User.id).where(User.id == current_user.id).with_for_update())


def refusal_for(kind: str, period_code: str, initiative_id: int | None, *,
                exclude: int | None = None) -> tuple[str, ReportBuild | None] | None:
    """Why this request may not be queued now (a Dutch message and the build in the way), or None.
    Call it after _one_request_at_a_time(); identical builds of two people are kept apart by the
    database (the partial unique indexes on report_builds)."""
    existing = _open_builds(kind, period_code, initiative_id, exclude=exclude)
    if existing is not None:
        return (f"Deze rapportage staat al in de wachtrij of wordt gemaakt (opdracht {existing.id}). "
                "Wacht tot die klaar is voordat u haar opnieuw aanvraagt.", existing)
    mine = db.session.scalar(select(func.count(ReportBuild.id)).where(
        ReportBuild.requested_by_id == current_user.id, ReportBuild.status.in_((QUEUED, RUNNING))))
    if mine >= MAX_OPEN_PER_USER:
        return (f"U heeft al {mine} rapportages in de wachtrij. Wacht tot er een klaar is en vraag dan "
                "een nieuwe aan.", None)
    return None


def _initiatives() -> list[Initiative]:
    found = db.session.scalars(select(Initiative).where(Initiative.is_archived.is_(False))).all()
    return sorted(found, key=lambda i: i.sort_key)


def _recent_builds() -> list[ReportBuild]:
    return db.session.scalars(select(ReportBuild).order_by(ReportBuild.created_dt.desc(), ReportBuild.id.desc())
                              .limit(RECENT_BUILDS)).all()


@bp.route("/rapportages/aanvragen", methods=["GET", "POST"])
@manager_required
def ask():
    initiatives = _initiatives()
    form = AskReportForm(today=_today(), initiatives=initiatives)
    in_the_way = None
    status = 200
    if form.validate_on_submit():
        period = parse_period(form.period.data)
        initiative = db.session.get(Initiative, int(form.initiative.data)) if form.initiative.data else None
        initiative_id = initiative.id if initiative else None
        _one_request_at_a_time()
        refusal = refusal_for(form.kind.data, period.code, initiative_id)
        if refusal is None:
            try:
                build = request_report(form.kind.data, period, initiative=initiative, user=_user(),
                                       provisional=form.provisional.data, today=form.today)
                db.session.commit()
            except ReportRequestError as error:
                db.session.rollback()
                form.form_errors.append(str(error))
            except IntegrityError:  # another person's identical request was committed first
                db.session.rollback()
                refusal = (DUPLICATE, _open_builds(form.kind.data, period.code, initiative_id))
            else:
                return redirect(url_for("reports.build", build_id=build.id))
        if refusal is not None:
            db.session.rollback()  # ends the lock before the refusal is written
            message, in_the_way = refusal
            record_refusal("rate", message)
            form.form_errors.append(message)
            status = 429
    headers = {"Retry-After": str(RETRY_AFTER)} if status == 429 else {}
    return render_template("reports/ask.html", form=form, builds=_recent_builds(), in_the_way=in_the_way,
                           button_form=EmptyForm()), status, headers


def build_state(build: ReportBuild) -> dict:
    """What the build page shows, also as JSON for the page's polling script."""
    report = build.report if build.status == DONE else None
    if build.status == DONE:
        message = "Klaar: de rapportage staat in het archief."
    elif build.status == FAILED:
        message = "Het maken van de rapportage is mislukt."
    elif build.status == QUEUED:
        message = "In de wachtrij: het maken begint zo."
    else:
        message = f"Wordt gemaakt: {build.progress_label or 'bezig'} ({build.progress}%)."
    state = {
        "id": build.id,
        "status": build.status,
        "status_label": build.status_label,
        "progress": build.progress,
        "progress_label": build.progress_label or "",
        "finished": build.is_finished,
        "message": message,
        # The technical reason is for the manager, who can retry; a reader sees that it failed.
        "error": build.error if build.status == FAILED and current_user.is_manager else None,
        "pdf_url": url_for("reports.download_pdf", report_id=report.id) if report else None,
        "excel_url": url_for("reports.download_excel", report_id=report.id) if report else None,
        "report_title": f"{report.title} (versie {report.version})" if report else None,
        "is_provisional": build.is_provisional,
    }
    return state


@bp.route("/rapportages/opdrachten/<int:build_id>")
@archive_access
def build(build_id: int):
    item = get_build(build_id)
    return render_template("reports/build.html", build=item, state=build_state(item), button_form=EmptyForm())


@bp.route("/rapportages/opdrachten/<int:build_id>/status")
@archive_access
def build_status(build_id: int):
    return jsonify(build_state(get_build(build_id)))


@bp.route("/rapportages/opdrachten/<int:build_id>/opnieuw", methods=["POST"])
@manager_required
def retry_build(build_id: int):
    item = get_build(build_id)
    _require_post_form()
    _one_request_at_a_time()
    db.session.refresh(item)  # as it is now, after a parallel retry that went first
    refusal = refusal_for(item.kind, item.period_code, item.initiative_id, exclude=item.id)
    if refusal is not None:
        db.session.rollback()
        record_refusal("rate", refusal[0])
        flash(refusal[0], "error")
        return redirect(url_for("reports.build", build_id=item.id))
    try:
        retry(item, _user())
        db.session.commit()
    except ReportRequestError as error:
        db.session.rollback()
        flash(str(error), "error")
    except IntegrityError:
        db.session.rollback()
        record_refusal("rate", DUPLICATE)
        flash(DUPLICATE, "error")
    else:
        flash("De rapportage staat weer in de wachtrij.", "info")
    return redirect(url_for("reports.build", build_id=item.id))


# ---------------------------------------------------------------- schedules

@bp.route("/rapportages/planning")
@manager_required
def schedule_list():
    found = db.session.scalars(select(ReportSchedule).order_by(ReportSchedule.is_active.desc(),
                                                               ReportSchedule.name)).all()
    return render_template("reports/schedules.html", schedules=found,
                           next_fire={s.id: schedules.next_fire(s) for s in found}, button_form=EmptyForm())


@bp.route("/rapportages/planning/nieuw", methods=["GET", "POST"])
@manager_required
def schedule_create():
    form = ScheduleForm()
    if request.method == "GET":
        form.days_after_period.data, form.hour.data, form.starts_on.data = 15, 6, _today()
    if form.validate_on_submit():
        try:
            schedule = schedules.create_schedule(form.name.data, form.kind.data, form.days_after_period.data,
                                                 form.hour.data, form.starts_on.data, user=_user())
        except schedules.ScheduleError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(f"De planning ‘{schedule.name}’ is aangemaakt.", "info")
            return redirect(url_for("reports.schedule_list"))
    return render_template("reports/schedule_form.html", form=form, schedule=None)


@bp.route("/rapportages/planning/<int:schedule_id>/bewerken", methods=["GET", "POST"])
@manager_required
def schedule_edit(schedule_id: int):
    schedule = get_schedule(schedule_id)
    # Only the GET fills the form from the record: a POST without the version must not inherit it.
    form = ScheduleEditForm(obj=schedule) if request.method == "GET" else ScheduleEditForm()
    conflict = None
    if form.validate_on_submit():
        try:
            schedule, _changed, conflict = save_with_lock(
                lambda: get_schedule(schedule_id), form,
                lambda obj, version: schedules.update_schedule(
                    obj, name=form.name.data, days_after_period=form.days_after_period.data, hour=form.hour.data,
                    starts_on=form.starts_on.data, user=_user(), expected_version=version),
                action="report_schedule_updated", names=SCHEDULE_FIELDS)
        except schedules.ScheduleError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            if conflict is None:
                flash(f"De planning ‘{schedule.name}’ is opgeslagen.", "info")
                return redirect(url_for("reports.schedule_list"))
    return render_template("reports/schedule_form.html", form=form, schedule=schedule, conflict=conflict,
                           conflict_message=CONFLICT.format(what="deze planning")
                           ), 409 if conflict is not None else 200


def _switch_schedule(schedule_id: int, active: bool):
    schedule = get_schedule(schedule_id)
    _require_post_form()
    try:
        (schedules.activate if active else schedules.deactivate)(schedule, user=_user())
    except schedules.ScheduleError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"De planning ‘{schedule.name}’ is {'aangezet' if active else 'gestopt'}.", "info")
    return redirect(url_for("reports.schedule_list"))


@bp.route("/rapportages/planning/<int:schedule_id>/stoppen", methods=["POST"])
@manager_required
def schedule_deactivate(schedule_id: int):
    return _switch_schedule(schedule_id, False)


@bp.route("/rapportages/planning/<int:schedule_id>/aanzetten", methods=["POST"])
@manager_required
def schedule_activate(schedule_id: int):
    return _switch_schedule(schedule_id, True)


# ---------------------------------------------------------------- recipients

@bp.route("/rapportages/ontvangers", methods=["GET", "POST"])
@manager_required
def recipients():
    form = RecipientForm()
    if form.validate_on_submit():
        try:
            recipient = deliveries.add_recipient(form.kind.data, form.email.data, form.name.data, actor=_user())
        except deliveries.RecipientError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{recipient.email} ontvangt voortaan de {KIND_IN_SENTENCE[recipient.kind]}.", "info")
            return redirect(url_for("reports.recipients"))
    found = db.session.scalars(select(ReportRecipient).order_by(ReportRecipient.kind, ReportRecipient.email)).all()
    by_kind = {kind: [r for r in found if r.kind == kind] for kind in KIND_LABELS}
    return render_template("reports/recipients.html", form=form, by_kind=by_kind, kinds=KIND_LABELS,
                           button_form=EmptyForm(), mail_form=_mail_check_form(),
                           mail_server=deliveries.mail_server_label())


def _mail_check_form(**kwargs) -> MailCheckForm:
    form = MailCheckForm(**kwargs)
    if not form.is_submitted():
        form.to.data = current_user.email
    return form


@bp.route("/rapportages/testmail", methods=["POST"])
@manager_required
def send_mail_check():
    form = _mail_check_form()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(form.to.errors) or "Vul een geldig e-mailadres in.", "error")
        return redirect(url_for("reports.recipients"))
    sent, message = deliveries.send_test_mail(form.to.data, actor=_user())
    db.session.commit()  # the audit entry, whatever the outcome
    flash(message, "success" if sent else "error")
    return redirect(url_for("reports.recipients"))


def _set_recipient(recipient_id: int, active: bool):
    recipient = get_recipient(recipient_id)
    _require_post_form()
    if deliveries.set_recipient_active(recipient, active, actor=_user()):
        db.session.commit()
        flash(f"{recipient.email} is {'weer actief' if active else 'gepauzeerd'} voor de "
              f"{KIND_IN_SENTENCE[recipient.kind]}.", "info")
    return redirect(url_for("reports.recipients"))


@bp.route("/rapportages/ontvangers/<int:recipient_id>/pauzeren", methods=["POST"])
@manager_required
def recipient_pause(recipient_id: int):
    return _set_recipient(recipient_id, False)


@bp.route("/rapportages/ontvangers/<int:recipient_id>/hervatten", methods=["POST"])
@manager_required
def recipient_resume(recipient_id: int):
    return _set_recipient(recipient_id, True)


@bp.route("/rapportages/ontvangers/<int:recipient_id>/verwijderen", methods=["POST"])
@manager_required
def recipient_remove(recipient_id: int):
    recipient = get_recipient(recipient_id)
    _require_post_form()
    email, kind = recipient.email, recipient.kind
    deliveries.remove_recipient(recipient, actor=_user())
    db.session.commit()
    flash(f"{email} ontvangt de {KIND_IN_SENTENCE[kind]} niet meer.", "info")
    return redirect(url_for("reports.recipients"))
