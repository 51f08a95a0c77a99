"""Progress pages: the overview per role, writing an update, the review actions and evidence files.
Who may see and do what is the models' question (ProgressUpdate.can_view, can_edit, can_review, ...):
an update this user may not see is a 404, an action they may not take a 403 that says why."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from programme.core import permissions
from programme.core.audit import AuditEntry
from programme.core.forms import EmptyForm
from programme.core.rate_limits import export_limit, upload_limit
from programme.core.extensions import db
from programme.initiatives.models import Initiative
from programme.progress import bp, editing, followup
from programme.progress import evidence as files
from programme.progress import operations as ops
from programme.progress.errors import PermissionDenied, StaleUpdate, WorkflowError
from programme.progress.forms import ApproveForm, choices, EvidenceForm, NewUpdateForm, ReturnForm
from programme.progress.models import (ApprovedUpdateIsFinal, Evidence, ProgressUpdate, ProgressRound,
                                       visible_history, visible_updates)

# What a change that lost a race with a parallel one runs into below the operations' own checks: a
# versioned UPDATE that matched no row, a unique revision taken, an update approved in the meantime.
LOST_RACE = (StaleDataError, IntegrityError, ApprovedUpdateIsFinal)
RACE_MESSAGE = ("Iemand anders heeft dit voortgangsbericht tegelijk met u gewijzigd. Uw handeling is niet "
                "uitgevoerd. Bekijk hieronder de huidige stand en probeer het zo nodig opnieuw.")

# ---------------------------------------------------------------- loading and refusing


def refuse(message: str, reason: str | None = None, update: ProgressUpdate | None = None):
    """403: nothing of this request is kept; the refusal is audited (message) and, with a reason
    written for the user, the page says why (and links back to the update)."""
    back = (url_for("progress.view", update_id=update.id), "Terug naar het voortgangsbericht") if update else None
    permissions.refuse("progress", message, reason=reason, back=back)


def report_refusal(initiative: Initiative) -> str:
    return f"U mag geen voortgang rapporteren voor initiatief {initiative}."


def get_update(update_id: int, *, lock: bool = False) -> ProgressUpdate:
    """404 when the update does not exist or this user may not see it (ProgressUpdate.can_view).
    A change locks the row first: parallel actions on one update take turns, and each one checks
    the state the one before it left (one submit succeeds, the others are told it is submitted)."""
    return permissions.get_visible_or_404(ProgressUpdate, update_id, lock=lock)


def get_reportable_update(update_id: int, *, lock: bool = False) -> ProgressUpdate:
    """A visible update whose initiative this user reports on; 403 with the reason otherwise."""
    update = get_update(update_id, lock=lock)
    if not update.initiative.can_report(current_user):
        refuse(f"geen rapporteur van voortgangsbericht {update.id}", report_refusal(update.initiative), update)
    return update


def get_reportable_initiative(initiative_id: int) -> Initiative:
    initiative = db.get_or_404(Initiative, initiative_id)
    if not initiative.can_report(current_user):
        refuse(f"geen rapporteur van initiatief {initiative.number}", report_refusal(initiative))
    return initiative


def run(action, *args, success: str | None = None, **kwargs):
    """Run an operation; commit once on success. Returns (ok, result); a refusal or a lost race is
    rolled back and flashed in Dutch."""
    try:
        result = action(*args, **kwargs)
        db.session.commit()
    except LOST_RACE:
        db.session.rollback()
        flash(RACE_MESSAGE, "error")
        return False, None
    except PermissionDenied as error:  # its message is written for the user
        update = next((getattr(arg, "update", arg) for arg in args if isinstance(arg, (ProgressUpdate, Evidence))),
                      None)
        refuse(str(error), str(error), update)
    except WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False, None
    if success:
        flash(success, "success")
    return True, result


def open_periods() -> list[ProgressRound]:
    return list(db.session.scalars(select(ProgressRound).where(ProgressRound.is_open.is_(True))
                                   .order_by(ProgressRound.starts_on, ProgressRound.id)))


def current_period(periods: list[ProgressRound]) -> ProgressRound | None:
    """The open period around today, else the latest open one that has started, else the first."""
    today = date.today()
    for period in periods:
        if period.starts_on <= today <= period.ends_on:
            return period
    started = [p for p in periods if p.starts_on <= today]
    return (started or periods or [None])[-1 if started else 0]


# ---------------------------------------------------------------- overview


@bp.route("/voortgang")
def index():
    periods = open_periods()
    chosen = request.args.get("periode", "")
    period = next((p for p in periods if str(p.id) == chosen), None) or current_period(periods)
    is_writer = ProgressUpdate.is_writer(current_user)
    due = followup.due_for(current_user, period) if period and is_writer else []
    can_manage_periods = ProgressRound.can_manage(current_user)
    all_periods = (db.session.scalars(select(ProgressRound).order_by(ProgressRound.starts_on.desc()))
                   .all() if can_manage_periods else [])
    approved = db.session.scalars(
        visible_updates(current_user).join(ProgressUpdate.period)
        .where(ProgressUpdate.id.in_(followup.counted_updates()))
        .order_by(ProgressRound.starts_on.desc(), ProgressUpdate.initiative_id)).all()
    is_reviewer = ProgressUpdate.is_reviewer(current_user)
    return render_template(
        "progress/index.html", periods=periods, period=period, due=due, approved=approved,
        queue=followup.review_queue() if is_reviewer else [], all_periods=all_periods,
        is_writer=is_writer, is_reviewer=is_reviewer, can_manage_periods=can_manage_periods, form=EmptyForm())


# ---------------------------------------------------------------- a new update


@bp.route("/initiatieven/<int:initiative_id>/voortgang/nieuw", methods=["GET", "POST"])
def new_update(initiative_id: int):
    initiative = get_reportable_initiative(initiative_id)
    periods = open_periods()
    form = NewUpdateForm()
    form.period_id.choices = choices((str(p.id), p.label) for p in periods)
    if request.method == "GET":
        form.period_id.data = request.args.get("periode") or (
            str(current_period(periods).id) if periods else None)
    elif form.validate_on_submit():
        value = form.period_id.data or ""
        period = db.session.get(ProgressRound, int(value)) if value.isdigit() and len(value) < 12 else None
        if period is None and value.isdigit():
            abort(404)  # a forged id, as in a URL
        if period is None:
            form.period_id.errors.append("Kies een periode uit de lijst.")
        else:
            ok, update = run(ops.create_draft, initiative, period, current_user,
                             success=f"Het concept voor {period.label} is aangemaakt.")
            if ok:
                return redirect(url_for("progress.edit", update_id=update.id))
    return render_template("progress/new.html", initiative=initiative, form=form, periods=periods)


# ---------------------------------------------------------------- one update


def _revisions(update: ProgressUpdate) -> list[ProgressUpdate]:
    """The revisions of the update's initiative and period that this user may see."""
    return list(db.session.scalars(visible_updates(current_user).where(
        ProgressUpdate.initiative_id == update.initiative_id, ProgressUpdate.period_id == update.period_id)
        .order_by(ProgressUpdate.revision)))


