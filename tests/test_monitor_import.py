"""Importing monitor editions from spreadsheets: long and wide files, the validation report, the plan,
and the import operation (sources kept, nothing silently overwritten, the same file twice changes nothing)."""
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from programme.accounts.queries import find_user
from programme.core.audit import AuditEntry
from programme.core.operations import Refused, RuleError
from programme.monitor import operations as ops
from programme.monitor.imports import plan_file, sha256
from programme.monitor.models import MonitorEdition, MonitorValue
from programme.monitor.spreadsheets import UnreadableFile
from tests.conftest import USERS

D = Decimal
YEAR = 2030  # a year of its own for each test module's editions


@pytest.fixture()
def manager(db):
    return find_user(USERS["manager"][0])


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


LONG = """editie;gebiedscode;indicatorcode;waarde
2030;GM0758;resilience_yes;61,5
2030;Tilburg;resilience_yes;58
2030;PV30;resilience_yes;57.5
2030;CR33;trust_social;
"""


def value_of(db, year, code, area_code):
    from programme.monitor.models import Area, MonitorIndicator
    return db.session.scalar(select(MonitorValue.value).join(MonitorEdition).join(Area, Area.id == MonitorValue.area_id)
                             .join(MonitorIndicator).where(MonitorEdition.year == year, MonitorIndicator.code == code,
                                                           Area.cbs_code == area_code))


def test_a_long_file_is_imported_with_its_source(db, manager):
    data = csv_bytes(LONG)
    plan = plan_file(data, "editie-2030.csv", YEAR, "long")
    assert not plan.problems and plan.notation == "mixed" and plan.empty == 1
    assert [(i.area.name, i.value) for i in plan.additions] == [("Breda", D("61.5")), ("Tilburg", D(58)),
                                                                ("Brabant", D("57.5"))]
    record = ops.import_values(plan, actor=manager, file_sha256=sha256(data))
    db.session.commit()
    edition = record.edition
    assert edition.status == "draft" and edition.name == "Monitor Sociale Veerkracht 2030"
    assert value_of(db, YEAR, "resilience_yes", "GM0758") == D("61.5")
    stored = db.session.scalar(select(MonitorValue).where(MonitorValue.import_id == record.id,
                                                          MonitorValue.source_row == 3))
    assert (stored.source_sheet, stored.source_column, stored.source) == (None, "D", "editie-2030.csv, rij 3, kolom D")
    assert (record.file_name, record.actor_label, record.added) == ("editie-2030.csv", USERS["manager"][0], 3)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "monitor_import.confirm")
                              .order_by(AuditEntry.id.desc()))
    assert entry.new_values["added"] == 3 and entry.object_id == record.id


def test_a_wide_file_from_xlsx_uses_values_not_formulas(db, manager):
    book = Workbook()
    sheet = book.active
    sheet.title = "Tabellenboek"
    sheet.append(["indicatorcode", "indicatornaam", "Breda (GM0758)", "Tilburg", "CR33"])
    sheet.append(["resilience_yes", "Wel veerkrachtig", 61, "=C2-3", 0.56])
    sheet.append(["trust_social", "Sociaal vertrouwen", "64,5", None, None])
    sheet["E2"].number_format = "0%"
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    plan = plan_file(data, "tabellenboek.xlsx", YEAR, "wide")
    # openpyxl stores no result for a formula: it is reported, never calculated here.
    assert [(p.where, "formule" in p.message) for p in plan.problems] == [("rij 2, kolom D (waarde)", True)]
    assert {(i.area.name, i.indicator.code): i.value for i in plan.items} == {
        ("Breda", "resilience_yes"): D(61), ("West-Brabant", "resilience_yes"): D(56),
        ("Breda", "trust_social"): D("64.5")}
    with pytest.raises(RuleError) as refused:
        ops.import_values(plan, actor=manager, file_sha256=sha256(data))
    assert refused.value.field == "only_valid"
    record = ops.import_values(plan, actor=manager, file_sha256=sha256(data), only_valid=True)
    db.session.commit()
    assert record.only_valid and record.refused == 1 and record.added == 3
    stored = db.session.scalar(select(MonitorValue).where(MonitorValue.import_id == record.id,
                                                          MonitorValue.source_column == "C",
                                                          MonitorValue.source_row == 3))
    assert stored.source_sheet == "Tabellenboek" and stored.value == D("64.5")


