"""The seeded programme matches the source documents."""
from decimal import Decimal

from sqlalchemy import func, select

from programme.budget import queries as budget_queries
from programme.initiatives.models import Initiative, LearningQuestion
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator, MonitorValue
from programme.seed.loader import seed_all


def monitor_value(db, indicator: str, area: str, year: int = 2018) -> Decimal | None:
    return db.session.scalar(
        select(MonitorValue.value).join(MonitorIndicator).join(Area).join(MonitorEdition)
        .where(MonitorIndicator.code == indicator, Area.name == area, MonitorEdition.year == year))


def test_budget_totals_are_computed_from_the_action_lines(db):
    table = budget_queries.budget_table()
    assert table.totals["2017"] == Decimal("5600000")
    assert table.totals["2018/2019"] == Decimal("11200000")
    per_deliverable = {row.deliverable.code: row.totals for row in table.rows}
    assert per_deliverable["leren"]["2017"] == Decimal("3750000")
    assert per_deliverable["netwerk"]["2018/2019"] == Decimal("1800000")
    assert per_deliverable["impactmonitoring"]["2017"] == Decimal("800000")
    assert per_deliverable["ondersteunend"]["2018/2019"] == Decimal("300000")
    assert sum(len(row.actions) for row in table.rows) == 9


def test_zet_and_zorgbelang_split_and_difference_with_annual_budget(db):
    by_org = {(item.funding_source.code, item.period.code): item for item in budget_queries.organisation_allocations()}
    zet, zorgbelang = by_org["zet", "2017"], by_org["zorgbelang", "2017"]
    assert zet.annual_budget == Decimal("2099021")
    assert zorgbelang.annual_budget == Decimal("1120372")
    assert zet.allocated == Decimal("2133000")  # 1.800.000 + 200.000 + 133.000
    assert zorgbelang.allocated == Decimal("1066000")  # 900.000 + 100.000 + 66.000
    assert zet.difference == Decimal("33979")  # more allocated than budgeted
    assert zorgbelang.difference == Decimal("-54372")  # part of the budget not allocated
    assert zet.comparison.sentence == "€ 33.979 meer toegewezen dan begroot"
    assert zorgbelang.comparison.sentence == "€ 54.372 minder toegewezen dan begroot"
    # The source does not divide 2018/2019 over the prestaties: listed, but no difference claimed.
    assert by_org["zet", "2018/2019"].budgeted == Decimal("4198042") and by_org["zet", "2018/2019"].difference is None
    allocations = budget_queries.allocations_by_deliverable()
    leren = next(r for r in budget_queries.budget_table().rows if r.deliverable.code == "leren").deliverable
    assert allocations[(leren.id, "2017", "zet")] == Decimal("1800000")
    assert allocations[(leren.id, "2017", "zorgbelang")] == Decimal("900000")


def test_reconciliation_shows_the_statenvoorstel_difference(db):
    checks = budget_queries.reconciliation()
    differing = [c for c in checks if not c.agrees]
    assert [c.subject for c in differing] == ["Stelpost Statenvoorstel 2016 (€11 miljoen voor 2018-2019)"]
    assert differing[0].value == Decimal("-200000")
    assert differing[0].sentence == "€ 200.000 minder gereserveerd dan begroot"
    assert all(c.agrees for c in checks if c.subject.startswith("TOTAAL"))


def test_eleven_initiatives_with_their_learning_questions(db):
    initiatives = db.session.scalars(select(Initiative)).all()
    assert sorted((i.number for i in initiatives), key=lambda n: [int(p) for p in n.split(".")]) == [
        f"1.1.{n}" for n in range(1, 12)]
    by_number = {i.number: i for i in initiatives}
    assert by_number["1.1.4"].name == "Dorpsmolen"
    assert by_number["1.1.8"].name == "Slowcare"
    assert [a.name for a in by_number["1.1.3"].figure_areas] == ["Helmond"]
    assert {t.name for t in by_number["1.1.8"].crossover_tasks} == {
        "Ruimtelijke ontwikkeling", "Duurzame energie", "Smart Health"}
    assert by_number["1.1.6"].partners_text.startswith("Team Leegstand")
    assert "geldlening" in by_number["1.1.8"].role_province
    assert by_number["1.1.9"].role_zet is None
    for initiative in initiatives:
        assert initiative.learning_questions, initiative.number
        assert initiative.opgave and initiative.description and initiative.source
    questions = [q.question for q in by_number["1.1.11"].learning_questions]
    assert "Hoe kan coöperatief glasvezelnet worden gestimuleerd?" in questions
    assert db.session.scalar(select(func.count(LearningQuestion.id))) >= 11


def test_monitor_values_per_area(db):
    # Tabel 1: resilience shares per COROP region and Brabant
    assert monitor_value(db, "resilience_yes", "Brabant") == 57
    assert monitor_value(db, "resilience_partly", "Brabant") == 31
    assert monitor_value(db, "resilience_not", "Brabant") == 12
    assert monitor_value(db, "resilience_yes", "Noordoost-Brabant") == 60
    assert monitor_value(db, "resilience_not", "West-Brabant") == 13
    # municipality figures from the text
    assert monitor_value(db, "resilience_not", "Helmond") == 16
    assert monitor_value(db, "resilience_not", "Waalwijk") == 15
    assert monitor_value(db, "resilience_yes", "Oosterhout") == 52
    assert monitor_value(db, "identity_bond_netherlands", "Uden") == 72
    assert monitor_value(db, "identity_bond_netherlands", "Oss") == 74
    assert monitor_value(db, "trust_political", "Uden") == 30
    # correlations with resilience
    happiness = db.session.scalar(select(MonitorIndicator).filter_by(code="happiness"))
    assert happiness.correlation == Decimal("0.48")
    assert db.session.scalar(select(MonitorIndicator.correlation).filter_by(code="social_contact")) == Decimal("0.42")


def test_municipalities_have_cbs_codes_and_sit_in_their_region(db):
    helmond = db.session.scalar(select(Area).filter_by(name="Helmond"))
    assert helmond.cbs_code == "GM0794" and helmond.group == "B5"
    assert [a.name for a in helmond.ancestors()] == ["Zuidoost-Brabant", "Brabant"]
    assert db.session.scalar(select(func.count(Area.id)).where(Area.group == "M7")) == 7


def test_every_seeded_record_keeps_its_source(db):
    from programme.models import (Action, Allocation, Area, BudgetLine, Deliverable, Goal, ImpactIndicator,
                                  MonitorIndicator, MonitorValue, Organisation)
    for model in (Goal, Deliverable, Action, BudgetLine, Allocation, Area, MonitorIndicator, MonitorValue,
                  ImpactIndicator, Organisation, Initiative, LearningQuestion):
        missing = db.session.scalar(select(func.count()).select_from(model).where(model.source.is_(None)))
        assert missing == 0, model.__name__


def test_no_progress_or_actuals_are_invented(db):
    from programme.impact.models import ImpactMeasurement
    assert db.session.scalar(select(func.count(ImpactMeasurement.id))) == 0


def test_seeding_twice_changes_nothing(db):
    before = _snapshot(db)
    stats = seed_all()
    db.session.commit()
    assert stats["created"] == 0 and stats["updated"] == 0
    assert _snapshot(db) == before


def _snapshot(db):
    out = {}
    for table in db.metadata.sorted_tables:
        if table.name in ("audit_entries", "users"):
            continue
        rows = db.session.execute(table.select()).all()
        out[table.name] = sorted(map(repr, rows))
    return out
