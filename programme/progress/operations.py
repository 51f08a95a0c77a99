"""Every change to progress: rounds, the workflow of an update, its content and evidence.

An update goes draft -> submitted -> approved, or is returned to the owner; an approved update is
final and corrected by a new revision. This is the only place that checks rights (Refused, 403) and
rules (RuleError on a form field); each function changes the models, writes the audit entry and
flushes; core.operations.run() commits."""
import calendar
from datetime import date

from flask import has_request_context, url_for
from sqlalchemy import delete, func, select

from programme.core import audit
from programme.core.db import utcnow
from programme.core.editing import EditConflict
from programme.core.extensions import db
from programme.core.files import after_commit
from programme.core.operations import Refused, RuleError
from programme.impact.models import ImpactMeasurement
from programme.progress import evidence as files
from programme.progress import update_content
from programme.progress.models import (APPROVED, AT_RISK, ATTENTION, DRAFT, KIND_QUARTER, PERIOD_KIND_LABELS,
                                       RETURNED, SUBMITTED, PeriodEvent, ProgressRound, ProgressUpdate)
from programme.progress.queries import revisions, round_by_code
from programme.progress.update_items import Evidence, IndicatorValue, Lesson, Observation, Risk, Spending


class WorkflowError(RuleError):
    """Not possible in this state or with these data: the message goes on `field` (None: above the
    form or as a flash message)."""

    def __init__(self, message: str, field: str | None = None, *, more=()):
        super().__init__(field, message, more=more)


class PeriodClosed(WorkflowError):
    """The round is closed."""


class PermissionDenied(Refused):
    """This user may not do this (403, the page says why and links back to the update)."""

    def __init__(self, message: str, update: ProgressUpdate | None = None):
        back = ((url_for("progress.view", update_id=update.id), "Terug naar het voortgangsbericht")
                if update is not None and update.id is not None and has_request_context() else None)
        super().__init__(message, back=back, kind="progress")


class StaleUpdate(EditConflict):
    """Someone else changed the update since the form was loaded (run() shows the conflict)."""


# ---------------------------------------------------------------- rounds

def _require_manager(actor, what: str) -> None:
    if not ProgressRound.can_manage(actor):
        raise PermissionDenied(f"Alleen de programmamanager mag {what}.")


def assert_period_open(period: ProgressRound) -> None:
    if not period.is_open:
        raise PeriodClosed(period.closed_message)


def add_period(code: str, label: str, starts_on: date, ends_on: date, *, kind: str = "other",
               actor=None) -> ProgressRound:
    """A new round; actor None is the system (CLI, scheduler), else a manager."""
    if actor is not None:
        _require_manager(actor, "rapportageperiodes toevoegen")
    code, label = (code or "").strip(), (label or "").strip()
    if not code or not label:
        raise WorkflowError("Een periode heeft een code en een naam nodig.")
    if kind not in PERIOD_KIND_LABELS:
        raise WorkflowError(f"Onbekende soort periode: {kind}.")
    if ends_on < starts_on:
        raise WorkflowError("De einddatum van de periode ligt vóór de begindatum.")
    if round_by_code(code) is not None:
        raise WorkflowError(f"Er bestaat al een periode met code {code}.")
    period = ProgressRound(code=code, label=label, starts_on=starts_on, ends_on=ends_on, kind=kind, is_open=True)
    db.session.add(period)
    db.session.flush()
    audit.record("progress_round.create", period, actor=actor,
                 new={"code": code, "label": label, "starts_on": starts_on, "ends_on": ends_on, "kind": kind})
    db.session.flush()
    return period


