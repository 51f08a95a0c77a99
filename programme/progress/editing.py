"""The edit form of a progress update: its rows (per indicator, per budget line, a few empty ones
for lessons and risks), turning the posted rows into operations data, and what changed meanwhile."""
from dataclasses import dataclass
from decimal import Decimal

from flask import abort
from sqlalchemy import select

from programme.budget.models import BudgetLine
from programme.core.formatting import dutch_date, money, number, unit_label
from programme.core.extensions import db
from programme.impact.models import ImpactIndicator
from programme.initiatives.models import LearningQuestion
from programme.progress.forms import choices as select_choices
from programme.progress.forms import update_form_class
from programme.progress.models import LEVEL_LABELS, ProgressUpdate

EMPTY_ROWS = 3
STALE_MESSAGE = ("Iemand anders heeft dit voortgangsbericht gewijzigd nadat u het opende. Uw invoer is niet "
                 "opgeslagen maar staat nog in het formulier. Vergelijk hieronder de opgeslagen waarden met "
                 "de uwe, pas zo nodig aan en sla opnieuw op.")
TEXT_LABELS = {"traffic_light": "Stoplicht", "explanation": "Toelichting", "done": "Wat is er gedaan?",
               "results": "Resultaten", "next_steps": "Volgende stappen"}
LIST_LABELS = {"lessons": "Lessen", "risks": "Risico’s", "indicator_values": "Indicatorwaarden",
               "spending": "Bestedingen"}


