"""The manager's editing of budget lines, budget columns and allocations.

The budget page itself, which reads approved spending, is in progress/followup_views.py."""
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.budget import bp
from programme.budget import operations as ops
from programme.budget import queries
from programme.budget.forms import (InitiativeLineForm, LineForm, NewInitiativeLineForm, NewLineForm, PeriodForm,
                                    allocation_form)
from programme.budget.models import Allocation, BudgetLine, BudgetYears, FundingSource
from programme.core.edit_pages import edit_flow, edit_form, part_page, remove_part, button_action
from programme.core.extensions import db
from programme.core.forms import EmptyForm, choices
from programme.core.operations import run
from programme.core.permissions import manager_required
from programme.initiatives.models import Initiative
from programme.plan.models import Action, Deliverable


def _back_url(owner) -> str:
    """Where the manager edits an owner's lines: the action's edit page or the initiative's lines."""
    if isinstance(owner, Action):
        return url_for("plan.edit_action", action_id=owner.id) + "#middelen"
    return url_for("budget.initiative_lines", initiative_id=owner.id)


def _owner(line: BudgetLine) -> Action | Initiative:
    return line.action or line.initiative


def _fill_choices(form) -> None:
    form.period_id.choices = choices((p.id, p.label) for p in queries.periods())
    form.funding_source_id.choices = choices([("", "Programmabudget (inclusief ZET en Zorgbelang)"), *(
        (s.id, s.name) for s in db.session.scalars(select(FundingSource).order_by(FundingSource.id)))])
    if "deliverable_id" in form:
        deliverables = db.session.scalars(select(Deliverable).options(selectinload(Deliverable.actions))
                                          .order_by(Deliverable.position)).all()
        form.deliverable_id.choices = choices([("", "Geen prestatie"), *((d.id, d.name) for d in deliverables)])
        # Grouped per prestatie; the server checks that the action belongs to the chosen prestatie.
        form.deliverable_action_id.choices = {"": choices([("", "Geen actie")]), **{
            d.name: choices((a.id, a.name) for a in d.actions if not a.is_archived) for d in deliverables}}


def _fields(form) -> tuple[str, ...]:
    return ops.INITIATIVE_LINE_FIELDS if "deliverable_id" in form else ops.LINE_FIELDS


def _data(form) -> dict:
    return {name: form[name].data for name in _fields(form)}


def _line_page(line, form, conflict=None, *, owner, deleting=False):
    return part_page("budget/line.html", line, what="deze begrotingspost", it="De post", noun="de post",
                     conflict=conflict, deleting=deleting, form=form, line=line, owner=owner,
                     back_url=_back_url(owner), has_spending=line is not None and ops.has_spending(line))


def _line_form(line: BudgetLine, **kwargs):
    form = (InitiativeLineForm if line.initiative_id is not None else LineForm)(**kwargs)
    _fill_choices(form)
    return form


def get_line(line_id: int) -> BudgetLine:
    return db.get_or_404(BudgetLine, line_id)


@bp.route("/begroting/initiatieven/<int:initiative_id>")
@manager_required
def initiative_lines(initiative_id: int):
    initiative = db.get_or_404(Initiative, initiative_id)
    lines = queries.lines_of_initiative(initiative)
    return render_template("budget/initiative.html", initiative=initiative, lines=lines,
                           total=sum((line.amount for line in lines), start=queries.ZERO))


@bp.route("/begroting/acties/<int:action_id>/posten/nieuw", methods=["GET", "POST"])
@manager_required
def new_action_line(action_id: int):
    return _new_line(action=db.get_or_404(Action, action_id))


@bp.route("/begroting/initiatieven/<int:initiative_id>/posten/nieuw", methods=["GET", "POST"])
@manager_required
def new_initiative_line(initiative_id: int):
    return _new_line(initiative=db.get_or_404(Initiative, initiative_id))


