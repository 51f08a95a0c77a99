"""Checking and applying what an owner writes in a progress update.

The values are the text fields and per item list a dict per row with its linked records (None is
a row left blank). check() returns the new items and the problems found; operations.update_draft
raises them. snapshot() gives the content for the audit trail."""
from datetime import date
from decimal import Decimal, InvalidOperation

from programme.budget.models import BudgetLine
from programme.core.audit import normalise
from programme.core.db import utcnow
from programme.core.extensions import db
from programme.impact.models import ImpactIndicator
from programme.initiatives.models import LearningQuestion
from programme.progress.models import LEVEL_LABELS, TRAFFIC_LIGHT_LABELS, ProgressUpdate
from programme.monitor.models import Area, MonitorIndicator
from programme.progress.update_items import IndicatorValue, Lesson, Observation, Risk, Spending

ITEM_LISTS = ("lessons", "risks", "indicator_values", "spending", "observations")
ALLOWED_KEYS = frozenset(ProgressUpdate.TEXT_FIELDS + ITEM_LISTS)
TEXT_LABELS = {"explanation": "De toelichting", "done": "Wat is gedaan", "results": "De resultaten",
               "next_steps": "De volgende stappen"}
MAX_MONEY = Decimal("100000000")
PLACES_WORDS = {2: "twee", 4: "vier"}


class Problems(list):
    """(form field, Dutch message) pairs, the field named as the edit form names it ('risks-1-likelihood');
    `foreign` says why a linked record may not be used (it belongs to another initiative)."""

    foreign: str | None = None

    def text(self, value, field: str, label: str) -> str | None:
        if value is not None and not isinstance(value, str):
            self.append((field, f"{label}: ongeldige tekst."))
            return None
        return (value or "").strip() or None

    def number(self, value, field: str, label: str, *, places: int, maximum: Decimal,
               minimum: Decimal | None = None) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
            self.append((field, f"{label}: geef een getal op."))
            return None
        try:
            value = Decimal(value)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            self.append((field, f"{label}: geef een getal op."))
        elif minimum is not None and value < minimum:
            self.append((field, f"{label} kan niet negatief zijn."))
        elif abs(value) > maximum:
            self.append((field, f"{label} is onwaarschijnlijk groot."))
        elif value != value.quantize(Decimal(1).scaleb(-places)):
            self.append((field, f"{label}: hoogstens {PLACES_WORDS.get(places, places)} cijfers achter de komma."))
        else:
            return value
        return None


def _linked(obj, model, update: ProgressUpdate, label: str, problems: Problems, field: str):
    """A linked record must be one of the update's initiative (else a forged form: 403)."""
    if not isinstance(obj, model):
        problems.append((field, f"{label}: kies een waarde uit de lijst."))
        return None
    if obj.initiative_id != update.initiative_id:
        problems.foreign = problems.foreign or f"{label} hoort niet bij initiatief {update.initiative}."
        return None
    return obj


def _lesson(update, item: dict, row: str, problems: Problems) -> Lesson:
    question = item.get("learning_question")
    if question is not None:
        question = _linked(question, LearningQuestion, update, "De leervraag", problems, f"{row}learning_question")
    text = problems.text(item.get("text"), f"{row}text", "De les")
    if text is None and question is not None:
        problems.append((f"{row}text", "Schrijf de les op, of kies bij de leervraag ‘Geen specifieke leervraag’."))
    elif text is None:
        problems.append((f"{row}text", "De les is verplicht."))
    return Lesson(learning_question=question, text=text)


def _risk(_update, item: dict, row: str, problems: Problems) -> Risk:
    description = problems.text(item.get("description"), f"{row}description", "De beschrijving van het risico")
    if description is None:
        problems.append((f"{row}description", "Beschrijf het risico."))
    levels = {}
    for key, label in (("likelihood", "de kans"), ("impact", "de impact")):
        if item.get(key) not in LEVEL_LABELS:
            problems.append((f"{row}{key}", f"Kies {label}: laag, middel of hoog."))
        levels[key] = item.get(key)
    return Risk(description=description, measure=problems.text(item.get("measure"), f"{row}measure", "De maatregel"),
                **levels)


