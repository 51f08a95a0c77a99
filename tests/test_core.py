"""Shared pieces: Dutch formats and the append-only audit trail."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from programme.core.audit import AuditEntry, record
from programme.core.formatting import dutch_date, dutch_datetime, money, number, percent, signed_money


def test_money_in_dutch_notation():
    assert money(Decimal("5600000")) == "€ 5.600.000"
    assert money(Decimal("1234.56")) == "€ 1.234,56"
    assert money(Decimal("-54372")) == "-€ 54.372"
    assert signed_money(Decimal("33979")) == "+ € 33.979"
    assert signed_money(Decimal("-54372")) == "- € 54.372"
    assert money(None) == "–"


def test_numbers_percentages_and_dates():
    assert number(Decimal("3.6")) == "3,6"
    assert number(Decimal("1234567")) == "1.234.567"
    assert percent(57) == "57%"
    assert dutch_date(date(2017, 3, 1)) == "1 maart 2017"
    # UTC shown in Europe/Amsterdam: 23:30 UTC on 31 March is 01:30 on 1 April (summer time)
    assert dutch_datetime(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == "1 april 2026 om 01:30"


def test_audit_entries_are_append_only(db):
    entry = record("test.action", message="iets")
    db.session.commit()
    entry_id = entry.id
    entry.message = "gewijzigd"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry_id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    kept = db.session.get(AuditEntry, entry_id)  # neither changed nor removed
    assert (kept.action, kept.message, kept.result) == ("test.action", "iets", "ok")
    assert kept.created_dt is not None