def ensure_quarters(year: int, *, actor=None) -> list[ProgressRound]:
    """The four quarters of a year ('2026-K1' .. '2026-K4'); existing ones are left alone."""
    quarters = []
    for quarter in range(1, 5):
        code = f"{year}-K{quarter}"
        period = round_by_code(code)
        if period is None:
            last_month = 3 * quarter
            period = add_period(code, f"{quarter}e kwartaal {year}", date(year, last_month - 2, 1),
                                date(year, last_month, calendar.monthrange(year, last_month)[1]),
                                kind=KIND_QUARTER, actor=actor)
        quarters.append(period)
    return quarters


def close_period(period: ProgressRound, actor) -> PeriodEvent:
    _require_manager(actor, "een periode sluiten")
    if not period.is_open:
        raise WorkflowError(f"De periode {period.label} is al gesloten.")
    period.is_open, period.closed_by, period.closed_dt = False, actor, utcnow()
    event = PeriodEvent(period=period, action="closed", actor_id=actor.id)
    db.session.add(event)
    db.session.flush()
    audit.record("progress_round.close", period, actor=actor, old={"is_open": True}, new={"is_open": False})
    db.session.flush()
    return event


def reopen_period(period: ProgressRound, actor, reason: str) -> PeriodEvent:
    _require_manager(actor, "een periode heropenen")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("Geef een reden op voor het heropenen van de periode.", "reason")
    if period.is_open:
        raise WorkflowError(f"De periode {period.label} is niet gesloten.")
    old = {"is_open": False, "closed_by_id": period.closed_by_id, "closed_dt": period.closed_dt}
    period.is_open, period.closed_by, period.closed_dt = True, None, None
    event = PeriodEvent(period=period, action="reopened", actor_id=actor.id, reason=reason)
    db.session.add(event)
    db.session.flush()
    audit.record("progress_round.reopen", period, actor=actor, old=old, new={"is_open": True}, message=reason)
    db.session.flush()
    return event


# ---------------------------------------------------------------- progress updates: rights and state

def report_refusal(initiative) -> str:
    return f"U mag geen voortgang rapporteren voor initiatief {initiative}."


def _require_reporter(initiative, actor, update: ProgressUpdate | None = None) -> None:
    if not initiative.can_report(actor):
        raise PermissionDenied(report_refusal(initiative), update)


def _require_editable(update: ProgressUpdate, actor) -> None:
    """ProgressUpdate.can_edit, with the reason when the answer is no."""
    if update.can_edit(actor):
        return
    _require_reporter(update.initiative, actor, update)
    reason = update.lock_reason()
    raise (PeriodClosed if update.status != APPROVED and not update.period.is_open else WorkflowError)(reason)


def _log(action: str, update: ProgressUpdate, actor, *, old=None, new=None, message=None) -> None:
    audit.record(action, update, actor=actor, old=old, new=new, message=message,
                 initiative_id=update.initiative_id)
    db.session.flush()


# ---------------------------------------------------------------- progress updates: workflow

def create_draft(initiative, period: ProgressRound, author) -> ProgressUpdate:
    _require_reporter(initiative, author)
    assert_period_open(period)
    existing = revisions(initiative.id, period.id)
    live = [u for u in existing if u.status != APPROVED]
    if live:
        raise WorkflowError(f"Er is al een voortgangsbericht van {initiative} over {period.label} "
                            f"({live[-1].status_label.lower()}). Werk dat bericht bij.")
    if existing:
        raise WorkflowError(f"Het voortgangsbericht van {initiative} over {period.label} is al goedgekeurd. "
                            "Maak een correctie als er iets moet veranderen.")
    update = ProgressUpdate(initiative=initiative, period=period, revision=1, status=DRAFT, author_id=author.id)
    db.session.add(update)
    db.session.flush()
    _log("progress_update.create", update, author, new={"status": DRAFT, "revision": 1})
    return update