def test_an_xlsx_with_stored_formula_results_uses_the_results(db, manager, tmp_path):
    """A file saved by a spreadsheet program keeps each formula's result: that result is read."""
    book = Workbook()
    sheet = book.active
    sheet.append(["indicatorcode", "GM0758"])
    sheet.append(["resilience_yes", "=1/0"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    # Write a cached value into the sheet XML, as Excel does when it saves.
    import zipfile
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = xml.replace("<f>1/0</f><v></v>", "<f>1/0</f><v>62</v>").replace(
        "<f>1/0</f>", "<f>1/0</f><v>62</v>", 1 if "<v>62</v>" not in xml.replace("<v></v>", "") else 0).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    plan = plan_file(out.getvalue(), "f.xlsx", YEAR, "wide")
    assert not plan.problems and [i.value for i in plan.items] == [D(62)]


BAD = """editie;gebied;indicatorcode;waarde
2030;Bredaa;resilience_yes;50
2030;GM0758;resilience_yess;50
2030;GM0758;resilience_yes;101
2030;GM0758;trust_institutional;4
2030;GM0758;willingness_to_change;6
2030;GM0758;resilience_not;n.b.
2030;Tilburg;resilience_not;12
2030;Tilburg;resilience_not;13
2029;Tilburg;resilience_partly;30
2030;Haaren;resilience_partly;30
2030;Altena;resilience_partly;1.234
2030;Oss;resilience_partly;30
"""


def test_each_kind_of_bad_row_is_named_with_row_and_column_and_nothing_is_stored(db, manager):
    data = csv_bytes(BAD)
    plan = plan_file(data, "slecht.csv", YEAR, "long")
    problems = {p.where: p.message for p in plan.problems}
    assert "Bedoelt u Breda (GM0758)?" in problems["rij 2, kolom B (gebied)"]
    assert "Bedoelt u resilience_yes" in problems["rij 3, kolom C (indicator)"]
    assert "buiten het bereik" in problems["rij 4, kolom D (waarde)"] and "100" in problems["rij 4, kolom D (waarde)"]
    assert "van 79 tot en met 101" in problems["rij 5, kolom D (waarde)"]
    assert "van 1 tot en met 5" in problems["rij 6, kolom D (waarde)"]
    assert "er staat tekst: ‘n.b.’" in problems["rij 7, kolom D (waarde)"]
    assert "Dubbel" in problems["rij 9, kolom D (waarde)"] and "rij 8" in problems["rij 9, kolom D (waarde)"]
    assert "editie ‘2029’" in problems["rij 10, kolom A (editie)"]
    haaren = problems["rij 11, kolom B (gebied)"]
    assert "Haaren bestaat sinds 2021 niet meer" in haaren and "Vught" in haaren
    assert "dubbelzinnig" in problems["rij 12, kolom D (waarde)"]
    assert plan.refused_rows == set(range(2, 13)) and [i.area.name for i in plan.items] == ["Oss"]
    with pytest.raises(RuleError) as refused:
        ops.import_values(plan, actor=manager, file_sha256=sha256(data))
    assert "11 rijen" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(MonitorEdition).where(MonitorEdition.year == YEAR)) is None


def test_a_file_in_the_wrong_encoding_is_refused_in_dutch():
    data = csv_bytes("editie;gebied;indicatorcode;waarde\n2030;’s-Hertogenbosch;resilience_yes;60\n", "cp1252")
    with pytest.raises(UnreadableFile) as refused:
        plan_file(data, "windows.csv", YEAR, "long")
    assert "niet in UTF-8" in refused.value.message and "regel 2" in refused.value.message


def test_the_same_file_again_changes_nothing_and_a_change_needs_a_reason(db, manager):
    data = csv_bytes(LONG)
    ops.import_values(plan_file(data, "a.csv", YEAR, "long"), actor=manager, file_sha256=sha256(data))
    db.session.commit()
    count = db.session.scalar(select(func.count(MonitorValue.id)))
    audits = db.session.scalar(select(func.count(AuditEntry.id)))
    again = plan_file(data, "a.csv", YEAR, "long")
    assert len(again.unchanged) == 3 and not again.changes_anything
    assert ops.import_values(again, actor=manager, file_sha256=sha256(data)) is None
    db.session.commit()
    assert db.session.scalar(select(func.count(MonitorValue.id))) == count
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audits
    changed = csv_bytes(LONG.replace("61,5", "62"))
    plan = plan_file(changed, "b.csv", YEAR, "long")
    assert [(c.item.area.name, c.old, c.item.value) for c in plan.changes] == [("Breda", D("61.5"), D(62))]
    with pytest.raises(RuleError) as refused:
        ops.import_values(plan, actor=manager, file_sha256=sha256(changed))
    assert refused.value.field == "reason"
    db.session.rollback()
    plan = plan_file(changed, "b.csv", YEAR, "long")
    with pytest.raises(RuleError):  # the preview promised something else
        ops.import_values(plan, actor=manager, file_sha256="x", reason="Correctie PON", expected="0" * 32)
    db.session.rollback()
    plan = plan_file(changed, "b.csv", YEAR, "long")
    ops.import_values(plan, actor=manager, file_sha256=sha256(changed), reason="Correctie PON",
                      expected=plan.fingerprint())
    db.session.commit()
    assert value_of(db, YEAR, "resilience_yes", "GM0758") == D(62)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "monitor_value.change")
                              .order_by(AuditEntry.id.desc()))
    assert entry.message == "Correctie PON" and entry.old_values["value"] == 61.5 and entry.new_values["value"] == 62
    assert entry.old_values["source"] == "a.csv, rij 2, kolom D"


