"""Progress updates: periods, the review workflow, rights, closed periods, corrections, locking."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from programme.accounts.models import User
from programme.accounts.operations import find_user
from programme.core.audit import AuditEntry
from programme.core.formatting import dutch_datetime
from programme.impact.models import ImpactMeasurement
from programme.progress import operations as ops
from programme.progress.operations import PeriodClosed, PermissionDenied, StaleUpdate, WorkflowError
from programme.progress.models import ApprovedUpdateIsFinal, PeriodEvent, ProgressUpdate, ProgressRound
from tests.conftest import USERS
from tests.progress_helpers import (approved, assert_refused, content, draft, make_initiative, make_world,
                                    submitted, unique)


@pytest.fixture()
def world(db):
    return make_world(db)


def audit_trail(db, obj) -> list[tuple[str, int | None]]:
    """(action, actor id) of the object's audit entries since it was made: the tests over HTTP remove
    their updates and periods afterwards (the entries stay), and SQLite may give their ids out again."""
    db.session.flush()
    return [(e.action, e.actor_id) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == type(obj).__name__, AuditEntry.object_id == obj.id,
                                 AuditEntry.created_dt >= obj.created_dt)
        .order_by(AuditEntry.id))]


def measurements(db, indicator) -> list[tuple[Decimal, int]]:
    return [(m.value, m.progress_update_id) for m in db.session.scalars(
        select(ImpactMeasurement).where(ImpactMeasurement.indicator_id == indicator.id)
        .order_by(ImpactMeasurement.id))]


# ---------------------------------------------------------------- reporting periods

def test_ensure_quarters_is_idempotent(db, world):
    year = 2091
    quarters = ops.ensure_quarters(year, actor=world.manager)
    assert [q.code for q in quarters] == [f"{year}-K{n}" for n in range(1, 5)]
    assert quarters[3].label == f"4e kwartaal {year}"
    assert (quarters[0].starts_on, quarters[3].ends_on) == (date(year, 1, 1), date(year, 12, 31))
    assert quarters[0].ends_on == date(year, 3, 31) and all(q.kind == "quarter" and q.is_open for q in quarters)
    count = len(db.session.scalars(select(ProgressRound)).all())
    again = ops.ensure_quarters(year, actor=world.manager)
    assert [q.id for q in again] == [q.id for q in quarters]
    assert len(db.session.scalars(select(ProgressRound)).all()) == count


def test_add_period_refusals(db, world):
    assert_refused(db, PermissionDenied, ops.add_period, unique(), "x", date(2090, 1, 1), date(2090, 2, 1),
                   actor=world.owner)
    assert_refused(db, PermissionDenied, ops.ensure_quarters, 2092, actor=world.reader)
    assert_refused(db, WorkflowError, ops.add_period, world.period.code, "dubbel", date(2090, 1, 1),
                   date(2090, 2, 1), match="bestaat al")
    assert_refused(db, WorkflowError, ops.add_period, unique(), "achterstevoren", date(2090, 2, 1),
                   date(2090, 1, 1), match="vóór de begindatum")
    period = ops.add_period(unique(), "Halfjaar", date(2090, 1, 1), date(2090, 6, 30), actor=world.manager)
    assert period.kind == "other" and period.is_open


def test_close_and_reopen_keep_who_when_and_why(db, world):
    period = world.period
    assert_refused(db, PermissionDenied, ops.close_period, period, world.owner)
    ops.close_period(period, world.manager)
    assert not period.is_open and period.closed_by_id == world.manager.id and period.closed_dt is not None
    assert_refused(db, WorkflowError, ops.close_period, period, world.manager, match="al gesloten")
    assert_refused(db, WorkflowError, ops.reopen_period, period, world.manager, "  ", match="reden")
    assert_refused(db, PermissionDenied, ops.reopen_period, period, world.owner, "graag")
    ops.reopen_period(period, world.manager, "Late cijfers van de gemeente")
    assert period.is_open and period.closed_by is None
    assert_refused(db, WorkflowError, ops.reopen_period, period, world.manager, "nogmaals", match="niet gesloten")
    db.session.expire_all()
    events = db.session.scalars(select(PeriodEvent).where(PeriodEvent.period_id == period.id)
                                .order_by(PeriodEvent.id)).all()
    assert [(e.action, e.actor_id, e.reason) for e in events] == [
        ("closed", world.manager.id, None), ("reopened", world.manager.id, "Late cijfers van de gemeente")]
    assert audit_trail(db, period) == [("progress_round.create", None), ("progress_round.close", world.manager.id),
                                       ("progress_round.reopen", world.manager.id)]


def test_closed_period_message_names_who_closed_it_and_when(db, world):
    ops.close_period(world.period, world.manager)
    with pytest.raises(PeriodClosed) as info:
        ops.assert_period_open(world.period)
    message = str(info.value)
    assert world.manager.name in message and dutch_datetime(world.period.closed_dt) in message
    assert world.period.label in message


# ---------------------------------------------------------------- the workflow

def test_full_workflow_with_return_and_approval(db, world):
    update = ops.create_draft(world.initiative, world.period, world.owner)
    assert (update.status, update.revision, update.author_id, update.version) == ("draft", 1, world.owner.id, 1)
    ops.update_draft(update, content(world), world.owner)
    assert update.lessons[0].learning_question_id == world.question.id and len(update.risks) == 1
    assert update.spending[0].committed == Decimal("2000.00")
    ops.submit(update, world.owner)
    assert update.status == "submitted" and update.submitted_dt is not None
    assert update in ops_queue()
    ops.return_update(update, world.manager, "Graag de bron van de deelnemers vermelden.")
    assert update.status == "returned" and update.review_comment.startswith("Graag")
    assert update.is_editable
    ops.update_draft(update, {"results": "40 deelnemers (presentielijsten)."}, world.owner)
    ops.submit(update, world.owner)
    assert measurements(db, world.indicator) == []
    ops.approve(update, world.manager)
    assert update.status == "approved" and update.reviewed_by_id == world.manager.id
    assert measurements(db, world.indicator) == [(Decimal("40"), update.id)]
    owner, manager = world.owner.id, world.manager.id
    assert audit_trail(db, update) == [
        ("progress_update.create", owner), ("progress_update.update", owner), ("progress_update.submit", owner),
        ("progress_update.return", manager), ("progress_update.update", owner), ("progress_update.submit", owner),
        ("progress_update.approve", manager)]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == update.id,
                                                        AuditEntry.action == "progress_update.update")).all()[-1]
    assert entry.old_values == {"results": "40 deelnemers."}
    assert entry.new_values == {"results": "40 deelnemers (presentielijsten)."}
    assert entry.initiative_id == world.initiative.id


def ops_queue():
    from programme.progress.queries import review_queue

    return review_queue()


def test_create_draft_refusals(db, world):
    assert_refused(db, PermissionDenied, ops.create_draft, world.initiative, world.period, world.other_owner)
    assert_refused(db, PermissionDenied, ops.create_draft, world.initiative, world.period, world.reader)
    assert_refused(db, PermissionDenied, ops.create_draft, world.other, world.period, world.owner)
    ops.create_draft(world.initiative, world.period, world.owner)
    assert_refused(db, WorkflowError, ops.create_draft, world.initiative, world.period, world.manager,
                   match="Werk dat bericht bij")


def test_create_draft_refused_once_approved(db, world):
    approved(world)
    assert_refused(db, WorkflowError, ops.create_draft, world.initiative, world.period, world.owner,
                   match="correctie")


def test_update_draft_refusals(db, world):
    update = draft(world)
    data = {"done": "anders"}
    assert_refused(db, PermissionDenied, ops.update_draft, update, data, world.other_owner)
    assert_refused(db, PermissionDenied, ops.update_draft, update, data, world.reader)
    for bad, match in [
        ({"status": "approved"}, "Onbekende velden"),
        ({"author_id": world.other_owner.id}, "Onbekende velden"),
        ({"traffic_light": "paars"}, "stoplicht"),
        ({"lessons": [{"learning_question": None, "text": " "}]}, "verplicht"),
        ({"indicator_values": [{"impact_indicator": world.indicator, "value": 1.5,
                                "measured_on": date(2090, 1, 1)}]}, "getal"),
        ({"spending": [{"budget_line": world.line_zet, "spent": Decimal(-1)}]}, "negatief"),
        ({"spending": [{"budget_line": world.line_zet, "spent": Decimal("1.005")}]}, "twee cijfers"),
        ({"spending": [{"budget_line": world.line_zet}, {"budget_line": world.line_zet}]}, "één keer"),
        ({"risks": [{"description": "x", "likelihood": "enorm", "impact": "laag"}]}, "laag, middel of hoog"),
    ]:
        assert_refused(db, WorkflowError, ops.update_draft, update, bad, world.owner, match=match)
    # A record of another initiative is a forged form: refused as a right (403), not as a field error.
    for bad, match in [
        ({"lessons": [{"learning_question": world.other_question, "text": "x"}]}, "leervraag hoort niet"),
        ({"indicator_values": [{"impact_indicator": world.other_indicator, "value": 1,
                                "measured_on": date(2090, 1, 1)}]}, "indicator hoort niet"),
        ({"spending": [{"budget_line": world.other_line, "spent": Decimal(1)}]}, "begrotingspost hoort niet"),
    ]:
        assert_refused(db, PermissionDenied, ops.update_draft, update, bad, world.owner, match=match)
    assert_refused(db, StaleUpdate, ops.update_draft, update, data, world.owner,
                   expected_version=update.version - 1)
    ops.update_draft(update, data, world.owner, expected_version=update.version)
    assert update.done == "anders"
    ops.submit(update, world.owner)
    assert_refused(db, WorkflowError, ops.update_draft, update, data, world.owner, match="ingediend")


def test_update_draft_replaces_lists_and_bumps_the_version(db, world):
    update = draft(world)
    version = update.version
    ops.update_draft(update, {"spending": [{"budget_line": world.line_province, "committed": Decimal("9.99")},
                                           {"budget_line": world.line_zet, "spent": Decimal("1")}],
                              "risks": []}, world.owner)
    db.session.expire_all()
    assert [(s.budget_line_id, s.committed, s.spent) for s in update.spending] == [
        (world.line_province.id, Decimal("9.99"), Decimal("0.00")), (world.line_zet.id, Decimal("0.00"),
                                                                      Decimal("1.00"))]
    assert update.risks == [] and len(update.lessons) == 1 and update.version > version


def test_submit_refusals(db, world):
    update = ops.create_draft(world.initiative, world.period, world.owner)
    assert_refused(db, WorkflowError, ops.submit, update, world.owner, match="Kies een stoplicht")
    for light in ("aandacht", "risico"):
        ops.update_draft(update, {"traffic_light": light, "explanation": ""}, world.owner)
        assert_refused(db, WorkflowError, ops.submit, update, world.owner, match="Licht toe")
    ops.update_draft(update, {"explanation": "Gemeente stapt uit."}, world.owner)
    assert_refused(db, PermissionDenied, ops.submit, update, world.other_owner)
    assert_refused(db, PermissionDenied, ops.submit, update, world.reader)
    ops.submit(update, world.owner)
    assert_refused(db, WorkflowError, ops.submit, update, world.owner, match="ingediend")


def test_return_refusals(db, world):
    update = draft(world)
    assert_refused(db, WorkflowError, ops.return_update, update, world.manager, "te vroeg", match="niet ingediend")
    ops.submit(update, world.owner)
    assert_refused(db, PermissionDenied, ops.return_update, update, world.owner, "zelf terug")
    assert_refused(db, PermissionDenied, ops.return_update, update, world.reader, "lezer")
    assert_refused(db, WorkflowError, ops.return_update, update, world.manager, "  ", match="wat er moet")


def test_approve_refusals(db, world):
    update = draft(world)
    assert_refused(db, WorkflowError, ops.approve, update, world.manager, match="niet ingediend")
    ops.submit(update, world.owner)
    assert_refused(db, PermissionDenied, ops.approve, update, world.owner)
    assert_refused(db, PermissionDenied, ops.approve, update, world.reader)
    ops.approve(update, world.manager)
    assert_refused(db, WorkflowError, ops.approve, update, world.manager, match="staat vast")


def test_manager_may_not_approve_own_update(db, world):
    update = ops.create_draft(world.initiative, world.period, world.manager)
    ops.update_draft(update, content(world), world.manager)
    ops.submit(update, world.manager)
    assert_refused(db, PermissionDenied, ops.approve, update, world.manager, match="zelf heeft geschreven")
    second = User(email=f"{unique()}@test.example", name="Tweede Manager", role="manager", password_hash="x")
    db.session.add(second)
    db.session.flush()
    ops.approve(update, second)
    assert update.status == "approved" and update.reviewed_by_id == second.id


def test_a_reader_may_write_nothing(db, world):
    update = submitted(world)
    evidence = {"original_name": "a.pdf", "stored_name": unique(), "mime_type": "application/pdf", "size": 1,
                "sha256": "0" * 64}
    reader = world.reader
    for fn, args, kwargs in [
        (ops.create_draft, (world.other, world.period, reader), {}),
        (ops.update_draft, (update, {"done": "x"}, reader), {}),
        (ops.submit, (update, reader), {}),
        (ops.return_update, (update, reader, "terug"), {}),
        (ops.approve, (update, reader), {}),
        (ops.add_evidence, (update, reader), evidence),
        (ops.close_period, (world.period, reader), {}),
        (ops.add_period, (unique(), "x", date(2090, 1, 1), date(2090, 1, 2)), {"actor": reader}),
    ]:
        assert_refused(db, PermissionDenied, fn, *args, **kwargs)
    ops.approve(update, world.manager)
    assert_refused(db, PermissionDenied, ops.correct, update, reader)
    ops.close_period(world.period, world.manager)
    assert_refused(db, PermissionDenied, ops.reopen_period, world.period, reader, "graag")


# ---------------------------------------------------------------- closed periods

def _at(state):
    """(operation, arguments) for each write, on an update in the state it needs."""
    def run(world):
        if state == "none":
            return ops.create_draft, (world.initiative, world.period, world.owner)
        if state == "draft":
            return ops.update_draft, (draft(world), {"done": "x"}, world.owner)
        if state == "submit":
            return ops.submit, (draft(world), world.owner)
        if state == "return":
            return ops.return_update, (submitted(world), world.manager, "graag aanvullen")
        if state == "approve":
            return ops.approve, (submitted(world), world.manager)
        if state == "correct":
            return ops.correct, (approved(world), world.owner)
        if state == "evidence":
            return ops.add_evidence, (draft(world), world.owner)
        raise AssertionError(state)
    return run


@pytest.mark.parametrize("state", ["none", "draft", "submit", "return", "approve", "correct", "evidence"])
def test_closed_period_refuses_every_write(db, world, state):
    fn, args = _at(state)(world)
    ops.close_period(world.period, world.manager)
    kwargs = {}
    if fn is ops.add_evidence:
        kwargs = {"original_name": "a.pdf", "stored_name": unique(), "mime_type": "application/pdf", "size": 3,
                  "sha256": "0" * 64}
    error = assert_refused(db, PeriodClosed, fn, *args, **kwargs)
    assert world.manager.name in str(error) and dutch_datetime(world.period.closed_dt) in str(error)


# ---------------------------------------------------------------- corrections

def test_correction_is_a_new_revision_and_the_approved_one_stays_final(db, world):
    first = approved(world)
    first_state = (first.version, first.done, [s.spent for s in first.spending])
    for fn, args in [(ops.update_draft, (first, {"done": "later"}, world.owner)), (ops.submit, (first, world.owner)),
                     (ops.return_update, (first, world.manager, "nee")), (ops.approve, (first, world.manager))]:
        assert_refused(db, WorkflowError, fn, *args, match="staat vast")
    assert_refused(db, PermissionDenied, ops.correct, first, world.other_owner)
    assert_refused(db, PermissionDenied, ops.correct, first, world.reader)
    fix = ops.correct(first, world.owner)
    assert (fix.revision, fix.previous_revision_id, fix.status, fix.author_id) == (2, first.id, "draft",
                                                                                  world.owner.id)
    assert (fix.done, fix.traffic_light, len(fix.lessons), len(fix.risks)) == (first.done, "op_koers", 1, 1)
    assert [s.spent for s in fix.spending] == [Decimal("1500.00")]
    assert_refused(db, WorkflowError, ops.correct, first, world.owner, match="nieuwere versie")
    assert_refused(db, WorkflowError, ops.correct, fix, world.owner, match="goedgekeurd")
    ops.update_draft(fix, {"indicator_values": [{"impact_indicator": world.indicator, "value": Decimal("42"),
                                                 "measured_on": date(2090, 3, 15)}]}, world.owner)
    ops.submit(fix, world.owner)
    ops.approve(fix, world.manager)
    # The correction's values replace the earlier ones: the period counts once.
    assert measurements(db, world.indicator) == [(Decimal("42"), fix.id)]
    db.session.expire_all()
    assert (first.status, first.version, first.done, [s.spent for s in first.spending]) == ("approved", *first_state)
    assert audit_trail(db, fix)[0] == ("progress_update.correct", world.owner.id)


def test_the_model_itself_refuses_changes_to_an_approved_update(db, world):
    update = approved(world)
    update.done = "stilletjes aangepast"
    with pytest.raises(ApprovedUpdateIsFinal):
        db.session.flush()
    db.session.rollback()


def test_approved_content_cannot_change_underneath(db, world):
    update = approved(world)
    update.lessons[0].text = "anders"
    with pytest.raises(ApprovedUpdateIsFinal):
        db.session.flush()
    db.session.rollback()


def test_evidence_is_added_removed_and_copied_by_a_correction(db, world):
    update = draft(world)
    meta = {"original_name": "verslag.pdf", "stored_name": unique(), "mime_type": "application/pdf",
            "size": 1234, "sha256": "a" * 64}
    assert_refused(db, PermissionDenied, ops.add_evidence, update, world.other_owner, **meta)
    evidence = ops.add_evidence(update, world.owner, **meta)
    extra = ops.add_evidence(update, world.owner, **{**meta, "stored_name": unique()})
    ops.remove_evidence(extra, world.owner)
    assert [e.id for e in update.evidence] == [evidence.id]
    ops.submit(update, world.owner)
    assert_refused(db, WorkflowError, ops.remove_evidence, evidence, world.owner)
    ops.approve(update, world.manager)
    fix = ops.correct(update, world.owner)
    assert [(e.stored_name, e.sha256) for e in fix.evidence] == [(meta["stored_name"], meta["sha256"])]
    assert [a for a, _ in audit_trail(db, update)].count("progress_update.add_evidence") == 2


# ---------------------------------------------------------------- optimistic locking

@pytest.mark.committed
def test_two_sessions_editing_the_same_update_the_second_loses(db):
    # Commits for real: the two sessions of their own must see the row.
    owner = find_user(USERS["owner"][0])
    initiative = make_initiative(db, owner, "Vergrendeltest")
    period = ProgressRound(code=unique("L"), label="Vergrendeltest", starts_on=date(2090, 1, 1),
                             ends_on=date(2090, 3, 31))
    update = ProgressUpdate(initiative=initiative, period=period, author_id=owner.id, done="begin")
    db.session.add_all([period, update])
    db.session.commit()
    ids = (update.id, period.id, initiative.id)
    first, second = Session(bind=db.engine), Session(bind=db.engine)
    try:
        mine, theirs = first.get(ProgressUpdate, ids[0]), second.get(ProgressUpdate, ids[0])
        assert mine.version == theirs.version == 1
        mine.done = "eerste"
        first.commit()
        theirs.done = "tweede"
        with pytest.raises(StaleDataError):
            second.flush()
        second.rollback()
        assert first.get(ProgressUpdate, ids[0]).done == "eerste"
    finally:
        first.close()
        second.close()
