"""The programme manager's pages for progress rounds: list, add, quarters, close, reopen."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from programme.core.extensions import db
from programme.core.forms import EmptyForm
from programme.core.operations import run
from programme.core.permissions import manager_required
from programme.progress import bp, queries
from programme.progress import operations as ops
from programme.progress.forms import PeriodForm, QuartersForm, ReopenForm
from programme.progress.models import ProgressRound


def get_period(period_id: int) -> ProgressRound:
    return db.get_or_404(ProgressRound, period_id)


def reopen_form(period: ProgressRound) -> ReopenForm:
    return ReopenForm(prefix=f"heropen-{period.id}")


def render_periods(quarters_form=None, period_form=None, reopen_forms=None, status=200):
    periods = queries.all_rounds(with_events=True)
    reopen_forms = reopen_forms or {}
    return render_template(
        "progress/periods.html", periods=periods, quarters_form=quarters_form or QuartersForm(formdata=None),
        period_form=period_form or PeriodForm(formdata=None), empty_form=EmptyForm(),
        reopen_forms={p.id: reopen_forms.get(p.id) or ReopenForm(formdata=None, prefix=f"heropen-{p.id}")
                      for p in periods}), status


@bp.route("/voortgang/periodes")
@manager_required
def periods():
    return render_periods()


@bp.route("/voortgang/periodes/kwartalen", methods=["POST"])
@manager_required
def ensure_quarters():
    form = QuartersForm()
    if not form.validate():
        return render_periods(quarters_form=form, status=422)
    outcome = run(ops.ensure_quarters, form.year.data, actor=current_user)
    if outcome:
        flash(f"De kwartalen van {form.year.data} staan klaar ({', '.join(q.code for q in outcome.result)}).",
              "success")
    return redirect(url_for("progress.periods"))


@bp.route("/voortgang/periodes/nieuw", methods=["POST"])
@manager_required
def add_period():
    form = PeriodForm()
    if not form.validate():
        return render_periods(period_form=form, status=422)
    outcome = run(ops.add_period, form.code.data, form.label.data, form.starts_on.data, form.ends_on.data,
                  kind=form.kind.data, actor=current_user)
    if outcome:
        flash(f"De periode {outcome.result.label} is toegevoegd.", "success")
    return redirect(url_for("progress.periods"))


@bp.route("/voortgang/periodes/<int:period_id>/sluiten", methods=["POST"])
@manager_required
def close_period(period_id: int):
    period = get_period(period_id)
    run(ops.close_period, period, current_user, success=f"De periode {period.label} is gesloten.")
    return redirect(url_for("progress.periods"))


@bp.route("/voortgang/periodes/<int:period_id>/heropenen", methods=["POST"])
@manager_required
def reopen_period(period_id: int):
    period = get_period(period_id)
    form = reopen_form(period)
    if not form.validate():
        return render_periods(reopen_forms={period.id: form}, status=422)
    run(ops.reopen_period, period, current_user, form.reason.data,
        success=f"De periode {period.label} is heropend.")
    return redirect(url_for("progress.periods"))
