"""Follow-up pages that read approved updates: the learning log and budget follow-up."""
from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from programme.core.extensions import db
from programme.initiatives.models import Initiative, LearningQuestion
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
