"""A readable audit trail: Dutch names of kinds and fields, values as on screen (page and CSV alike), no
change recorded where only a number's notation differs, every real change recorded (a changed note on an
indicator value), and the page's queries do not grow with its entries."""
import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from programme.core import audit
from programme.core.audit import AuditEntry
from programme.core.audit_labels import KINDS
from programme.core.extensions import db as _db
from programme.progress import operations as ops
from programme.progress.models import ProgressRound, ProgressUpdate
from tests.conftest import count_queries
from tests.progress_helpers import (client_for, content, ctx, draft, ids, make_world, new_draft,  # noqa: F401
                                    world_of)

ROOT = Path(__file__).resolve().parent.parent
# What must never reach the reader: English states, code keys, class names, Python values.
RAW = ("submitted", "approved", "draft", "op_koers", "is_open", "indicator_values", "budget_line_id",
       "ProgressUpdate", "ProgressRound", "ReportingPeriod", "None", "True", "False", "40000.00", "66.0000")


@pytest.fixture()
def world(db):
    return make_world(db)


def _entries(db, obj) -> list[AuditEntry]:
    db.session.flush()
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == type(obj).__name__, AuditEntry.object_id == obj.id,
        AuditEntry.created_dt >= obj.created_dt).order_by(AuditEntry.id)))


def _item_values(world, **changes) -> list[dict]:
    value = {"impact_indicator": world.indicator, "value": Decimal("66.0000"), "measured_on": date(2090, 3, 15),
             "source": "Presentielijst", "note": None}
    return [{**value, **changes}]


# ---------------------------------------------------------------- recording

@pytest.mark.parametrize("old, new", [(Decimal("66.0000"), 66), (66.0, "66"), (Decimal("40000.00"), 40000.0),
                                      (Decimal("1.50"), Decimal("1.5"))])
def test_a_number_written_differently_is_no_change(db, world, old, new):
    count = db.session.scalar(select(func.count(AuditEntry.id)))
    assert audit.record("test.same", world.initiative, old={"value": old}, new={"value": new}) is None
    db.session.flush()
    assert db.session.scalar(select(func.count(AuditEntry.id))) == count
    # Next to a real change only the real change is kept.
    entry = audit.record("test.same", world.initiative, old={"value": old, "name": "A"},
                         new={"value": new, "name": "B"})
    assert (entry.old_values, entry.new_values) == ({"name": "A"}, {"name": "B"})


def test_saving_an_indicator_value_as_66_after_66_0000_records_no_change(db, world):
    update = draft(world, indicator_values=_item_values(world))
    ops.update_draft(update, content(world, indicator_values=_item_values(world, value="66")), world.owner)
    last = _entries(db, update)[-1]
    assert last.action == "progress_update.update"
    assert "indicator_values" not in (last.old_values or {}) and "indicator_values" not in (last.new_values or {})


def test_a_changed_note_on_an_indicator_value_is_recorded(db, world):
    update = draft(world, indicator_values=_item_values(world, note="Eerste telling"))
    ops.update_draft(update, content(world, indicator_values=_item_values(world, note="Na hertelling")),
                     world.owner)
    last = _entries(db, update)[-1]
    assert last.old_values["indicator_values"][0]["note"] == "Eerste telling"
    assert last.new_values["indicator_values"][0]["note"] == "Na hertelling"
    assert last.new_values["indicator_values"][0]["value"] == 66


def test_every_field_of_every_child_record_is_compared(db, world):
    """Each child field that the owner can change shows up in the audit entry when it changes."""
    update = draft(world)
    drafted = content(world)
    # One field of each child record of the draft changed.
    changes = {
        "lessons": [{**drafted["lessons"][0], "text": "Anders geformuleerd."}],
        "risks": [{**drafted["risks"][0], "likelihood": "laag"}],
        "indicator_values": [{**drafted["indicator_values"][0], "measured_on": date(2090, 3, 16)}],
        "spending": [{**drafted["spending"][0], "spent": Decimal("1600")}],
    }
    applied = {}
    for key, items in changes.items():
        applied[key] = items
        ops.update_draft(update, content(world, **applied), world.owner)
        assert list(_entries(db, update)[-1].new_values) == [key]


def test_every_recorded_action_has_a_dutch_name():
    from programme.audit.views import ACTION_LABELS

    recorded = set()
    for path in (ROOT / "programme").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'\b(?:record|record_now|_log)\(\s*"([a-z_.]+)"', source))
        action = r'"([a-z_]+\.[a-z_]+|report_[a-z_]+)"'
        recorded |= {name for pair in re.findall(rf"{action} if [\w.]+ else {action}", source) for name in pair}
    assert len(recorded) > 30
    assert sorted(recorded - set(ACTION_LABELS)) == []


def test_every_kind_with_a_title_is_a_model(app):
    classes = {mapper.class_.__name__ for mapper in _db.Model.registry.mappers}
    assert set(KINDS) <= classes


# ---------------------------------------------------------------- the pages and the CSV export

