"""Reading progress: what is due, the review queue, budget follow-up and the learning log, all
from approved updates only (the latest approved revision per initiative and period)."""
from datetime import date
from decimal import Decimal

import pytest

from programme.progress import operations as ops
from programme.progress.followup import budget_follow_up, learning_log
from programme.progress.queries import due_for, review_queue
from tests.progress_helpers import approved, draft, make_period, make_world, submitted


@pytest.fixture()
def world(db):
    return make_world(db)


def spend(world, line, committed, spent):
    return {"spending": [{"budget_line": line, "committed": Decimal(committed), "spent": Decimal(spent)}]}


def test_due_for_shows_each_owner_their_initiatives_and_the_state(db, world):
    items = {item.initiative.id: item for item in due_for(world.owner, world.period)}
    assert world.initiative.id in items and world.other.id not in items
    assert items[world.initiative.id].state == "not_started" and items[world.initiative.id].needs_action
    assert items[world.initiative.id].state_label == "Nog niet begonnen"
    update = submitted(world)
    item = next(i for i in due_for(world.owner, world.period) if i.initiative.id == world.initiative.id)
    assert (item.update, item.state, item.needs_action) == (update, "submitted", False)
    ops.return_update(update, world.manager, "aanvullen")
    item = next(i for i in due_for(world.owner, world.period) if i.initiative.id == world.initiative.id)
    assert item.state_label == "Teruggestuurd" and item.needs_action
    others = {item.initiative.id for item in due_for(world.other_owner, world.period)}
    assert world.other.id in others and world.initiative.id not in others
    assert {world.initiative.id, world.other.id} <= {i.initiative.id for i in due_for(world.manager, world.period)}
    assert due_for(world.reader, world.period) == []


def test_due_for_shows_the_live_correction(db, world):
    fix = ops.correct(approved(world), world.owner)
    item = next(i for i in due_for(world.owner, world.period) if i.initiative.id == world.initiative.id)
    assert item.update == fix and item.state_label == "Concept (correctie, versie 2)"


def test_review_queue_holds_submitted_updates_only(db, world):
    first = submitted(world)
    later_period = make_period(db, date(2090, 4, 1), date(2090, 6, 30))
    second = submitted(world, later_period)
    drafted = draft(world, make_period(db, date(2090, 7, 1), date(2090, 9, 30)))
    queue = review_queue()
    assert first in queue and second in queue and drafted not in queue
    assert queue.index(first) < queue.index(second)
    assert review_queue(later_period) == [second]
    ops.approve(first, world.manager)
    assert first not in review_queue()


def test_budget_follow_up_counts_approved_updates_once(db, world):
    q1 = world.period
    q2 = make_period(db, date(2090, 4, 1), date(2090, 6, 30))
    q3 = make_period(db, date(2090, 7, 1), date(2090, 9, 30))
    first = approved(world, q1, **spend(world, world.line_province, "2000.00", "1500.00"))
    approved(world, q2, spending=[
        {"budget_line": world.line_province, "committed": Decimal("100.00"), "spent": Decimal("250.50")},
        {"budget_line": world.line_zet, "committed": Decimal("800.00"), "spent": Decimal("300.00")}])
    submitted(world, q3, **spend(world, world.line_province, "99999.00", "99999.00"))  # not approved: not counted

    def lines():
        follow_up = budget_follow_up(world.initiative)
        return follow_up, {row.budget_line.id: row for row in follow_up.lines}

    follow_up, rows = lines()
    assert set(rows) == {world.line_province.id, world.line_zet.id}
    province = rows[world.line_province.id]
    assert (province.budgeted, province.committed, province.spent) == (
        Decimal("10000.00"), Decimal("2100.00"), Decimal("1750.50"))
    assert province.remaining == Decimal("8249.50") and province.uncommitted == Decimal("7900.00")
    sources = {(s.funding_source.code if s.funding_source else None): s for s in follow_up.sources}
    assert sources["zet"].spent == Decimal("300.00") and sources["zet"].budgeted == Decimal("5000.00")
    assert sources[None].label == "Programmabudget" and sources[None].spent == Decimal("1750.50")
    assert follow_up.total.spent == Decimal("2050.50") and follow_up.total.budgeted == Decimal("15000.00")

    # A correction in progress changes nothing; once approved it replaces q1's figures.
    fix = ops.correct(first, world.owner)
    ops.update_draft(fix, spend(world, world.line_province, "2000.00", "1600.00"), world.owner)
    assert lines()[1][world.line_province.id].spent == Decimal("1750.50")
    ops.submit(fix, world.owner)
    ops.approve(fix, world.manager)
    assert lines()[1][world.line_province.id].spent == Decimal("1850.50")
    # Another initiative's lines stay out of this initiative's follow-up, and appear in the whole.
    assert world.other_line.id in {row.budget_line.id for row in budget_follow_up().lines}


def test_learning_log_in_time_order_from_approved_updates(db, world):
    early = make_period(db, date(2089, 1, 1), date(2089, 3, 31))
    late = world.period

    def lesson(text, question=None):
        return {"lessons": [{"learning_question": question or world.question, "text": text}]}

    # Approved in reverse order: the log follows the periods, not the order of approval.
    late_update = approved(world, late, **lesson("Later geleerd"))
    approved(world, early, **lesson("Eerst geleerd"))
    submitted(world, make_period(db, date(2091, 1, 1), date(2091, 3, 31)), **lesson("Nog niet goedgekeurd"))
    other = ops.create_draft(world.other, late, world.other_owner)
    ops.update_draft(other, {"traffic_light": "op_koers", "lessons": [
        {"learning_question": world.other_question, "text": "Elders geleerd"}]}, world.other_owner)
    ops.submit(other, world.other_owner)
    ops.approve(other, world.manager)

    assert [x.text for x in learning_log(world.question)] == ["Eerst geleerd", "Later geleerd"]
    assert [x.text for x in learning_log(initiative=world.other)] == ["Elders geleerd"]
    # A correction replaces the lessons of the revision it corrects: no duplicates.
    fix = ops.correct(late_update, world.owner)
    ops.update_draft(fix, lesson("Later geleerd, scherper"), world.owner)
    ops.submit(fix, world.owner)
    ops.approve(fix, world.manager)
    assert [x.text for x in learning_log(world.question)] == ["Eerst geleerd", "Later geleerd, scherper"]
    assert learning_log(world.question)[1].update.revision == 2