def _indicator_value(update, item: dict, row: str, problems: Problems) -> IndicatorValue:
    indicator = _linked(item.get("impact_indicator"), ImpactIndicator, update, "De indicator", problems,
                        f"{row}value")
    name = indicator.name if indicator is not None else "de indicator"
    value = None
    if item.get("value") is None:
        problems.append((f"{row}value", f"Vul de waarde van {name} in."))
    else:
        value = problems.number(item["value"], f"{row}value", f"De waarde van {name}", places=4,
                                maximum=Decimal("1e10"))
    measured_on = item.get("measured_on")
    if not isinstance(measured_on, date):
        problems.append((f"{row}measured_on", f"Vul de meetdatum van {name} in."))
    return IndicatorValue(impact_indicator=indicator, measured_on=measured_on, value=value,
                          source=problems.text(item.get("source"), f"{row}source", "De bron"),
                          note=problems.text(item.get("note"), f"{row}note", "De notitie"))


def _spending(update, item: dict, row: str, problems: Problems) -> Spending:
    line = _linked(item.get("budget_line"), BudgetLine, update, "De begrotingspost", problems, f"{row}committed")
    amounts = {key: problems.number(item.get(key) if item.get(key) is not None else Decimal(0), f"{row}{key}",
                                    label, places=2, minimum=Decimal(0), maximum=MAX_MONEY)
               for key, label in (("committed", "Het verplichte bedrag"), ("spent", "Het bestede bedrag"))}
    return Spending(budget_line=line, **amounts)


def _observation(_update, item: dict, row: str, problems: Problems) -> Observation:
    resource, area = item.get("resource"), item.get("area")
    if not isinstance(resource, MonitorIndicator) or resource.resource == "resilience":
        problems.append((f"{row}resource",
                         "Kies uit de lijst de hulpbron van de monitor waar de waarneming over gaat."))
        resource = None
    if not isinstance(area, Area):
        problems.append((f"{row}area", "Kies uit de lijst het gebied waar de waarneming over gaat."))
        area = None
    text = problems.text(item.get("text"), f"{row}text", "De waarneming")
    if text is None:
        problems.append((f"{row}text", "Schrijf de waarneming op, of maak de hele regel leeg."))
    return Observation(resource=resource, area=area, text=text)


BUILDERS = {"lessons": _lesson, "risks": _risk, "indicator_values": _indicator_value, "spending": _spending,
            "observations": _observation}


def check(update: ProgressUpdate, values: dict) -> tuple[dict, Problems, str | None]:
    """Check everything before anything changes: (text values and new items not yet in the session,
    the problems found, why a linked record may not be used)."""
    problems, content = Problems(), {}
    unknown = set(values) - ALLOWED_KEYS
    if unknown:
        problems.append((None, f"Onbekende velden: {', '.join(sorted(unknown))}."))
        return content, problems, None
    if "traffic_light" in values:
        if values["traffic_light"] not in (*TRAFFIC_LIGHT_LABELS, None):
            problems.append(("traffic_light", "Kies een stoplicht: op koers, aandacht nodig of risico."))
        content["traffic_light"] = values["traffic_light"]
    for key, label in TEXT_LABELS.items():
        if key in values:
            content[key] = problems.text(values[key], key, label)
    with db.session.no_autoflush:
        for key in ITEM_LISTS:
            if key in values:
                content[key] = [BUILDERS[key](update, item, f"{key}-{n}-", problems)
                                for n, item in enumerate(values[key] or []) if item is not None]
    lines = [s.budget_line.id for s in content.get("spending", []) if s.budget_line is not None]
    if len(lines) != len(set(lines)):
        problems.append((None, "Elke begrotingspost mag maar één keer voorkomen."))
    return content, problems, problems.foreign


def apply(update: ProgressUpdate, content: dict) -> None:
    for key in ProgressUpdate.TEXT_FIELDS:
        if key in content:
            setattr(update, key, content[key])
    replaced = [key for key in ITEM_LISTS if key in content]
    # Delete the old items before inserting new ones: the unit of work inserts first, which
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
    item, normalised (so 66.0000 and 66 are the same value and only real changes differ)."""
    out = {key: getattr(update, key) for key in ProgressUpdate.TEXT_FIELDS}
    out["lessons"] = [{"learning_question_id": x.learning_question_id, "text": x.text} for x in update.lessons]
    out["risks"] = [{"description": x.description, "likelihood": x.likelihood, "impact": x.impact,
                     "measure": x.measure} for x in update.risks]
    out["indicator_values"] = [{"impact_indicator_id": x.impact_indicator_id, "value": x.value,
                                "measured_on": x.measured_on, "source": x.source, "note": x.note}
                               for x in update.indicator_values]
    out["spending"] = [{"budget_line_id": x.budget_line_id, "committed": x.committed, "spent": x.spent}
                       for x in update.spending]
    out["observations"] = [{"monitor_indicator_id": x.monitor_indicator_id, "area_id": x.area_id, "text": x.text}
                           for x in update.observations]
    return normalise(out)
