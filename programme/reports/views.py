"""Report pages: the archive and its downloads (manager and GS/PS readers), asking for a report and following its build.

Web workers never build: a request only queues a build, which the scheduler process picks up.
Schedules, recipients and the test e-mail are in views_settings, the web preview in views_preview."""
import io

from flask import abort, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from programme.core.audit import record_refusal
from programme.core.extensions import db
from programme.core.formatting import number
from programme.core.forms import EmptyForm
from programme.core.operations import run
from programme.core.permissions import MANAGER, READER, is_manager, manager_required, roles_required
from programme.core.rate_limits import export_limit
from programme.initiatives.models import Initiative
from programme.reports import bp, mail, operations, queries
from programme.reports.archive import report_file
from programme.core.edit_pages import button_action, require_button_form
from programme.reports.forms import AskReportForm
from programme.reports.kinds import KIND_LABELS
from programme.reports.models import DONE, FAILED, MAX_DELIVERY_ATTEMPTS, QUEUED, ReportBuild
from programme.reports.rendering.excel import MIMETYPE as EXCEL_MIMETYPE
from programme.reports.rendering.excel import excel_filename, workbook_bytes
from programme.reports.spans import parse_span, today_in_amsterdam

archive_access = roles_required(MANAGER, READER)
PER_PAGE = 20
# A refused request may be tried again after about this many seconds (Retry-After).
RETRY_AFTER = 60
FAILED_FILTER = "mislukt"


@bp.context_processor
def report_page_context():
    """Every report page: whether this user manages reports, whether mail can go out at all, and
    (for the manager) how many deliveries failed."""
    manages = is_manager(current_user)
    return {"manages_reports": manages, "mail_ready": mail.mail_configured(),
            "failed_deliveries": queries.failed_count() if manages else 0}


def file_size(size: int | None) -> str:
    if size is None:
        return "–"
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{number(round(size / 1024, 1), 1)} kB"
    return f"{number(round(size / 1024 / 1024, 1), 1)} MB"


# ---------------------------------------------------------------- the archive

@bp.route("/rapportages")
@archive_access
def index():
    kind = request.args.get("soort") if request.args.get("soort") in KIND_LABELS else None
    only_failed = request.args.get("verzending") == FAILED_FILTER
    page_number = request.args.get("pagina", "")
    page = db.paginate(queries.archive(kind, only_failed),
                       page=int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1,
                       per_page=PER_PAGE, error_out=False)
    url_args = {key: value for key, value in (("soort", kind), ("verzending", FAILED_FILTER if only_failed else None))
                if value}
    mail_ready = mail.mail_configured()
    return render_template("reports/index.html", page=page, kind=kind, kinds=KIND_LABELS, only_failed=only_failed,
                           url_args=url_args, file_size=file_size, button_form=EmptyForm(),
                           state_of=lambda d: queries.delivery_state(d, mail_ready=mail_ready),
                           max_attempts=MAX_DELIVERY_ATTEMPTS)


@bp.route("/rapportages/<int:report_id>/pdf")
@archive_access
@export_limit
def download_pdf(report_id: int):
    report = queries.get_report(report_id)
    path = report_file(report)  # from the stored, generated name only
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
    report = queries.get_report(report_id)
    response = send_file(io.BytesIO(workbook_bytes(report)), mimetype=EXCEL_MIMETYPE, as_attachment=True,
                         download_name=excel_filename(report), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/rapportages/verzendingen/<int:delivery_id>/opnieuw", methods=["POST"])
@manager_required
def resend_delivery(delivery_id: int):
    delivery = queries.get_delivery(delivery_id)
    return button_action(operations.resend, delivery, actor=current_user,
                         done=f"De rapportage wordt opnieuw verstuurd naar {delivery.email}.",
                         to=url_for("reports.index"), category="success")


# ---------------------------------------------------------------- asking for a report and its builds

def _queue_refusal(outcome, kind: str, period_code: str, initiative_id: int | None):
    """When the queue refused the request (QueueRefused, or another person's identical request that
    was committed first): audit the refusal and return the build in the way (or None); else False."""
    if isinstance(outcome.error, operations.QueueRefused):
        record_refusal("rate", outcome.error.message)
        return outcome.error.in_the_way
    if isinstance(outcome.error, IntegrityError):
        record_refusal("rate", operations.DUPLICATE)
        return queries.open_build(kind, period_code, initiative_id)
    return False


@bp.route("/rapportages/aanvragen", methods=["GET", "POST"])
@manager_required
def ask():
    form = AskReportForm(today=today_in_amsterdam(), initiatives=queries.initiatives_to_report_on())
    in_the_way, status = None, 200
    if form.validate_on_submit():
        span = parse_span(form.period.data)
        initiative = db.session.get(Initiative, int(form.initiative.data)) if form.initiative.data else None
        initiative_id = initiative.id if initiative else None
        outcome = run(operations.ask_for_report, form.kind.data, span, user=current_user, initiative=initiative,
                      provisional=form.provisional.data, today=form.today, form=form,
                      race_message=operations.DUPLICATE)
        if outcome:
            return redirect(url_for("reports.build", build_id=outcome.result.id))
        refused = _queue_refusal(outcome, form.kind.data, span.code, initiative_id)
        if refused is not False:
            in_the_way, status = refused, 429
    headers = {"Retry-After": str(RETRY_AFTER)} if status == 429 else {}
    return render_template("reports/ask.html", form=form, builds=queries.recent_builds(), in_the_way=in_the_way,
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
    return {
        "id": build.id,
        "status": build.status,
        "status_label": build.status_label,
        "progress": build.progress,
        "progress_label": build.progress_label or "",
        "finished": build.is_finished,
        "message": message,
        # The technical reason is for the manager, who can retry; a reader sees that it failed.
        "error": build.error if build.status == FAILED and is_manager(current_user) else None,
        "pdf_url": url_for("reports.download_pdf", report_id=report.id) if report else None,
        "excel_url": url_for("reports.download_excel", report_id=report.id) if report else None,
        "report_title": f"{report.title} (versie {report.version})" if report else None,
        "is_provisional": build.is_provisional,
    }


@bp.route("/rapportages/opdrachten/<int:build_id>")
@archive_access
def build(build_id: int):
    item = queries.get_build(build_id)
    return render_template("reports/build.html", build=item, state=build_state(item), button_form=EmptyForm())


@bp.route("/rapportages/opdrachten/<int:build_id>/status")
@archive_access
def build_status(build_id: int):
    return jsonify(build_state(queries.get_build(build_id)))


@bp.route("/rapportages/opdrachten/<int:build_id>/opnieuw", methods=["POST"])
@manager_required
def retry_build(build_id: int):
    item = queries.get_build(build_id)
    require_button_form()
    kind, period_code, initiative_id = item.kind, item.period_code, item.initiative_id
    outcome = run(operations.retry, item, current_user, race_message=operations.DUPLICATE,
                  success="De rapportage staat weer in de wachtrij.")
    _queue_refusal(outcome, kind, period_code, initiative_id)
    return redirect(url_for("reports.build", build_id=build_id))
