"""Progress pages: the overview, writing an update, the review actions and evidence files.

Who may see and do what is the models' question (ProgressUpdate.can_view, can_edit, ...): an update
this user may not see is a 404, an action they may not take a 403 that says why. Each change is one
operation run by core.operations.run()."""
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from programme.core import permissions
from programme.core.extensions import db
from programme.core.forms import EmptyForm
from programme.core.operations import Stale, run
from programme.core.rate_limits import export_limit, upload_limit
from programme.initiatives.models import Initiative
from programme.progress import bp, queries
from programme.progress import evidence as files
from programme.progress import operations as ops
from programme.progress.audit_labels import HISTORY_LABELS
from programme.progress.forms import (STALE_MESSAGE, ApproveForm, EvidenceForm, NewUpdateForm, ReturnForm, choices,
                                      differences, edit_form, error_list, update_values)
from programme.progress.models import ProgressRound, ProgressUpdate
from programme.progress.update_items import Evidence

RACE_MESSAGE = ("Iemand anders heeft dit voortgangsbericht tegelijk met u gewijzigd. Uw handeling is niet "
                "uitgevoerd. Bekijk hieronder de huidige stand en probeer het zo nodig opnieuw.")

# ---------------------------------------------------------------- loading and refusing


def _refuse(message: str, reason: str, update: ProgressUpdate | None = None):
    back = (url_for("progress.view", update_id=update.id), "Terug naar het voortgangsbericht") if update else None
    permissions.refuse("progress", message, reason=reason, back=back)


def get_update(update_id: int, *, lock: bool = False) -> ProgressUpdate:
    """404 when the update does not exist or this user may not see it (ProgressUpdate.can_view).
    A change locks the row first: parallel actions on one update take turns, and each one checks
    the state the one before it left (one submit succeeds, the others are told it is submitted)."""
    return permissions.get_visible_or_404(ProgressUpdate, update_id, lock=lock)


def get_reportable_update(update_id: int, *, lock: bool = False) -> ProgressUpdate:
    """A visible update whose initiative this user reports on; 403 with the reason otherwise (before
    a form is read or a file stored)."""
    update = get_update(update_id, lock=lock)
    if not update.can_report(current_user):
        _refuse(f"geen rapporteur van voortgangsbericht {update.id}", ops.report_refusal(update.initiative), update)
    return update


def get_reportable_initiative(initiative_id: int) -> Initiative:
    initiative = db.get_or_404(Initiative, initiative_id)
    if not initiative.can_report(current_user):
        _refuse(f"geen rapporteur van initiatief {initiative.number}", ops.report_refusal(initiative))
    return initiative


# ---------------------------------------------------------------- overview


@bp.route("/voortgang")
def index():
    rounds = queries.open_rounds()
    chosen = request.args.get("periode", "")
    period = next((p for p in rounds if str(p.id) == chosen), None) or queries.current_round(rounds)
    is_writer = ProgressUpdate.is_writer(current_user)
    is_reviewer = ProgressUpdate.is_reviewer(current_user)
    can_manage_periods = ProgressRound.can_manage(current_user)
    return render_template(
        "progress/index.html", periods=rounds, period=period,
        due=queries.due_for(current_user, period) if period and is_writer else [],
        approved=queries.approved_updates(current_user),
        queue=queries.review_queue() if is_reviewer else [],
        all_periods=queries.all_rounds() if can_manage_periods else [],
        is_writer=is_writer, is_reviewer=is_reviewer, can_manage_periods=can_manage_periods, form=EmptyForm())


# ---------------------------------------------------------------- a new update


@bp.route("/initiatieven/<int:initiative_id>/voortgang/nieuw", methods=["GET", "POST"])
def new_update(initiative_id: int):
    initiative = get_reportable_initiative(initiative_id)
    rounds = queries.open_rounds()
    form = NewUpdateForm()
    form.period_id.choices = choices((str(p.id), p.label) for p in rounds)
    if request.method == "GET":
        current = queries.current_round(rounds)
        form.period_id.data = request.args.get("periode") or (str(current.id) if current else None)
    elif form.validate_on_submit():
        value = form.period_id.data or ""
        period = db.session.get(ProgressRound, int(value)) if value.isdigit() and len(value) < 12 else None
        if period is None and value.isdigit():
            abort(404)  # a forged id, as in a URL
        if period is None:
            form.period_id.errors.append("Kies een periode uit de lijst.")
        else:
            outcome = run(ops.create_draft, initiative, period, current_user, race_message=RACE_MESSAGE,
                          success=f"Het concept voor {period.label} is aangemaakt.")
            if outcome:
                return redirect(url_for("progress.edit", update_id=outcome.result.id))
    return render_template("progress/new.html", initiative=initiative, form=form, periods=rounds)


