"""Progress forms, and the one mapping between an update and its edit form.

Labels, hints and errors in Dutch. edit_form fills the edit form from the update, update_values
reads it back as plain values for operations.update_draft, differences shows what a stale save would
have changed."""
from datetime import date
from decimal import Decimal

from flask_wtf.file import FileField
from wtforms import (FieldList, Form, FormField, HiddenField, IntegerField, RadioField, SelectField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from programme.core.forms import (FIRST_PLAUSIBLE, LAST_PLAUSIBLE, BaseForm, DutchDateField, DutchMeta, InRange,
                                  measurement_date, plausible_date, text_field)
from flask import abort

from programme.budget.models import BudgetLine
from programme.core.editing import VersionedForm
from programme.core.extensions import db
from programme.core.formatting import dutch_date, money, number
from programme.core.numbers import MoneyField, NumberField
from programme.impact.models import ImpactIndicator
from programme.initiatives.models import LearningQuestion
from programme.monitor.models import Area, MonitorIndicator
from programme.progress.models import LEVEL_LABELS, PERIOD_KIND_LABELS, TRAFFIC_LIGHT_LABELS, ProgressUpdate
from programme.progress.queries import Linkable, line_label


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SubForm(Form):
    """A repeated group inside a form (no CSRF token of its own); strips text like BaseForm."""

    class Meta(DutchMeta):
        def bind_field(self, form, unbound_field, options):
            filters = [_strip, *unbound_field.kwargs.get("filters", [])]
            return unbound_field.bind(form=form, filters=filters, **options)


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


LEVEL_CHOICES = choices([("", "Kies…"), *LEVEL_LABELS.items()])


class LessonForm(SubForm):
    learning_question = SelectField("Leervraag", choices=choices([("", "Geen specifieke leervraag")]),
                                    validate_choice=False)
    text = text_field("Wat heeft u geleerd?", 5000, area=True)


class RiskForm(SubForm):
    description = text_field("Beschrijving van het risico", 3000, area=True)
    likelihood = SelectField("Kans", choices=LEVEL_CHOICES, validate_choice=False)
    impact = SelectField("Impact", choices=LEVEL_CHOICES, validate_choice=False)
    measure = text_field("Maatregel", 3000, area=True)


class IndicatorValueForm(SubForm):
    indicator_id = HiddenField()
    value = NumberField("Waarde")
    measured_on = DutchDateField("Meetdatum", validators=[Optional(), measurement_date()])
    source = text_field("Bron", 300)
    note = text_field("Notitie", 2000, area=True)


class SpendingForm(SubForm):
    budget_line_id = HiddenField()
    committed = MoneyField("Verplicht in deze periode (€)")
    spent = MoneyField("Besteed in deze periode (€)")


class ObservationForm(SubForm):
    resource = SelectField("Hulpbron (uit de monitor)", choices=choices([("", "Kies…")]), validate_choice=False)
    area = SelectField("Gebied", choices=choices([("", "Kies…")]), validate_choice=False)
    text = text_field("Wat zag of hoorde u?", 5000, area=True)


TRAFFIC_LIGHT_CHOICES = choices(TRAFFIC_LIGHT_LABELS.items())


class UpdateForm(VersionedForm):
    """A save without the version the form was loaded from (or with a forged one) is refused:
    the conflict check cannot be skipped."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if unbound_field.field_class in (FieldList, FormField):  # they take no filters; their rows strip
                return unbound_field.bind(form=form, **options)
            return BaseForm.Meta.bind_field(self, form, unbound_field, options)

    traffic_light = RadioField("Stoplicht", choices=TRAFFIC_LIGHT_CHOICES, validators=[Optional()],
                               validate_choice=False)
    explanation = text_field("Toelichting op het stoplicht", 5000, area=True)
    done = text_field("Wat is er gedaan?", 10000, area=True)
    results = text_field("Resultaten", 10000, area=True)
    next_steps = text_field("Volgende stappen", 10000, area=True)

    def validate_traffic_light(self, field):
        if field.data not in (None, "", "None", *TRAFFIC_LIGHT_LABELS):
            raise ValidationError("Kies een stoplicht: op koers, aandacht nodig of risico.")


def update_form_class(lessons: int, risks: int, indicators: int, lines: int, observations: int = 0
                      ) -> type[UpdateForm]:
    """The edit form with a fixed number of rows per repeated group (works without JavaScript)."""

    class Form(UpdateForm):
        pass

    Form.lessons = FieldList(FormField(LessonForm), min_entries=lessons, max_entries=lessons)
    Form.risks = FieldList(FormField(RiskForm), min_entries=risks, max_entries=risks)
    Form.indicator_values = FieldList(FormField(IndicatorValueForm), min_entries=indicators, max_entries=indicators)
    Form.spending = FieldList(FormField(SpendingForm), min_entries=lines, max_entries=lines)
    Form.observations = FieldList(FormField(ObservationForm), min_entries=observations, max_entries=observations)
    return Form


class NewUpdateForm(BaseForm):
    period_id = SelectField("Periode", coerce=str, validate_choice=False,
                            validators=[InputRequired("Kies een periode.")])


class ReturnForm(BaseForm):
    comment = text_field("Wat moet er worden aangepast?", 5000,
                         "Schrijf bij het terugsturen wat er moet worden aangepast.",
                         area=True, strict=True)


class ApproveForm(BaseForm):
    comment = text_field("Opmerking (niet verplicht)", 5000, area=True)


class EvidenceForm(BaseForm):
    file = FileField("Bestand", validators=[InputRequired("Kies een bestand.")])


class QuartersForm(BaseForm):
    year = IntegerField("Jaar", validators=[InputRequired("Vul een jaar in."),
                                            InRange(FIRST_PLAUSIBLE.year, LAST_PLAUSIBLE.year,
                                                        f"Vul een jaar van {FIRST_PLAUSIBLE.year} tot en met "
                                                        f"{LAST_PLAUSIBLE.year} in.")])


class PeriodForm(BaseForm):
    code = text_field("Code", 20, "Vul een code in.", strict=True)
    label = text_field("Naam", 100, "Vul een naam in.", strict=True)
    starts_on = DutchDateField("Begindatum", validators=[InputRequired("Vul de begindatum in."),
                                                         plausible_date(what="De begindatum")])
    ends_on = DutchDateField("Einddatum", validators=[InputRequired("Vul de einddatum in."),
                                                      plausible_date(what="De einddatum")])
    kind = SelectField("Soort", choices=choices(PERIOD_KIND_LABELS.items()), default="other")

    def validate_ends_on(self, field):
        if isinstance(field.data, date) and isinstance(self.starts_on.data, date) and field.data < self.starts_on.data:
            raise ValidationError("De einddatum ligt vóór de begindatum.")


class ReopenForm(BaseForm):
    reason = text_field("Reden voor heropenen", 2000, "Geef een reden op voor het heropenen.", area=True,
                        strict=True)


# ---------------------------------------------------------------- the edit form <-> an update

EMPTY_ROWS = 3
STALE_MESSAGE = ("Iemand anders heeft dit voortgangsbericht gewijzigd nadat u het opende. Uw invoer is niet "
                 "opgeslagen maar staat nog in het formulier. Vergelijk hieronder de opgeslagen waarden met "
                 "de uwe, pas zo nodig aan en sla opnieuw op.")
TEXT_LABELS = {"traffic_light": "Stoplicht", "explanation": "Toelichting", "done": "Wat is er gedaan?",
               "results": "Resultaten", "next_steps": "Volgende stappen"}
LIST_LABELS = {"lessons": "Lessen", "risks": "Risico’s", "indicator_values": "Indicatorwaarden",
               "spending": "Bestedingen", "observations": "Waarnemingen bij de monitor"}


def edit_form(update: ProgressUpdate, linkable: Linkable, *, posted: bool) -> UpdateForm:
    """The edit form: a row per indicator and per budget line, a few empty ones for lessons and risks;
    filled from the posted data, or else from the update."""
    form_class = update_form_class(max(EMPTY_ROWS, len(update.lessons) + 1), max(EMPTY_ROWS, len(update.risks) + 1),
                                   len(linkable.indicators), len(linkable.lines),
                                   max(EMPTY_ROWS - 1, len(update.observations) + 1))
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
                 "note": values[i.id].note if i.id in values else ""} for i in linkable.indicators],
            "spending": [{"budget_line_id": str(line.id),
                          "committed": spent[line.id].committed if line.id in spent else None,
                          "spent": spent[line.id].spent if line.id in spent else None} for line in linkable.lines],
            "observations": [{"resource": str(x.monitor_indicator_id), "area": str(x.area_id), "text": x.text}
                             for x in update.observations],
        })
    question_choices = choices([("", "Geen specifieke leervraag"),
                                *((str(q.id), q.question) for q in linkable.questions)])
    for row in form.lessons:
        row.form.learning_question.choices = question_choices
    resource_choices = choices([("", "Kies een hulpbron…"), *linkable.resource_choices])
    area_choices = choices([("", "Kies een gebied…"), *linkable.area_choices])
    for row in form.observations:
        row.form.resource.choices, row.form.area.choices = resource_choices, area_choices
    return form


def _record(model, value):
    """A posted id as its record; 404 when there is no such record (a forged form). Whether it may be
    linked (it belongs to the update's initiative) is the operation's question."""
    value = str(value or "").strip()
    record = db.session.get(model, int(value)) if value.isdigit() and len(value) < 12 else None
    if record is None:
        abort(404)
    return record


def _chosen(model, value):
    """A choice from a list open to everyone (a monitor resource, an area): its record, None when left empty, or
    the posted text itself when there is no such record, which the operation refuses at the field in Dutch."""
    value = str(value or "").strip()
    if not value:
        return None
    record = db.session.get(model, int(value)) if value.isdigit() and len(value) < 12 else None
    return record if record is not None else value


def update_values(form: UpdateForm) -> dict:
    """The posted form as operations.update_draft takes it: the text fields, and per item list one
    entry per form row (None for a row left blank), so that problems find their row again."""
    values = {key: form[key].data or None for key in ProgressUpdate.TEXT_FIELDS}
    values["lessons"] = [
        {"learning_question": _record(LearningQuestion, row.learning_question.data)
         if row.learning_question.data else None, "text": row.text.data}
        if row.text.data or row.learning_question.data else None
        for row in (entry.form for entry in form.lessons)]
    values["risks"] = [
        {"description": row.description.data, "likelihood": row.likelihood.data or None,
         "impact": row.impact.data or None, "measure": row.measure.data or None}
        if any((row.description.data, row.likelihood.data, row.impact.data, row.measure.data)) else None
        for row in (entry.form for entry in form.risks)]
    values["indicator_values"] = []
    for row in (entry.form for entry in form.indicator_values):
        indicator = _record(ImpactIndicator, row.indicator_id.data)
        filled = row.value.data is not None or any((row.measured_on.data, row.source.data, row.note.data))
        values["indicator_values"].append(
            {"impact_indicator": indicator, "value": row.value.data, "measured_on": row.measured_on.data,
             "source": row.source.data or None, "note": row.note.data or None} if filled else None)
    values["spending"] = []
    for row in (entry.form for entry in form.spending):
        line = _record(BudgetLine, row.budget_line_id.data)
        filled = row.committed.data is not None or row.spent.data is not None
        values["spending"].append({"budget_line": line, "committed": row.committed.data or Decimal("0"),
                                   "spent": row.spent.data or Decimal("0")} if filled else None)
    values["observations"] = [
        {"resource": _chosen(MonitorIndicator, row.resource.data), "area": _chosen(Area, row.area.data),
         "text": row.text.data}
        if any((row.resource.data, row.area.data, row.text.data)) else None
        for row in (entry.form for entry in form.observations)]
    return values


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
        elif kind == "observations":
            resource, area = x.get("resource"), x.get("area")
            out.append(f"{resource.name if resource else '–'}, {area.name if area else '–'}: {x.get('text') or '–'}")
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
        "observations": [{"resource": x.resource, "area": x.area, "text": x.text} for x in update.observations],
    }


def differences(update: ProgressUpdate, values: dict) -> list[dict]:
    """What differs between the stored update (as it is now) and the user's input."""
    out = []
    for key, label in TEXT_LABELS.items():
        stored, theirs = getattr(update, key), values.get(key)
        if (stored or None) != (theirs or None):
            if key == "traffic_light":
                stored, theirs = TRAFFIC_LIGHT_LABELS.get(stored, stored), TRAFFIC_LIGHT_LABELS.get(theirs, theirs)
            out.append({"label": label, "stored": [stored or "–"], "theirs": [theirs or "–"]})
    stored_lists = _stored(update)
    for key, label in LIST_LABELS.items():
        stored = _lines(key, stored_lists[key])
        theirs = _lines(key, [item for item in values.get(key, []) if item is not None])
        if stored != theirs:
            out.append({"label": label, "stored": stored or ["–"], "theirs": theirs or ["–"]})
    return out
