"""The learning log per learning question: per initiative each question with its status and the lessons
of approved updates in time order, lessons linked to no question apart; per initiative (?initiatief=)
and for the programme as a whole."""
import re
import uuid
from datetime import date

import pytest

from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative, LearningQuestion
from programme.progress import operations as ops
from programme.progress.followup import learning_log_by_question
from programme.progress.models import ProgressUpdate, ProgressRound
from tests.progress_helpers import approved, client_for, make_period, make_world, submitted, unique

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures


def lessons(*pairs) -> dict:
    return {"lessons": [{"learning_question": question, "text": text} for question, text in pairs]}


def texts(question_log) -> list[str]:
    return [lesson.text for lesson in question_log.lessons]


@pytest.fixture()
def world(db):
    world = make_world(db)
    world.second = LearningQuestion(initiative=world.initiative, position=1, status="partly",
                                    question="Wie doet mee?")
    world.unused = LearningQuestion(initiative=world.initiative, position=2, question="Wat kost het?")
    world.question.position = 0
    db.session.add_all([world.second, world.unused])
    db.session.flush()
    return world


def test_per_question_in_time_order_with_unlinked_lessons_apart(db, world):
    early = make_period(db, date(2089, 1, 1), date(2089, 3, 31))
    # Approved in reverse order: the log follows the periods, not the order of approval.
    approved(world, world.period, **lessons((world.question, "Later geleerd"), (None, "Los geleerd")))
    approved(world, early, **lessons((world.question, "Eerst geleerd"), (world.second, "Wie meedoet")))
    submitted(world, make_period(db, date(2091, 1, 1), date(2091, 3, 31)),
              **lessons((world.question, "Nog niet goedgekeurd"), (None, "Ook nog niet")))

    [log] = learning_log_by_question(initiative=world.initiative)
    assert log.initiative == world.initiative
    assert [q.question for q in log.questions] == [world.question, world.second, world.unused]
    assert texts(log.questions[0]) == ["Eerst geleerd", "Later geleerd"]
    assert [(x.update.period, x.update.status) for x in log.questions[0].lessons] == [
        (early, "approved"), (world.period, "approved")]
    assert texts(log.questions[1]) == ["Wie meedoet"]
    assert log.questions[1].question.status_label == "Deels beantwoord"
    assert texts(log.questions[2]) == []  # a question without lessons still shows (with its status)
    assert log.unlinked.question is None and texts(log.unlinked) == ["Los geleerd"]
    assert log.lesson_count == 4


def test_programme_wide_groups_every_initiative(db, world):
    approved(world, **lessons((world.question, "Hier geleerd")))
    other = ops.create_draft(world.other, world.period, world.other_owner)
    ops.update_draft(other, {"traffic_light": "op_koers", **lessons((world.other_question, "Elders geleerd"))},
                     world.other_owner)
    ops.approve(ops.submit(other, world.other_owner), world.manager)
    quiet = Initiative(number=f"97.{uuid.uuid4().int % 10**9}", name="Gearchiveerd zonder lessen", line="crossover",
                       is_archived=True)
    quiet.learning_questions.append(LearningQuestion(question="Vergeten vraag"))
    db.session.add(quiet)
    db.session.flush()

    logs = learning_log_by_question()
    by_initiative = {log.initiative.id: log for log in logs}
    assert [log.initiative for log in logs] == sorted((log.initiative for log in logs), key=lambda i: i.sort_key)
    assert texts(by_initiative[world.initiative.id].questions[0]) == ["Hier geleerd"]
    assert [texts(q) for q in by_initiative[world.other.id].questions] == [["Elders geleerd"]]
    # The seeded initiatives appear with their questions and status, also before any lesson.
    social_city = next(log for log in logs if log.initiative.number == "1.1.3")
    assert social_city.questions and social_city.questions[0].question.status_label == "Open"
    assert quiet.id not in by_initiative  # archived and nothing learned
    # One initiative in the programme view is the same as the initiative's own log.
    [own] = learning_log_by_question(initiative=world.initiative)
    assert [texts(q) for q in own.questions] == [texts(q) for q in by_initiative[world.initiative.id].questions]


def test_one_learning_question(db, world):
    approved(world, **lessons((world.question, "Bij de eerste"), (world.second, "Bij de tweede"), (None, "Los")))
    [log] = learning_log_by_question(learning_question=world.second)
    assert [q.question for q in log.questions] == [world.second]
    assert texts(log.questions[0]) == ["Bij de tweede"] and texts(log.unlinked) == []
    [same] = learning_log_by_question(initiative=world.initiative, learning_question=world.second)
    assert [q.question for q in same.questions] == [world.second] and texts(same.questions[0]) == ["Bij de tweede"]
    # A question of another initiative than the chosen one: nothing, rather than a mix.
    assert learning_log_by_question(initiative=world.other, learning_question=world.second) == []