def update_draft(update: ProgressUpdate, values: dict, actor, *, expected_version: int | None = None
                 ) -> ProgressUpdate:
    """Change the text fields and replace whichever item lists `values` holds (update_content.check
    says what they may hold; every problem is raised at once, on its form field)."""
    _require_editable(update, actor)
    if expected_version is not None and expected_version != update.version:
        raise StaleUpdate("Iemand anders heeft dit voortgangsbericht intussen gewijzigd. "
                          "Laad het opnieuw en breng uw wijzigingen dan nog eens aan.")
    content, problems, foreign = update_content.check(update, values)
    if foreign:
        raise PermissionDenied(foreign, update)
    if problems:
        (field, message), *more = problems
        raise WorkflowError(message, field, more=more)
    old = update_content.snapshot(update)
    update_content.apply(update, content)
    db.session.flush()
    new = update_content.snapshot(update)
    changed = [key for key in new if new[key] != old[key]]
    _log("progress_update.update", update, actor, old={k: old[k] for k in changed},
         new={k: new[k] for k in changed})
    return update


def submit(update: ProgressUpdate, actor) -> ProgressUpdate:
    _require_editable(update, actor)
    if not update.traffic_light:
        raise WorkflowError("Kies een stoplicht: op koers, aandacht nodig of risico.")
    if update.traffic_light in (ATTENTION, AT_RISK) and not (update.explanation or "").strip():
        raise WorkflowError(f"Licht toe waarom het stoplicht op ‘{update.traffic_light_label}’ staat.")
    old_status = update.status
    update.status, update.submitted_dt, update.submitted_by_id = SUBMITTED, utcnow(), actor.id
    db.session.flush()
    _log("progress_update.submit", update, actor, old={"status": old_status}, new={"status": SUBMITTED})
    return update


def _require_reviewable(update: ProgressUpdate, actor) -> None:
    refusal = update.review_refusal(actor)
    if refusal:
        raise PermissionDenied(refusal, update)
    if update.status == APPROVED:
        raise WorkflowError(update.lock_reason())
    assert_period_open(update.period)
    if update.status != SUBMITTED:
        raise WorkflowError(f"Dit voortgangsbericht is {update.status_label.lower()}, niet ingediend; "
                            "alleen een ingediend bericht kan worden beoordeeld.")


def return_update(update: ProgressUpdate, actor, comment: str) -> ProgressUpdate:
    _require_reviewable(update, actor)
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("Schrijf bij het terugsturen wat er moet worden aangepast.", "comment")
    update.status, update.reviewed_by_id, update.reviewed_dt = RETURNED, actor.id, utcnow()
    update.review_comment = comment
    db.session.flush()
    _log("progress_update.return", update, actor, old={"status": SUBMITTED}, new={"status": RETURNED},
         message=comment)
    return update


def approve(update: ProgressUpdate, actor, comment: str | None = None) -> ProgressUpdate:
    """Final: the indicator values become ImpactMeasurements, replacing those of the revision
    this one corrects, so each initiative and round counts once."""
    _require_reviewable(update, actor)
    earlier_ids = [u.id for u in revisions(update.initiative_id, update.period_id) if u.id != update.id]
    replaced = []
    if earlier_ids:
        replaced = list(db.session.scalars(
            select(ImpactMeasurement).where(ImpactMeasurement.progress_update_id.in_(earlier_ids))))
        db.session.execute(delete(ImpactMeasurement).where(ImpactMeasurement.progress_update_id.in_(earlier_ids)))
    update.status, update.reviewed_by_id, update.reviewed_dt = APPROVED, actor.id, utcnow()
    update.review_comment = (comment or "").strip() or None
    for value in update.indicator_values:
        db.session.add(ImpactMeasurement(
            indicator_id=value.impact_indicator_id, value=value.value, measured_on=value.measured_on,
            source_text=value.source, note=value.note, progress_update_id=update.id))
    db.session.flush()
    _log("progress_update.approve", update, actor, old={"status": SUBMITTED, "replaced_measurements": [
        {"indicator_id": m.indicator_id, "value": m.value, "measured_on": m.measured_on} for m in replaced]},
        new={"status": APPROVED, "measurements": len(update.indicator_values)}, message=update.review_comment)
    return update


