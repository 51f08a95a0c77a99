"""The budget page (Figuur 3 with computed totals, the ZET/Zorgbelang split and reconciliation) and
the manager's editing of budget lines of actions and initiatives."""
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from programme.budget import bp
from programme.budget import editing
from programme.budget import operations as ops
from programme.budget.forms import LineForm, NewLineForm
from programme.budget.models import BudgetLine, BudgetPeriod, FundingSource
from programme.core.forms import choices
from programme.core.permissions import manager_required
from programme.extensions import db
from programme.initiatives.models import Initiative
from programme.monitor.models import SourceNote
from programme.plan.editing import CONFLICT, EditConflict, RuleError, VersionedForm, refuse, save_with_lock
from programme.plan.models import Action


@bp.route("/begroting")
def index():
    table = ops.budget_table()
    return render_template(
        "budget/index.html", table=table, checks=ops.reconciliation(table),
        org_allocations=ops.organisation_allocations(), allocations=ops.allocations_by_deliverable(),
        province_share=ops.province_share(table),
        notes=db.session.scalars(select(SourceNote).where(SourceNote.topic == "budget")
                                 .order_by(SourceNote.key)).all(),
    )


def _back_url(owner) -> str:
    """Where the manager edits an owner's lines: the action's edit page or the initiative's lines."""
    if isinstance(owner, Action):
        return url_for("plan.edit_action", action_id=owner.id) + "#middelen"
    return url_for("budget.initiative_lines", initiative_id=owner.id)


def _owner(line: BudgetLine) -> Action | Initiative:
    return line.action or line.initiative


def _fill_choices(form) -> None:
    form.period_id.choices = choices((p.id, p.label) for p in db.session.scalars(
        select(BudgetPeriod).order_by(BudgetPeriod.first_year)))
    form.funding_source_id.choices = choices([("", "Programmabudget (inclusief ZET en Zorgbelang)"), *(
        (s.id, s.name) for s in db.session.scalars(select(FundingSource).order_by(FundingSource.id)))])


def _data(form) -> dict:
    return {name: form[name].data for name in editing.LINE_FIELDS}


def _line_page(form, *, owner, line=None, conflict=None, status=200, deleting=False):
    what = "deze begrotingspost"
    message = (f"Iemand anders heeft {what} gewijzigd nadat u de pagina opende. De post is niet verwijderd. "
               "Hieronder staat wat nu is opgeslagen; verwijder opnieuw als dat nog steeds de bedoeling is."
               if deleting else CONFLICT.format(what=what))
    return render_template(
        "budget/line.html", form=form, line=line, owner=owner, back_url=_back_url(owner),
        conflict=conflict, conflict_message=message,
        conflict_title=("Niet verwijderd" if deleting else "Niet opgeslagen") + ": de post is intussen gewijzigd",
        same_text=None if deleting else "Uw invoer is gelijk aan wat nu is opgeslagen.",
        has_spending=line is not None and editing.has_spending(line),
        remove_form=VersionedForm(formdata=None, obj=line) if line else None), status


@bp.route("/begroting/initiatieven/<int:initiative_id>")
@manager_required
def initiative_lines(initiative_id: int):
    initiative = db.get_or_404(Initiative, initiative_id)
    lines = db.session.scalars(select(BudgetLine).where(BudgetLine.initiative_id == initiative.id)
                               .order_by(BudgetLine.period_id, BudgetLine.id)).all()
    return render_template("budget/initiative.html", initiative=initiative, lines=lines,
                           total=sum((line.amount for line in lines), start=ops.ZERO))


@bp.route("/begroting/acties/<int:action_id>/posten/nieuw", methods=["GET", "POST"])
@manager_required
def new_action_line(action_id: int):
    return _new_line(action=db.get_or_404(Action, action_id))


@bp.route("/begroting/initiatieven/<int:initiative_id>/posten/nieuw", methods=["GET", "POST"])
@manager_required
def new_initiative_line(initiative_id: int):
    return _new_line(initiative=db.get_or_404(Initiative, initiative_id))


def _new_line(*, action: Action | None = None, initiative: Initiative | None = None):
    form = NewLineForm()
    _fill_choices(form)
    if form.validate_on_submit():
        editing.create_line(_data(form), action=action, initiative=initiative)
        db.session.commit()
        flash("De begrotingspost is toegevoegd.", "info")
        return redirect(_back_url(action or initiative))
    return _line_page(form, owner=action or initiative)


@bp.route("/begroting/posten/<int:line_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_line(line_id: int):
    line = db.get_or_404(BudgetLine, line_id)
    form = LineForm(obj=line) if request.method == "GET" else LineForm()
    _fill_choices(form)
    conflict = None
    if form.validate_on_submit():
        try:
            line, changed, conflict = save_with_lock(
                lambda: db.get_or_404(BudgetLine, line_id), form,
                lambda obj, version: editing.update_line(obj, _data(form), expected_version=version),
                action="budget_line.update", names=editing.LINE_FIELDS)
        except RuleError as error:
            form[error.field].errors.append(error.message)
        else:
            if conflict is None:
                flash("De begrotingspost is opgeslagen." if changed else "Er was niets gewijzigd.", "info")
                return redirect(_back_url(_owner(line)))
    return _line_page(form, owner=_owner(line), line=line, conflict=conflict,
                      status=409 if conflict is not None else 200)


@bp.route("/begroting/posten/<int:line_id>/verwijderen", methods=["POST"])
@manager_required
def remove_line(line_id: int):
    line = db.get_or_404(BudgetLine, line_id)
    back = _back_url(_owner(line))
    form = VersionedForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        editing.remove_line(line, expected_version=int(form.version.data))
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        refuse("budget_line.delete", db.get_or_404(BudgetLine, line_id), error.message)
        flash(error.message, "error")
        return redirect(url_for("budget.edit_line", line_id=line_id))
    except (EditConflict, StaleDataError):
        db.session.rollback()
        line = db.get_or_404(BudgetLine, line_id)
        refuse("budget_line.delete", line, "bewerkconflict: verouderde versie")
        form = LineForm(formdata=None, obj=line)
        _fill_choices(form)
        return _line_page(form, owner=_owner(line), line=line, conflict=[], status=409, deleting=True)
    flash("De begrotingspost is verwijderd.", "info")
    return redirect(back)
