"""What an owner writes in a progress update: checking it (every linked record must belong to the
update's initiative), applying it, and a snapshot of it for the audit trail."""
from datetime import date
from decimal import Decimal, InvalidOperation

from programme.budget.models import BudgetLine
from programme.core.audit import normalise
from programme.core.db import utcnow
from programme.core.extensions import db
from programme.impact.models import ImpactIndicator
from programme.initiatives.models import LearningQuestion
from programme.progress.errors import WorkflowError
from programme.progress.models import (LEVEL_LABELS, IndicatorValue, Lesson, ProgressUpdate, Risk,
                                       Spending)

CHILD_LISTS = ("lessons", "risks", "indicator_values", "spending")
ALLOWED_KEYS = frozenset(ProgressUpdate.TEXT_FIELDS + CHILD_LISTS)
MAX_MONEY = Decimal("100000000")
PLACES_WORDS = {2: "twee", 4: "vier"}


def _text(value, label: str, *, required: bool = False) -> str | None:
    if value is not None and not isinstance(value, str):
        raise WorkflowError(f"{label}: ongeldige tekst.")
    value = (value or "").strip() or None
    if required and value is None:
        raise WorkflowError(f"{label} is verplicht.")
    return value


def _decimal(value, label: str, *, places: int, maximum: Decimal | None = None,
             minimum: Decimal | None = None) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise WorkflowError(f"{label}: geef een getal op.")
    try:
        value = Decimal(value)
    except InvalidOperation:
        raise WorkflowError(f"{label}: geef een getal op.") from None
    if not value.is_finite():
        raise WorkflowError(f"{label}: geef een getal op.")
    if minimum is not None and value < minimum:
        raise WorkflowError(f"{label} kan niet negatief zijn.")
    if maximum is not None and abs(value) > maximum:
        raise WorkflowError(f"{label} is onwaarschijnlijk groot.")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise WorkflowError(f"{label}: hoogstens {PLACES_WORDS.get(places, places)} cijfers achter de komma.")
    return value


def _belongs(obj, model, update: ProgressUpdate, label: str):
    if not isinstance(obj, model):
        raise WorkflowError(f"{label}: kies een waarde uit de lijst.")
    if obj.initiative_id != update.initiative_id:
        raise WorkflowError(f"{label} hoort niet bij initiatief {update.initiative}.")
    return obj


def _lesson(update, item: dict) -> Lesson:
    question = item.get("learning_question")
    if question is not None:
        _belongs(question, LearningQuestion, update, "De leervraag")
    return Lesson(learning_question=question, text=_text(item.get("text"), "De les", required=True))


def _risk(_update, item: dict) -> Risk:
    levels = {}
    for key, label in (("likelihood", "De kans"), ("impact", "De impact")):
        if item.get(key) not in LEVEL_LABELS:
            raise WorkflowError(f"{label} van een risico is laag, middel of hoog.")
        levels[key] = item[key]
    return Risk(description=_text(item.get("description"), "De beschrijving van het risico", required=True),
                measure=_text(item.get("measure"), "De maatregel"), **levels)


def _indicator_value(update, item: dict) -> IndicatorValue:
    indicator = _belongs(item.get("impact_indicator"), ImpactIndicator, update, "De indicator")
    measured_on = item.get("measured_on")
    if not isinstance(measured_on, date):
        raise WorkflowError(f"Geef de meetdatum van {indicator.name} op.")
    return IndicatorValue(impact_indicator=indicator, measured_on=measured_on,
                          value=_decimal(item.get("value"), f"De waarde van {indicator.name}", places=4,
                                         maximum=Decimal("1e10")),
                          source=_text(item.get("source"), "De bron"), note=_text(item.get("note"), "De notitie"))


def _spending(update, item: dict) -> Spending:
    line = _belongs(item.get("budget_line"), BudgetLine, update, "De begrotingspost")
    amounts = {key: _decimal(item.get(key) if item.get(key) is not None else Decimal(0), label, places=2,
                             minimum=Decimal(0), maximum=MAX_MONEY)
               for key, label in (("committed", "Het verplichte bedrag"), ("spent", "Het bestede bedrag"))}
    return Spending(budget_line=line, **amounts)


BUILDERS = {"lessons": _lesson, "risks": _risk, "indicator_values": _indicator_value, "spending": _spending}


def validate_content(update: ProgressUpdate, data: dict) -> dict:
    """Check everything before anything changes; returns text values and new child objects
    (not yet in the session)."""
    unknown = set(data) - ALLOWED_KEYS
    if unknown:
        raise WorkflowError(f"Onbekende velden: {', '.join(sorted(unknown))}.")
    content = {}
    if "traffic_light" in data:
        if data["traffic_light"] not in (*ProgressUpdate.TRAFFIC_LIGHT_LABELS, None):
            raise WorkflowError("Kies een stoplicht: op koers, aandacht nodig of risico.")
        content["traffic_light"] = data["traffic_light"]
    labels = {"explanation": "De toelichting", "done": "Wat is gedaan", "results": "De resultaten",
              "next_steps": "De volgende stappen"}
    for key, label in labels.items():
        if key in data:
            content[key] = _text(data[key], label)
    with db.session.no_autoflush:
        for key in CHILD_LISTS:
            if key in data:
                content[key] = [BUILDERS[key](update, item) for item in (data[key] or [])]
    lines = [s.budget_line.id for s in content.get("spending", [])]
    if len(lines) != len(set(lines)):
        raise WorkflowError("Elke begrotingspost mag maar één keer voorkomen.")
    return content


def apply_content(update: ProgressUpdate, content: dict) -> None:
    for key in ProgressUpdate.TEXT_FIELDS:
        if key in content:
            setattr(update, key, content[key])
    replaced = [key for key in CHILD_LISTS if key in content]
    # Delete the old children before inserting new ones: the unit of work inserts first, which
    # would trip unique constraints (one spending row per budget line).
    for key in replaced:
        getattr(update, key).clear()
    if replaced:
        db.session.flush()
    for key in replaced:
        getattr(update, key).extend(content[key])
    update.updated_dt = utcnow()


def snapshot(update: ProgressUpdate) -> dict:
    """The update's content as plain values for old/new in the audit trail: every field of every
    child record, normalised (so 66.0000 and 66 are the same value and only real changes differ)."""
    out = {key: getattr(update, key) for key in ProgressUpdate.TEXT_FIELDS}
    out["lessons"] = [{"learning_question_id": x.learning_question_id, "text": x.text} for x in update.lessons]
    out["risks"] = [{"description": x.description, "likelihood": x.likelihood, "impact": x.impact,
                     "measure": x.measure} for x in update.risks]
    out["indicator_values"] = [{"impact_indicator_id": x.impact_indicator_id, "value": x.value,
                                "measured_on": x.measured_on, "source": x.source, "note": x.note}
                               for x in update.indicator_values]
    out["spending"] = [{"budget_line_id": x.budget_line_id, "committed": x.committed, "spent": x.spent}
                       for x in update.spending]
    return normalise(out)