def test_a_correction_replaces_the_lessons_it_corrects(db, world):
    first = approved(world, **lessons((world.question, "Eerste versie")))
    fix = ops.correct(first, world.owner)
    ops.update_draft(fix, lessons((world.question, "Scherper geformuleerd")), world.owner)
    [log] = learning_log_by_question(initiative=world.initiative)
    assert texts(log.questions[0]) == ["Eerste versie"]  # the correction is not approved yet
    ops.approve(ops.submit(fix, world.owner), world.manager)
    [log] = learning_log_by_question(initiative=world.initiative)
    assert texts(log.questions[0]) == ["Scherper geformuleerd"]
    assert log.questions[0].lessons[0].update.revision == 2


# ---------------------------------------------------------------- the page

def _approve_two_periods(ctx, ids) -> dict:
    """Lessons of two approved updates of the world's initiative, the later period approved first."""
    def _make(users):
        initiative = _db.session.get(Initiative, ids.initiative)
        question = _db.session.get(LearningQuestion, ids.question)
        question.status = "partly"
        early = ops.add_period(unique("VT"), "Vroege testperiode", date(2089, 1, 1), date(2089, 3, 31))
        made = {}
        for period, pairs in ((_db.session.get(ProgressRound, ids.period),
                               [(question, "Later: buren nodigen buren uit."), (None, "Losse les over de zaal.")]),
                              (early, [(question, "Eerst: flyers werken niet.")])):
            update = ops.create_draft(initiative, period, users["owner"])
            ops.update_draft(update, {"traffic_light": "op_koers", **lessons(*pairs)}, users["owner"])
            ops.approve(ops.submit(update, users["owner"]), users["manager"])
            made[period.label] = update.id
        return made
    return ctx(_make)


def _section(html: str, initiative_id: int) -> str:
    match = re.search(rf'<section class="learning-log" aria-labelledby="initiatief-{initiative_id}">(.*?)</section>',
                      html, re.S)
    assert match, f"no section for initiative {initiative_id}"
    return match.group(1)


def test_page_for_one_initiative(app, ids, ctx):
    made = _approve_two_periods(ctx, ids)
    client = client_for(app, "reader")
    response = client.get(f"/voortgang/leerlog?initiatief={ids.initiative}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    section = _section(html, ids.initiative)
    assert "<h3>Wat werkt in de wijk?</h3>" in section and "Deels beantwoord" in section
    assert section.index("Eerst: flyers werken niet.") < section.index("Later: buren nodigen buren uit.")
    assert section.index("Later: buren nodigen buren uit.") < section.index("Lessen zonder leervraag")
    assert section.index("Lessen zonder leervraag") < section.index("Losse les over de zaal.")
    assert "Vroege testperiode" in section and f'href="/voortgang/{made["Vroege testperiode"]}"' in section
    assert "<th scope=\"col\">Goedgekeurd op</th>" in section
    assert "3 lessen van" in html  # the status line
    assert f'<option value="{ids.initiative}" selected>' in html
    assert f'href="/initiatieven/{ids.initiative}"' in section
    assert "Testinitiatief B" not in re.sub(r"<select.*?</select>", "", html, flags=re.S)


def test_page_for_the_programme_and_for_one_question(app, ids, ctx):
    _approve_two_periods(ctx, ids)
    client = client_for(app, "owner")
    html = client.get("/voortgang/leerlog").get_data(as_text=True)
    assert "Eerst: flyers werken niet." in _section(html, ids.initiative)
    assert "Wat werkt elders?" in _section(html, ids.other)  # a question without lessons yet
    assert f'href="#initiatief-{ids.initiative}"' in html  # the list of initiatives at the top
    assert f'href="/voortgang/leerlog?initiatief={ids.initiative}"' in html
    assert "1.1.3 Sociale Stad" in html and "in het programma" in html

    html = client.get(f"/voortgang/leerlog?leervraag={ids.question}").get_data(as_text=True)
    section = _section(html, ids.initiative)
    assert "Eerst: flyers werken niet." in section and "Losse les over de zaal." not in section
    html = client.get(f"/voortgang/leerlog?leervraag={ids.other_question}").get_data(as_text=True)
    assert "flyers" not in html and "Wat werkt elders?" in html
    html = client.get(f"/voortgang/leerlog?initiatief={ids.other}&leervraag={ids.question}").get_data(as_text=True)
    assert "Er zijn (nog) geen leervragen of lessen voor deze keuze." in html
    for junk in ("initiatief=abc", "leervraag=-1", "initiatief=999999999"):
        assert client.get(f"/voortgang/leerlog?{junk}").status_code == 200, junk


def test_only_approved_updates_count_on_the_page(app, ids, ctx):
    def _make(users):
        update = ops.create_draft(_db.session.get(Initiative, ids.initiative),
                                  _db.session.get(ProgressRound, ids.period), users["owner"])
        ops.update_draft(update, {"traffic_light": "op_koers", **lessons(
            (_db.session.get(LearningQuestion, ids.question), "Nog in concept."))}, users["owner"])
        ops.submit(update, users["owner"])
        return update.id
    update_id = ctx(_make)
    html = client_for(app, "manager").get(f"/voortgang/leerlog?initiatief={ids.initiative}").get_data(as_text=True)
    assert "Nog in concept." not in html and "0 lessen van" in html
    with app.app_context():
        assert _db.session.get(ProgressUpdate, update_id).status == "submitted"