def _scenario(ctx, ids):  # noqa: F811
    """A draft with content, a note changed, submitted and approved; a period closed; and two entries as
    older versions wrote them (raw values, one-line items, a repr as object label), under the names the
    data migration of issue 9 gave their actions and kinds."""
    update_id = new_draft(ctx, ids)

    def _rest(users):
        world = world_of(ids)
        update = _db.session.get(ProgressUpdate, update_id)
        data = content(world, indicator_values=[{"impact_indicator": world.indicator, "value": Decimal("40.0000"),
                                                 "measured_on": date(2090, 3, 15), "source": "Presentielijst",
                                                 "note": "Na hertelling"}])
        ops.update_draft(update, data, users["owner"])
        ops.submit(update, users["owner"])
        ops.approve(update, users["manager"])
        period = _db.session.get(ProgressRound, ids.period)
        _db.session.add(AuditEntry(
            action="progress_round.close", object_type="ProgressRound", object_id=period.id,
            object_label=f"<ReportingPeriod {period.code} closed>", initiative_id=ids.initiative, result="ok",
            actor_id=users["manager"].id, old_values={"is_open": True, "closed_by_id": None},
            new_values={"is_open": False, "closed_by_id": users["manager"].id}))
        _db.session.add(AuditEntry(
            action="progress_update.update", object_type="ProgressUpdate", object_id=update.id,
            object_label=update.audit_label, initiative_id=ids.initiative, result="ok",
            actor_id=users["owner"].id,
            old_values={"indicator_values": [f"indicator {ids.indicator} = 66.0000 op 2090-03-15 (bron: -)"],
                        "spending": [f"post {ids.line_province}: verplicht 40000.00, besteed 0.00"]},
            new_values={"indicator_values": [f"indicator {ids.indicator} = 66 op 2090-03-15 (bron: -)"],
                        "spending": [f"post {ids.line_province}: verplicht 40000.00, besteed 19750.50"]}))
        return update_id
    return ctx(_rest)


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_page_and_csv_show_dutch_names_and_formatted_values(app, ctx, ids):  # noqa: F811
    _scenario(ctx, ids)
    manager_name = ctx(lambda users: users["manager"].name)
    manager = client_for(app, "manager")
    html = _main(manager.get(f"/initiatieven/{ids.initiative}/audit").get_data(as_text=True))
    for expected in ("Voortgangsbericht ingediend", "Voortgangsbericht", "Concept", "Ingediend", "Goedgekeurd",
                     "Stoplicht", "Op koers", "Indicatorwaarden", "Indicator: Deelnemers", "Meetdatum: 15 maart 2090",
                     "Notitie: Na hertelling", "Verplicht: € 2.000", "Besteed: € 1.500", "Kans: Middel",
                     "Leervraag: Wat werkt in de wijk?", "Rapportageperiode", "Open voor berichten", "Ja", "Nee",
                     "Gesloten door", manager_name, "Besteed: € 19.750,50", "Begrotingspost: 2017"):
        assert expected in html, expected
    for raw in RAW:
        assert not re.search(rf"(?<![\w-]){re.escape(raw)}(?![\w-])", html), raw
    # The older entry's indicator value 66.0000 -> 66 is no change and is not shown; its spending is.
    older = html.split("Besteed: € 19.750,50")[0].rsplit("audit-entry", 1)[1]
    assert "Indicatorwaarden" not in older and "Bestedingen" in older

    response = manager.get(f"/audit/export.csv?initiatief={ids.initiative}")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows and {"Soort object", "Object", "Oude waarden", "Nieuwe waarden"} <= set(rows[0])
    text = "\n".join(";".join(row.values()) for row in rows)
    for expected in ("Voortgangsbericht ingediend", "Status: Concept", "Status: Ingediend", "Open voor berichten: Ja",
                     "Open voor berichten: Nee", "Verplicht: € 2.000", "Besteed: € 19.750,50",
                     "Notitie: Na hertelling", "Rapportageperiode"):
        assert expected in text, expected
    for raw in RAW:
        assert not re.search(rf"(?<![\w-]){re.escape(raw)}(?![\w-])", text), raw


def test_the_filters_offer_dutch_names(app, ctx, ids):  # noqa: F811
    _scenario(ctx, ids)
    html = client_for(app, "manager").get("/audit").get_data(as_text=True)
    kinds = re.search(r'<select id="f-type".*?</select>', html, re.S).group(0)
    actions = re.search(r'<select id="f-actie".*?</select>', html, re.S).group(0)
    assert ">Voortgangsbericht<" in kinds and ">Rapportageperiode<" in kinds and ">ProgressUpdate<" not in kinds
    assert ">Voortgangsbericht goedgekeurd<" in actions and ">progress.approve<" not in actions
    html = client_for(app, "manager").get("/audit?type=ProgressUpdate&actie=progress.approve").get_data(as_text=True)
    assert "Voortgangsbericht goedgekeurd" in _main(html)


def test_the_page_loads_names_with_a_fixed_number_of_queries(app, ctx, ids):  # noqa: F811
    _scenario(ctx, ids)
    manager = client_for(app, "manager")
    url = f"/initiatieven/{ids.initiative}/audit"

    def queries() -> int:
        return count_queries(app, manager, url)

    before = queries()
    assert before > 0
    with app.app_context():
        # Each entry again, twice: three times the entries, the same kinds of referenced objects.
        entries = list(_db.session.scalars(select(AuditEntry).where(AuditEntry.initiative_id == ids.initiative)))
        for entry in entries * 2:
            _db.session.add(AuditEntry(**{c.key: getattr(entry, c.key) for c in AuditEntry.__table__.columns
                                          if c.key != "id"}))
        _db.session.commit()
        assert len(entries) >= 6
    assert queries() == before
