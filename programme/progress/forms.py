"""Forms for reporting periods and progress updates (labels, hints and errors in Dutch)."""
from datetime import date, datetime

from flask_wtf.file import FileField
from wtforms import (DateField, FieldList, Form, FormField, HiddenField, IntegerField, RadioField, SelectField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from programme.core.forms import (FIRST_PLAUSIBLE, LAST_PLAUSIBLE, BaseForm, DutchMeta, InRange, measurement_date,
                                  plausible_date, text_field)
from programme.core.editing import VersionedForm
from programme.progress.models import LEVEL_LABELS, PERIOD_KIND_LABELS, ProgressUpdate
from programme.core.numbers import MoneyField, NumberField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SubForm(Form):
    """A repeated group inside a form (no CSRF token of its own); strips text like BaseForm."""

    class Meta(DutchMeta):
        def bind_field(self, form, unbound_field, options):
            filters = [_strip, *unbound_field.kwargs.get("filters", [])]
            return unbound_field.bind(form=form, filters=filters, **options)


class DutchDateField(DateField):
    """A date input (type=date) with a Dutch message."""

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = datetime.strptime(str(valuelist[0]).strip(), "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError("Vul een geldige datum in (dag, maand, jaar).") from None


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


TRAFFIC_LIGHT_CHOICES = choices([("op_koers", "Op koers"), ("aandacht", "Aandacht nodig"), ("risico", "Risico")])


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
        if field.data not in (None, "", "None", *ProgressUpdate.TRAFFIC_LIGHT_LABELS):
            raise ValidationError("Kies een stoplicht: op koers, aandacht nodig of risico.")


def update_form_class(lessons: int, risks: int, indicators: int, lines: int) -> type[UpdateForm]:
    """The edit form with a fixed number of rows per repeated group (works without JavaScript)."""

    class Form(UpdateForm):
        pass

    Form.lessons = FieldList(FormField(LessonForm), min_entries=lessons, max_entries=lessons)
    Form.risks = FieldList(FormField(RiskForm), min_entries=risks, max_entries=risks)
    Form.indicator_values = FieldList(FormField(IndicatorValueForm), min_entries=indicators, max_entries=indicators)
    Form.spending = FieldList(FormField(SpendingForm), min_entries=lines, max_entries=lines)
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