# ---------------------------------------------------------------- one update


@bp.route("/voortgang/<int:update_id>")
def view(update_id: int):
    update = get_update(update_id)
    revisions = queries.visible_revisions(update, current_user)
    return render_template(
        "progress/view.html", update=update, revisions=revisions,
        history=queries.update_history(update, current_user), history_labels=HISTORY_LABELS,
        is_reviewer=ProgressUpdate.is_reviewer(current_user),
        is_latest=revisions[-1].id == update.id, form=EmptyForm(), return_form=ReturnForm(),
        approve_form=ApproveForm())


@bp.route("/voortgang/<int:update_id>/bewerken", methods=["GET", "POST"])
def edit(update_id: int):
    posted = request.method == "POST"
    update = get_reportable_update(update_id, lock=posted)
    if not update.can_edit(current_user):
        flash(update.period.closed_message
              or f"Dit voortgangsbericht is {update.status_label.lower()} en kan niet worden gewijzigd.", "error")
        return redirect(url_for("progress.view", update_id=update.id))
    linkable = queries.Linkable.for_update(update)
    form = edit_form(update, linkable, posted=posted)
    stale = None
    if posted and form.validate():
        values = update_values(form)
        outcome = run(ops.update_draft, update, values, current_user, expected_version=int(form.version.data),
                      form=form, stale=Stale(lambda: update, (), "progress_update.update"),
                      race_message=RACE_MESSAGE, success="Het voortgangsbericht is opgeslagen.")
        if outcome:
            return redirect(url_for("progress.view", update_id=update.id))
        if outcome.conflict is not None:
            stale = differences(update, values)
    status = 200 if not posted else 409 if stale is not None else 422
    return render_template("progress/edit.html", update=update, form=form, choices=linkable, errors=error_list(form),
                           stale=stale, evidence_form=EvidenceForm(), delete_form=EmptyForm(),
                           stale_message=STALE_MESSAGE), status


# ---------------------------------------------------------------- workflow actions


def _back_to(update_id: int, ok: bool):
    """To the update: 302 after the change, 303 (See Other) after a refusal, whose reason is flashed."""
    return redirect(url_for("progress.view", update_id=update_id), code=302 if ok else 303)


@bp.route("/voortgang/<int:update_id>/indienen", methods=["POST"])
def submit(update_id: int):
    update = get_update(update_id, lock=True)
    outcome = run(ops.submit, update, current_user, race_message=RACE_MESSAGE,
                  success="Het voortgangsbericht is ingediend bij de programmamanager.")
    return _back_to(update_id, outcome.ok)


def _review(update_id: int, action, form_class, success: str):
    """Return or approve with the manager's comment, validated like every other field (its length
    limit, a Dutch message, nothing changes). Rights come first: someone who may not review gets
    the 403 that says why (from the operation), whatever they typed."""
    update = get_update(update_id, lock=True)
    form = form_class()
    if update.review_refusal(current_user) is None and not form.validate_on_submit():
        for _, message in error_list(form):
            flash(message, "error")
        return _back_to(update_id, False)
    outcome = run(action, update, current_user, form.comment.data or None, race_message=RACE_MESSAGE,
                  success=success)
    return _back_to(update_id, outcome.ok)


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
    outcome = run(ops.correct, update, current_user, race_message=RACE_MESSAGE,
                  success="Er is een nieuwe versie gemaakt om te corrigeren. De goedgekeurde versie blijft bewaard.")
    if outcome:
        return redirect(url_for("progress.edit", update_id=outcome.result.id))
    return _back_to(update_id, False)


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
    outcome = run(ops.add_evidence, update, current_user, original_name=name, stored_name=stored_name,
                  mime_type=mime_type, size=len(data), sha256=sha256, race_message=RACE_MESSAGE,
                  success=f"Het bestand {name} is toegevoegd.")
    if not outcome:
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
    run(ops.remove_evidence, evidence, current_user, race_message=RACE_MESSAGE,
        success=f"Het bestand {name} is verwijderd.")
    return redirect(url_for("progress.edit", update_id=update_id))