def correct(approved_update: ProgressUpdate, actor) -> ProgressUpdate:
    """A new draft revision with the approved content; the approved update stays as it is."""
    _require_reporter(approved_update.initiative, actor, approved_update)
    assert_period_open(approved_update.period)
    if approved_update.status != APPROVED:
        raise WorkflowError("Alleen een goedgekeurd voortgangsbericht kan worden gecorrigeerd; "
                            "dit bericht kan nog gewoon worden bijgewerkt.")
    latest = revisions(approved_update.initiative_id, approved_update.period_id)[-1]
    if latest.id != approved_update.id:
        raise WorkflowError(f"Er is al een nieuwere versie (versie {latest.revision}, "
                            f"{latest.status_label.lower()}) van dit voortgangsbericht.")
    source = approved_update
    update = ProgressUpdate(
        initiative_id=source.initiative_id, period_id=source.period_id, revision=source.revision + 1,
        previous_revision=source, status=DRAFT, author_id=actor.id,
        **{name: getattr(source, name) for name in ProgressUpdate.TEXT_FIELDS},
        lessons=[Lesson(learning_question_id=x.learning_question_id, text=x.text) for x in source.lessons],
        risks=[Risk(description=x.description, likelihood=x.likelihood, impact=x.impact, measure=x.measure)
               for x in source.risks],
        indicator_values=[IndicatorValue(impact_indicator_id=x.impact_indicator_id, value=x.value,
                                         measured_on=x.measured_on, source=x.source, note=x.note)
                          for x in source.indicator_values],
        spending=[Spending(budget_line_id=x.budget_line_id, committed=x.committed, spent=x.spent)
                  for x in source.spending],
        observations=[Observation(monitor_indicator_id=x.monitor_indicator_id, area_id=x.area_id, text=x.text)
                      for x in source.observations],
        evidence=[Evidence(original_name=x.original_name, stored_name=x.stored_name, mime_type=x.mime_type,
                           size=x.size, sha256=x.sha256, uploaded_by_id=x.uploaded_by_id, created_dt=x.created_dt)
                  for x in source.evidence],
    )
    db.session.add(update)
    db.session.flush()
    _log("progress_update.correct", update, actor, old={"previous_revision_id": source.id},
         new={"status": DRAFT, "revision": update.revision, "previous_revision_id": source.id})
    return update


# ---------------------------------------------------------------- evidence (file storage is the caller's)

def add_evidence(update: ProgressUpdate, actor, *, original_name: str, stored_name: str, mime_type: str,
                 size: int, sha256: str) -> Evidence:
    _require_editable(update, actor)
    evidence = Evidence(update=update, original_name=original_name, stored_name=stored_name,
                        mime_type=mime_type, size=size, sha256=sha256, uploaded_by_id=actor.id)
    db.session.add(evidence)
    update.updated_dt = utcnow()
    db.session.flush()
    _log("progress_update.add_evidence", update, actor,
         new={"evidence_id": evidence.id, "name": original_name, "size": size, "sha256": sha256})
    return evidence


def remove_evidence(evidence: Evidence, actor) -> None:
    """Removes the row; the file goes from disk once that commits, unless another revision (a
    correction copies the rows of the approved one) still refers to it."""
    update = evidence.update
    _require_editable(update, actor)
    old = {"evidence_id": evidence.id, "name": evidence.original_name, "sha256": evidence.sha256}
    stored_name = evidence.stored_name
    update.evidence.remove(evidence)
    update.updated_dt = utcnow()
    db.session.flush()
    if not db.session.scalar(select(func.count()).select_from(Evidence).where(Evidence.stored_name == stored_name)):
        after_commit(db.session(), lambda: files.discard(stored_name))
    _log("progress_update.remove_evidence", update, actor, old=old)