def test_only_the_manager_imports(db):
    owner = find_user(USERS["owner"][0])
    data = csv_bytes(LONG)
    with pytest.raises(Refused):
        ops.import_values(plan_file(data, "a.csv", YEAR, "long"), actor=owner, file_sha256=sha256(data))


def test_publish_and_withdraw_keep_the_edition(db, manager):
    data = csv_bytes(LONG)
    record = ops.import_values(plan_file(data, "a.csv", YEAR, "long"), actor=manager, file_sha256=sha256(data))
    edition = record.edition
    ops.set_status(edition, "published", actor=manager)
    assert edition.is_current
    with pytest.raises(RuleError):
        ops.set_status(edition, "withdrawn", actor=manager)
    ops.set_status(edition, "withdrawn", actor=manager, reason="Fout in de weging")
    db.session.commit()
    assert not edition.is_current and db.session.scalar(
        select(func.count(MonitorValue.id)).where(MonitorValue.edition_id == edition.id)) == 3


def test_an_ambiguous_number_follows_the_notation_of_the_file(db):
    english = csv_bytes("editie,gebied,indicatorcode,waarde\n2030,GM0758,resilience_yes,61.5\n"
                        "2030,GM0758,km_total,\"1,030\"\n2030,GM0758,willingness_to_change,3.100\n")
    plan = plan_file(english, "en.csv", YEAR, "long")
    assert plan.notation == "en" and not plan.problems
    assert [i.value for i in plan.items] == [D("61.5"), D(1030), D("3.1")]
    dutch = csv_bytes("editie;gebied;indicatorcode;waarde\n2030;GM0758;resilience_yes;61,5\n"
                      "2030;GM0758;willingness_to_change;3.100\n")
    plan = plan_file(dutch, "nl.csv", YEAR, "long")
    assert plan.notation == "nl" and [p.where for p in plan.problems] == ["rij 3, kolom D (waarde)"]
    assert "3.100 ligt buiten het bereik" in plan.problems[0].message