@bp.route("/voortgang/<int:update_id>")
def view(update_id: int):
    update = get_update(update_id)
    # Entries older than the update are about another object that once had its id (SQLite reuses the
    # id of a deleted last row: removed example data, for one).
    history = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "ProgressUpdate", AuditEntry.object_id == update.id,
        AuditEntry.created_dt >= update.created_dt, visible_history(current_user, update.initiative))
        .order_by(AuditEntry.created_dt, AuditEntry.id)).all()
    revisions = _revisions(update)
    return render_template(
        "progress/view.html", update=update, revisions=revisions, history=history,
        is_reviewer=ProgressUpdate.is_reviewer(current_user),
        is_latest=revisions[-1].id == update.id, form=EmptyForm(), return_form=ReturnForm(),
        approve_form=ApproveForm())


@bp.route("/voortgang/<int:update_id>/bewerken", methods=["GET", "POST"])
def edit(update_id: int):
    update = get_reportable_update(update_id, lock=request.method == "POST")
    if not update.is_editable or not update.period.is_open:
        try:
            ops.assert_period_open(update.period)
            flash(f"Dit voortgangsbericht is {update.status_label.lower()} en kan niet worden gewijzigd.", "error")
        except WorkflowError as error:
            flash(str(error), "error")
        return redirect(url_for("progress.view", update_id=update.id))
    choices = editing.Choices.for_update(update)
    form = editing.build_form(update, choices, request.method == "POST")
    stale = problem = None
    if request.method == "POST" and form.validate():
        data, row_errors = editing.content_from_form(form, update, choices, refuse)
        if not row_errors:
            try:
                ops.update_draft(update, data, current_user, expected_version=int(form.version.data))
                db.session.commit()
                flash("Het voortgangsbericht is opgeslagen.", "success")
                return redirect(url_for("progress.view", update_id=update.id))
            except PermissionDenied as error:
                refuse(str(error), str(error), update)
            except (StaleUpdate, StaleDataError):
                db.session.rollback()
                stale = editing.differences(update, data)
                form.version.data = str(update.version)
                form.version.raw_data = [str(update.version)]
            except WorkflowError as error:
                db.session.rollback()
                problem = str(error)
            except LOST_RACE:
                db.session.rollback()
                problem = RACE_MESSAGE
    errors = editing.error_list(form)
    status = 409 if stale is not None else (422 if errors or problem else 200)
    return render_template("progress/edit.html", update=update, form=form, choices=choices, errors=errors,
                           stale=stale, problem=problem, evidence_form=EvidenceForm(), delete_form=EmptyForm(),
                           stale_message=editing.STALE_MESSAGE), status


