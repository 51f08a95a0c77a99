"""Pages that read what approved updates add up to: learning log, budget follow-up, budget page, observations.

The budget page (/begroting) keeps the budget blueprint's endpoint budget.index but lives here:
its committed and spent amounts come from approved spending, and budget, a lower layer, cannot read
progress."""
from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from programme.budget import bp as budget_bp
from programme.budget import queries as budget_ops
from programme.core.extensions import db
from programme.initiatives.models import Initiative, LearningQuestion
from programme.monitor.models import Area, MonitorIndicator, SourceNote
from programme.progress import bp, followup


def _chosen(model, arg: str):
    value = request.args.get(arg, "")
    return db.session.get(model, int(value)) if value.isdigit() else None


def _initiatives() -> list[Initiative]:
    return sorted(db.session.scalars(select(Initiative)), key=lambda i: i.sort_key)


@bp.route("/voortgang/leerlog")
def learning_log():
    """Per initiative and learning question the lessons of approved updates; ?initiatief= shows one
    initiative (the initiative page links here), ?leervraag= one question."""
    initiative = _chosen(Initiative, "initiatief")
    question = _chosen(LearningQuestion, "leervraag")
    questions = sorted(db.session.scalars(select(LearningQuestion).options(joinedload(LearningQuestion.initiative))),
                       key=lambda q: (q.initiative.sort_key, q.position, q.id))
    logs = followup.learning_log_by_question(initiative=initiative, learning_question=question)
    return render_template("progress/learning_log.html", logs=logs, initiative=initiative, question=question,
                           initiatives=_initiatives(), questions=questions,
                           lesson_count=sum(log.lesson_count for log in logs))


@bp.route("/begroting/opvolging")
def budget_follow_up():
    initiative = _chosen(Initiative, "initiatief")
    initiatives = _initiatives()
    return render_template("progress/budget_follow_up.html", result=followup.budget_follow_up(initiative),
                           initiative=initiative, initiatives=initiatives, names={i.id: str(i) for i in initiatives})


@budget_bp.route("/begroting")
def index():
    """The budget page: Figuur 3 with computed totals, the ZET/Zorgbelang split and reconciliation,
    and per prestatie what approved updates report as committed and spent."""
    table = budget_ops.budget_table()
    follow_up = followup.budget_follow_up()
    allocations = budget_ops.allocations_by_deliverable()
    amounts = {row.budget_line.id: (row.committed, row.spent) for row in follow_up.lines}
    return render_template(
        "budget/index.html", table=table, checks=budget_ops.reconciliation(table),
        rollup=budget_ops.deliverable_rollup(table, amounts),
        org_allocations=budget_ops.organisation_allocations(), allocations=allocations,
        split_periods=[p for p in table.periods if any(key[1] == p.code for key in allocations)],
        province_share=budget_ops.province_share(table),
        notes=db.session.scalars(select(SourceNote).where(SourceNote.topic == "budget")
                                 .order_by(SourceNote.key)).all(),
    )


@bp.route("/voortgang/waarnemingen")
def observations():
    """The monitor's figures with what initiatives saw there: approved observations per resource and area, beside
    that resource's figures in that area over the editions (the monitor, a lower layer, cannot read progress)."""
    resource = _chosen(MonitorIndicator, "hulpbron")
    area = _chosen(Area, "gebied")
    return render_template(
        "progress/observations.html", groups=followup.approved_observations(
            resource.id if resource else None, area.id if area else None),
        resource=resource, area=area,
        resources=db.session.scalars(select(MonitorIndicator).where(MonitorIndicator.resource != "resilience")
                                     .order_by(MonitorIndicator.position)).all(),
        areas=db.session.scalars(select(Area).order_by(Area.position, Area.name)).all())