def _new_line(*, action: Action | None = None, initiative: Initiative | None = None):
    form = NewInitiativeLineForm() if initiative is not None else NewLineForm()
    _fill_choices(form)
    if form.validate_on_submit() and run(ops.create_line, _data(form), action=action, initiative=initiative,
                                         form=form):
        flash("De begrotingspost is toegevoegd.", "info")
        return redirect(_back_url(action or initiative))
    return _line_page(None, form, owner=action or initiative)


@bp.route("/begroting/posten/<int:line_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_line(line_id: int):
    line = get_line(line_id)
    owner = _owner(line)
    form = edit_form(lambda **kwargs: _line_form(line, **kwargs), line)
    return edit_flow(ops.update_line, line, form, names=_fields(form), load=lambda: get_line(line_id),
                     action="budget_line.update", saved="De begrotingspost is opgeslagen.", done_url=_back_url(owner),
                     page=lambda line, form, conflict=None: _line_page(line, form, conflict, owner=owner))


@bp.route("/begroting/posten/<int:line_id>/verwijderen", methods=["POST"])
@manager_required
def remove_line(line_id: int):
    line = get_line(line_id)
    return remove_part(
        ops.remove_line, line, load=lambda: get_line(line_id), action="budget_line.delete",
        removed="De begrotingspost is verwijderd.", done_url=_back_url(_owner(line)),
        refused_url=url_for("budget.edit_line", line_id=line_id),
        page=lambda line: _line_page(line, _line_form(line, formdata=None, obj=line), [], owner=_owner(line),
                                     deleting=True))


@bp.route("/begroting/perioden", methods=["GET", "POST"])
@manager_required
def periods():
    """The budget columns (BudgetYears), and adding one: 2020, 2021, ..."""
    form = PeriodForm()
    if form.validate_on_submit():
        outcome = run(ops.create_years, form.first_year.data, form.last_year.data, form=form)
        if outcome:
            flash(f"De begrotingsperiode {outcome.result.label} is toegevoegd. Voeg nu begrotingsposten toe bij de "
                  "acties, en zo nodig de toewijzing van ZET en Zorgbelang.", "info")
            return redirect(url_for("budget.periods"))
    items = [(p, queries.years_in_use(p)) for p in queries.periods()]
    return render_template("budget/periods.html", form=form, items=items, remove_form=EmptyForm()), (
        400 if form.errors else 200)


@bp.route("/begroting/perioden/<int:period_id>/verwijderen", methods=["POST"])
@manager_required
def remove_period(period_id: int):
    period = db.get_or_404(BudgetYears, period_id)
    return button_action(ops.remove_years, period, done=f"De begrotingsperiode {period.label} is verwijderd.",
                         to=url_for("budget.periods"))


@bp.route("/begroting/perioden/<int:period_id>/toewijzing", methods=["GET", "POST"])
@manager_required
def allocations(period_id: int):
    """What ZET and Zorgbelang allocate to each prestatie in this period, against their budget."""
    period = db.get_or_404(BudgetYears, period_id)
    sources = db.session.scalars(select(FundingSource).where(FundingSource.annual_budget.is_not(None))
                                 .order_by(FundingSource.id)).all()
    deliverables = db.session.scalars(select(Deliverable).order_by(Deliverable.position)).all()
    current = {(a.funding_source_id, a.deliverable_id): a.amount for a in db.session.scalars(
        select(Allocation).where(Allocation.period_id == period.id))}
    form = allocation_form(sources, deliverables)(
        data={f"a_{s.id}_{d.id}": current.get((s.id, d.id)) for s in sources for d in deliverables}
        if request.method == "GET" else None)
    if form.validate_on_submit():
        outcome = run(ops.set_allocations, period, {
            (s.id, d.id): form[f"a_{s.id}_{d.id}"].data for s in sources for d in deliverables}, form=form)
        if outcome:
            flash("De toewijzing is opgeslagen." if outcome.result else "Er was niets gewijzigd.", "info")
            return redirect(url_for("budget.index") + "#organisaties")
    comparisons = {item.funding_source.id: item for item in queries.organisation_allocations()
                   if item.period.id == period.id}
    return render_template("budget/allocations.html", form=form, period=period, sources=sources,
                           deliverables=deliverables, comparisons=comparisons), (400 if form.errors else 200)