# ---------------------------------------------------------------- workflow actions


def _action(update_id: int, action, success: str, *args, **kwargs):
    update = get_update(update_id, lock=True)
    ok, _ = run(action, update, current_user, *args, success=success, **kwargs)
    return _back_to(update_id, ok)


def _back_to(update_id: int, ok: bool):
    """To the update: 302 after the change, 303 (See Other) after a refusal, whose reason is flashed."""
    return redirect(url_for("progress.view", update_id=update_id), code=302 if ok else 303)


@bp.route("/voortgang/<int:update_id>/indienen", methods=["POST"])
def submit(update_id: int):
    return _action(update_id, ops.submit, "Het voortgangsbericht is ingediend bij de programmamanager.")


def _review(update_id: int, action, form_class, success: str):
    """Return or approve with the manager's comment, validated like every other field (its length
    limit, a Dutch message, nothing changes). Rights come first: someone who may not review gets
    the 403 that says why, whatever they typed."""
    update = get_update(update_id, lock=True)
    form = form_class()
    if update.review_refusal(current_user) is None and not form.validate_on_submit():
        db.session.rollback()
        for _, message in editing.error_list(form):
            flash(message, "error")
        return _back_to(update_id, False)
    ok, _ = run(action, update, current_user, form.comment.data or None, success=success)
    return _back_to(update_id, ok)


@bp.route("/voortgang/<int:update_id>/terugsturen", methods=["POST"])
def return_update(update_id: int):
    return _review(update_id, ops.return_update, ReturnForm,
                   "Het voortgangsbericht is teruggestuurd naar de eigenaar.")


@bp.route("/voortgang/<int:update_id>/goedkeuren", methods=["POST"])
def approve(update_id: int):
    return _review(update_id, ops.approve, ApproveForm, "Het voortgangsbericht is goedgekeurd.")


@bp.route("/voortgang/<int:update_id>/corrigeren", methods=["POST"])
def correct(update_id: int):
    update = get_update(update_id, lock=True)
    ok, new = run(ops.correct, update, current_user,
                  success="Er is een nieuwe versie gemaakt om te corrigeren. De goedgekeurde versie blijft bewaard.")
    if ok:
        return redirect(url_for("progress.edit", update_id=new.id))
    return _back_to(update_id, ok)


# ---------------------------------------------------------------- evidence


@bp.route("/voortgang/<int:update_id>/bewijs", methods=["POST"])
@upload_limit
def upload_evidence(update_id: int):
    update = get_reportable_update(update_id, lock=True)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Kies een bestand om te uploaden.", "error")
        return redirect(url_for("progress.edit", update_id=update.id))
    data = upload.stream.read(files.MAX_SIZE + 1)
    try:
        name, mime_type = files.check(upload.filename, data)
    except files.EvidenceRefused as error:
        flash(f"Het bestand is niet opgeslagen. {error}", "error")
        return redirect(url_for("progress.edit", update_id=update.id))
    stored_name, sha256 = files.store(data)
    ok, _ = run(ops.add_evidence, update, current_user, original_name=name, stored_name=stored_name,
                mime_type=mime_type, size=len(data), sha256=sha256, success=f"Het bestand {name} is toegevoegd.")
    if not ok:
        files.discard(stored_name)
    return redirect(url_for("progress.edit", update_id=update.id))


def get_evidence(evidence_id: int) -> Evidence:
    """404 when the file does not exist or this user may not see its update."""
    return permissions.get_visible_or_404(Evidence, evidence_id)


@bp.route("/voortgang/bewijs/<int:evidence_id>")
@export_limit
def download_evidence(evidence_id: int):
    evidence = get_evidence(evidence_id)
    path = files.stored_path(evidence.stored_name)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=evidence.mime_type, as_attachment=True,
                         download_name=evidence.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/voortgang/bewijs/<int:evidence_id>/verwijderen", methods=["POST"])
def remove_evidence(evidence_id: int):
    evidence = get_evidence(evidence_id)
    update_id, name = evidence.update_id, evidence.original_name
    # The file stays on disk: an approved revision may share it.
    run(ops.remove_evidence, evidence, current_user, success=f"Het bestand {name} is verwijderd.")
    return redirect(url_for("progress.edit", update_id=update_id))
