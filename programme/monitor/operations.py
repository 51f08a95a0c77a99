"""Monitor writes: editions, imports of values and new monitor indicators.

Editions are created, published and withdrawn; values come from a checked spreadsheet. Each
operation checks rights and rules, changes, audits and flushes; none commits (core.operations.run does)."""
from decimal import Decimal

from sqlalchemy import func, insert, select

from programme.core import audit, permissions
from programme.core.db import utcnow
from programme.core.editing import apply_changes
from programme.core.extensions import db
from programme.core.operations import Refused, RuleError
from programme.monitor.import_plan import Plan
from programme.monitor.models import (EDITION_STATUSES, RESOURCE_LABELS, MonitorEdition, MonitorImport,
                                      MonitorIndicator, MonitorValue)

NOT_MANAGER = "Alleen de programmamanager beheert de edities en indicatoren van de monitor."
FIRST_YEAR, LAST_YEAR = 2010, 2050
UNITS = {"percent": "procent (0 tot en met 100)", "score": "score (1 tot en met 5, tenzij anders ingesteld)",
         "count": "aantal", "hours": "uren", "km": "kilometers", "index": "index"}
STALE_PREVIEW = ("De opgeslagen waarden van deze editie zijn veranderd sinds u het voorbeeld opende. Er is niets "
                 "geïmporteerd. Bekijk het voorbeeld opnieuw en bevestig dan.")


def _manager(actor) -> None:
    if not permissions.is_manager(actor):
        raise Refused(NOT_MANAGER)


def default_name(year: int) -> str:
    return f"Monitor Sociale Veerkracht {year}"


def create_edition(year: int, *, actor, name: str | None = None, publisher: str | None = None,
                   is_example: bool = False) -> MonitorEdition:
    """A new edition starts as a draft: it is filled by imports and shown as current figures once published."""
    _manager(actor)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise RuleError("year", f"Kies een jaar van {FIRST_YEAR} tot en met {LAST_YEAR}.")
    if db.session.scalar(select(MonitorEdition.id).where(MonitorEdition.year == year)) is not None:
        raise RuleError("year", f"Er is al een editie {year}.")
    edition = MonitorEdition(year=year, name=(name or default_name(year))[:200], publisher=publisher,
                             status="draft", is_example=is_example)
    db.session.add(edition)
    db.session.flush()
    audit.record("monitor_edition.create", edition, new={"year": year, "name": edition.name, "status": "draft",
                                                         "is_example": is_example}, actor=actor)
    return edition


def set_status(edition: MonitorEdition, status: str, *, actor, reason: str | None = None) -> None:
    """Publish or withdraw an edition. Withdrawing keeps its values and history and needs a reason."""
    _manager(actor)
    if status not in EDITION_STATUSES or status == "draft":
        raise RuleError("status", "Kies publiceren of intrekken.")
    if edition.status == status:
        raise RuleError(None, f"De editie {edition.year} is al {EDITION_STATUSES[status]}.")
    reason = (reason or "").strip() or None
    if status == "withdrawn" and not reason:
        raise RuleError("reason", "Geef de reden waarom de editie wordt ingetrokken.")
    if status == "published" and not db.session.scalar(
            select(MonitorValue.id).where(MonitorValue.edition_id == edition.id).limit(1)):
        raise RuleError(None, f"De editie {edition.year} heeft nog geen waarden; importeer die eerst.")
    old = edition.status
    edition.status = status
    db.session.flush()
    audit.record("monitor_edition.publish" if status == "published" else "monitor_edition.withdraw", edition,
                 old={"status": old}, new={"status": status}, message=reason, actor=actor)


def import_values(plan: Plan, *, actor, file_sha256: str, only_valid: bool = False, reason: str | None = None,
                  expected: str | None = None, edition_name: str | None = None,
                  is_example: bool = False) -> MonitorImport | None:
    """Store what the checked plan adds and changes, in the current transaction. Nothing is stored when the
    file has refused rows (unless only_valid), when stored values would change without a reason, or when
    the stored values changed since the preview (`expected`, the plan's fingerprint then). Importing the
    same file again changes nothing and returns None."""
    _manager(actor)
    reason = (reason or "").strip() or None
    if plan.problems and not only_valid:
        raise RuleError("only_valid", f"Het bestand heeft {_rows(plan)} met een probleem. Er is niets "
                        "geïmporteerd. Verbeter het bestand, of kies uitdrukkelijk om alleen de geldige waarden "
                        "te importeren.")
    if expected is not None and expected != plan.fingerprint():
        raise RuleError(None, STALE_PREVIEW)
    if not plan.items:
        raise RuleError(None, "Het bestand bevat geen enkele geldige waarde. Er is niets geïmporteerd.")
    if not plan.changes_anything:
        return None
    if plan.changes and not reason:
        raise RuleError("reason", f"Het bestand wijzigt {_values(len(plan.changes))} die al "
                        "waren opgeslagen. Geef de reden voor de wijziging; die komt in de audittrail.")
    edition = plan.edition or create_edition(plan.year, actor=actor, name=edition_name, is_example=is_example)
    record = MonitorImport(edition_id=edition.id, file_name=plan.file_name[:255], file_sha256=file_sha256,
                           layout=plan.layout, created_dt=utcnow(), actor_id=getattr(actor, "id", None),
                           actor_label=getattr(actor, "email", None), added=len(plan.additions),
                           changed=len(plan.changes), unchanged=len(plan.unchanged), refused=plan.refused,
                           only_valid=bool(plan.problems) and only_valid, reason=reason)
    db.session.add(record)
    db.session.flush()
    if plan.additions:
        db.session.execute(insert(MonitorValue), [
            {"edition_id": edition.id, "area_id": item.area.id, "indicator_id": item.indicator.id,
             "value": item.value, "import_id": record.id, "source_sheet": plan.sheet, "source_row": item.row,
             "source_column": item.column, "source": _source(plan, item.row, item.column)}
            for item in plan.additions])
    if plan.changes:
        _change(plan, edition, record, reason, actor)
    audit.record("monitor_import.confirm", record, new={
        "edition": edition.year, "file_name": record.file_name, "added": record.added, "changed": record.changed,
        "unchanged": record.unchanged, "refused": record.refused, "only_valid": record.only_valid}, message=reason,
        actor=actor)
    db.session.flush()
    return record