def int_or_none(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


def line_label(line: BudgetLine) -> str:
    source = line.funding_source.name if line.funding_source else "Programmabudget"
    text = f"{source}, {line.period.label}: {money(line.amount)}"
    return f"{text} ({line.description})" if line.description else text


@dataclass
class Choices:
    """What this update's initiative offers to link to."""

    questions: list[LearningQuestion]
    indicators: list[ImpactIndicator]
    lines: list[BudgetLine]

    @classmethod
    def for_update(cls, update: ProgressUpdate) -> "Choices":
        initiative_id = update.initiative_id
        return cls(
            list(db.session.scalars(select(LearningQuestion).where(LearningQuestion.initiative_id == initiative_id)
                                    .order_by(LearningQuestion.position, LearningQuestion.id))),
            list(db.session.scalars(select(ImpactIndicator).where(
                ImpactIndicator.initiative_id == initiative_id, ImpactIndicator.is_archived.is_(False))
                .order_by(ImpactIndicator.position, ImpactIndicator.id))),
            list(db.session.scalars(select(BudgetLine).where(BudgetLine.initiative_id == initiative_id)
                                    .order_by(BudgetLine.period_id, BudgetLine.id))))

    @property
    def indicator_names(self) -> dict[str, str]:
        return {str(i.id): i.name + (f" ({unit_label(i.unit)})" if i.unit else "") for i in self.indicators}

    @property
    def line_labels(self) -> dict[str, str]:
        return {str(line.id): line_label(line) for line in self.lines}


def build_form(update: ProgressUpdate, choices: Choices, posted: bool):
    form_class = update_form_class(max(EMPTY_ROWS, len(update.lessons) + 1), max(EMPTY_ROWS, len(update.risks) + 1),
                                   len(choices.indicators), len(choices.lines))
    if posted:
        form = form_class()
    else:
        values = {v.impact_indicator_id: v for v in update.indicator_values}
        spent = {s.budget_line_id: s for s in update.spending}
        form = form_class(data={
            "version": str(update.version),
            **{key: getattr(update, key) for key in ProgressUpdate.TEXT_FIELDS},
            "lessons": [{"learning_question": str(x.learning_question_id or ""), "text": x.text}
                        for x in update.lessons],
            "risks": [{"description": x.description, "likelihood": x.likelihood, "impact": x.impact,
                       "measure": x.measure} for x in update.risks],
            "indicator_values": [
                {"indicator_id": str(i.id), "value": values[i.id].value if i.id in values else None,
                 "measured_on": values[i.id].measured_on if i.id in values else None,
                 "source": values[i.id].source if i.id in values else "",
                 "note": values[i.id].note if i.id in values else ""} for i in choices.indicators],
            "spending": [{"budget_line_id": str(line.id),
                          "committed": spent[line.id].committed if line.id in spent else None,
                          "spent": spent[line.id].spent if line.id in spent else None} for line in choices.lines],
        })
    question_choices = select_choices([("", "Geen specifieke leervraag"),
                                       *((str(q.id), q.question) for q in choices.questions)])
    for row in form.lessons:
        row.form.learning_question.choices = question_choices
    return form


def _linked(model, value, update: ProgressUpdate, refuse):
    """A posted id: 404 when it does not exist, 403 when it belongs to another initiative."""
    obj_id = int_or_none(value)
    obj = db.session.get(model, obj_id) if obj_id is not None else None
    if obj is None:
        abort(404)
    if obj.initiative_id != update.initiative_id:
        refuse(f"{model.__name__} {obj_id} hoort niet bij initiatief {update.initiative.number}")
    return obj


def content_from_form(form, update: ProgressUpdate, choices: Choices, refuse) -> tuple[dict, bool]:
    """Operations data from the posted form; row errors are added to the fields (returns has_errors)."""
    failed = False

    def error(field, message):
        nonlocal failed
        field.errors = [*field.errors, message]
        failed = True

    data = {key: form[key].data or None for key in ProgressUpdate.TEXT_FIELDS}
    data["lessons"] = []
    for row in form.lessons:
        question_id, text = row.form.learning_question.data, row.form.text.data
        if not text and not question_id:
            continue
        question = _linked(LearningQuestion, question_id, update, refuse) if question_id else None
        if not text:
            error(row.form.text, "Schrijf de les op, of kies bij de leervraag ‘Geen specifieke leervraag’.")
        data["lessons"].append({"learning_question": question, "text": text})
    data["risks"] = []
    for row in form.risks:
        if not any((row.form.description.data, row.form.likelihood.data, row.form.impact.data, row.form.measure.data)):
            continue
        if not row.form.description.data:
            error(row.form.description, "Beschrijf het risico.")
        for field, label in ((row.form.likelihood, "de kans"), (row.form.impact, "de impact")):
            if field.data not in LEVEL_LABELS:
                error(field, f"Kies {label}: laag, middel of hoog.")
        data["risks"].append({"description": row.form.description.data, "likelihood": row.form.likelihood.data,
                              "impact": row.form.impact.data, "measure": row.form.measure.data or None})
    data["indicator_values"] = []
    for row in form.indicator_values:
        indicator = _linked(ImpactIndicator, row.form.indicator_id.data, update, refuse)
        value = row.form.value.data
        if value is None and not row.form.value.errors and not any(
                (row.form.measured_on.data, row.form.source.data, row.form.note.data)):
            continue
        if value is None and not row.form.value.errors:
            error(row.form.value, f"Vul de waarde van {indicator.name} in.")
        if row.form.measured_on.data is None and not row.form.measured_on.errors:
            error(row.form.measured_on, f"Vul de meetdatum van {indicator.name} in.")
        data["indicator_values"].append({"impact_indicator": indicator, "value": value,
                                         "measured_on": row.form.measured_on.data,
                                         "source": row.form.source.data or None,
                                         "note": row.form.note.data or None})
    data["spending"] = []
    for row in form.spending:
        line = _linked(BudgetLine, row.form.budget_line_id.data, update, refuse)
        if row.form.committed.data is None and row.form.spent.data is None:
            continue
        data["spending"].append({"budget_line": line, "committed": row.form.committed.data or Decimal("0"),
                                 "spent": row.form.spent.data or Decimal("0")})
    return data, failed


def error_list(form) -> list[tuple[str, str]]:
    """(field id, message) for every error, nested rows included, for the error summary."""
    out = []

    def walk(field):
        if hasattr(field, "entries"):
            for entry in field.entries:
                walk(entry)
        elif hasattr(field, "form") and hasattr(field.form, "_fields"):
            for sub in field.form:
                walk(sub)
        else:
            out.extend((field.id, message) for message in field.errors if isinstance(message, str))

    for field in form:
        walk(field)
    return out


def _lines(kind: str, items: list[dict]) -> list[str]:
    out = []
    for x in items:
        if kind == "lessons":
            question = x.get("learning_question")
            out.append(f"{question.question if question else 'Geen specifieke leervraag'}: {x.get('text') or '–'}")
        elif kind == "risks":
            out.append(f"{x.get('description') or '–'} (kans {x.get('likelihood') or '–'}, impact "
                       f"{x.get('impact') or '–'}); maatregel: {x.get('measure') or '–'}")
        elif kind == "indicator_values":
            value = x.get("value")
            out.append(f"{x['impact_indicator'].name}: {number(value) if value is not None else '–'} op "
                       f"{dutch_date(x.get('measured_on'))}")
        else:
            out.append(f"{line_label(x['budget_line'])}: verplicht {money(x['committed'])}, besteed "
                       f"{money(x['spent'])}")
    return out


def _stored(update: ProgressUpdate) -> dict:
    return {
        "lessons": [{"learning_question": x.learning_question, "text": x.text} for x in update.lessons],
        "risks": [{"description": x.description, "likelihood": x.likelihood, "impact": x.impact,
                   "measure": x.measure} for x in update.risks],
        "indicator_values": [{"impact_indicator": x.impact_indicator, "value": x.value,
                              "measured_on": x.measured_on} for x in update.indicator_values],
        "spending": [{"budget_line": x.budget_line, "committed": x.committed, "spent": x.spent}
                     for x in update.spending],
    }


def differences(update: ProgressUpdate, data: dict) -> list[dict]:
    """What differs between the stored update (as it is now) and the user's input."""
    db.session.refresh(update)
    labels = ProgressUpdate.TRAFFIC_LIGHT_LABELS
    out = []
    for key, label in TEXT_LABELS.items():
        stored, theirs = getattr(update, key), data.get(key)
        if (stored or None) != (theirs or None):
            if key == "traffic_light":
                stored, theirs = labels.get(stored, stored), labels.get(theirs, theirs)
            out.append({"label": label, "stored": [stored or "–"], "theirs": [theirs or "–"]})
    stored_lists = _stored(update)
    for key, label in LIST_LABELS.items():
        stored, theirs = _lines(key, stored_lists[key]), _lines(key, data.get(key, []))
        if stored != theirs:
            out.append({"label": label, "stored": stored or ["–"], "theirs": theirs or ["–"]})
    return out
