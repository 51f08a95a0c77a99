"""Follow-up pages that read approved updates: the learning log and budget follow-up."""
from flask import render_template, request
from sqlalchemy import select

from programme.extensions import db
from programme.initiatives.models import Initiative, LearningQuestion
from programme.progress import bp, followup


def _chosen(model, arg: str):
    value = request.args.get(arg, "")
    return db.session.get(model, int(value)) if value.isdigit() else None


def _initiatives() -> list[Initiative]:
    return sorted(db.session.scalars(select(Initiative)), key=lambda i: i.sort_key)


@bp.route("/voortgang/leerlog")
def learning_log():
    initiative = _chosen(Initiative, "initiatief")
    question = _chosen(LearningQuestion, "leervraag")
    questions = db.session.scalars(select(LearningQuestion).join(LearningQuestion.initiative)
                                   .order_by(Initiative.number, LearningQuestion.position)).all()
    lessons = followup.learning_log(learning_question=question, initiative=initiative)
    return render_template("progress/learning_log.html", lessons=lessons, initiative=initiative, question=question,
                           initiatives=_initiatives(), questions=questions)


@bp.route("/begroting/opvolging")
def budget_follow_up():
    initiative = _chosen(Initiative, "initiatief")
    initiatives = _initiatives()
    return render_template("progress/budget_follow_up.html", result=followup.budget_follow_up(initiative),
                           initiative=initiative, initiatives=initiatives, names={i.id: str(i) for i in initiatives})