def _change(plan: Plan, edition: MonitorEdition, record: MonitorImport, reason: str, actor) -> None:
    keys = {(c.item.area.id, c.item.indicator.id): c for c in plan.changes}
    stored = db.session.scalars(select(MonitorValue).where(
        MonitorValue.edition_id == edition.id,
        MonitorValue.area_id.in_({key[0] for key in keys}),
        MonitorValue.indicator_id.in_({key[1] for key in keys}))).all()
    for value in stored:
        change = keys.get((value.area_id, value.indicator_id))
        if change is None:
            continue
        old = {"value": value.value, "source": value.source}
        value.value = change.item.value
        value.import_id = record.id
        value.source_sheet, value.source_row, value.source_column = plan.sheet, change.item.row, change.item.column
        value.source = _source(plan, change.item.row, change.item.column)
        audit.record("monitor_value.change", value, old=old, new={"value": value.value, "source": value.source},
                     message=reason, actor=actor)


def _source(plan: Plan, row: int, column: str) -> str:
    sheet = f", blad {plan.sheet}" if plan.sheet else ""
    return f"{plan.file_name[:200]}{sheet}, rij {row}, kolom {column}"


def _rows(plan: Plan) -> str:
    count = len(plan.refused_rows)
    return "1 rij" if count == 1 else f"{count} rijen"


def _values(count: int) -> str:
    return "1 waarde" if count == 1 else f"{count} waarden"


def add_indicator(values: dict, *, actor) -> MonitorIndicator:
    """A new monitor indicator: code, name, resource kind, unit, direction, correlation with resilience and
    optionally its own range."""
    _manager(actor)
    code = (values.get("code") or "").strip().lower()
    problems = []
    if db.session.scalar(select(MonitorIndicator.id).where(func.lower(MonitorIndicator.code) == code)):
        problems.append(("code", f"Er is al een monitorindicator met de code ‘{code}’."))
    if values.get("resource") not in RESOURCE_LABELS:
        problems.append(("resource", "Kies het soort hulpbron."))
    if values.get("unit") not in UNITS:
        problems.append(("unit", "Kies de eenheid."))
    correlation = values.get("correlation")
    if correlation is not None and not Decimal(-1) <= correlation <= Decimal(1):
        problems.append(("correlation", "Een correlatie ligt tussen -1 en 1."))
    low, high = values.get("minimum"), values.get("maximum")
    if low is not None and high is not None and low >= high:
        problems.append(("maximum", "Het maximum moet groter zijn dan het minimum."))
    if problems:
        raise RuleError(*problems[0], more=problems[1:])
    position = (db.session.scalar(select(func.max(MonitorIndicator.position))) or 0) + 1
    indicator = MonitorIndicator(
        code=code, name=values["name"], resource=values["resource"], unit=values["unit"],
        higher_is_better=values.get("higher_is_better"), correlation=correlation, minimum=low, maximum=high,
        description=values.get("description") or None, position=position)
    db.session.add(indicator)
    db.session.flush()
    audit.record("monitor_indicator.create", indicator, new={
        "code": code, "name": indicator.name, "resource": indicator.resource, "unit": indicator.unit,
        "higher_is_better": indicator.higher_is_better, "correlation": correlation, "minimum": low, "maximum": high},
        actor=actor)
    return indicator


# ---------------------------------------------------------------- settings of monitor indicators

THRESHOLD_POSITIVE = "Vul een drempel groter dan 0 in, of laat het veld leeg voor de standaard."


def set_trend_threshold(indicator: MonitorIndicator, threshold: Decimal | None) -> bool:
    """None: back to the default of the indicator's unit. False when nothing changed."""
    if threshold is not None and threshold <= 0:
        raise RuleError("trend_threshold", THRESHOLD_POSITIVE)
    return apply_changes(indicator, "monitor_indicator.update", {"trend_threshold": threshold})
