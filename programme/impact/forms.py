"""Forms for the manager's editing of impact indicators, their baseline and their targets."""
import re
from decimal import Decimal

from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import TextInput

from programme.core.formatting import number, unit_choices
from programme.core.forms import BaseForm, choices
from programme.plan.editing import (CHOOSE, PERIOD_HINT, IdSelectField, VersionedForm, validate_period,
                                    yes_no)

GROUPED = re.compile(r"(?P<int>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,(?P<dec>[0-9]+))?")  # 1.234,5 or 12,5
DOT_DECIMAL = re.compile(r"(?P<int>[0-9]+)\.(?P<dec>[0-9]+)")  # 12.5: a dot as the decimal point
MAX_NUMBER = Decimal("10000000000")  # Numeric(14, 4)
NOT_A_NUMBER = "Vul een getal in, bijvoorbeeld 12,5 of 1.250."
UNIT_CHOICES = {"": "Geen eenheid", **unit_choices()}


def parse_number(text: str) -> Decimal:
    """'12,5' -> 12.5, '1.250' -> 1250 (a dot groups thousands), '12.5' -> 12.5, '-3' -> -3.
    ValueError with a Dutch message for anything else."""
    value = re.sub(r"[\s\u00a0\u202f]+", "", text or "")
    sign = ""
    if value[:1] in ("-", "−"):
        sign, value = "-", value[1:]
    match = GROUPED.fullmatch(value) or DOT_DECIMAL.fullmatch(value)
    if not match:
        raise ValueError(NOT_A_NUMBER)
    decimals = match["dec"] or ""
    if len(decimals) > 4:
        raise ValueError("Gebruik hoogstens vier cijfers achter de komma.")
    value = Decimal(f"{sign}{match['int'].replace('.', '')}.{decimals or '0'}")
    if abs(value) >= MAX_NUMBER:
        raise ValueError("Dit getal is te groot. Controleer het.")
    return value


class NumberField(Field):
    """A number as people type it here; data is a Decimal, or None when left empty."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            self.data = parse_number(str(valuelist[0]))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else number(self.data)


def _text(label: str, limit: int, required: str | None = None, area: bool = True):
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(Length(max=limit, message=f"Gebruik hoogstens {limit} tekens."))
    return (TextAreaField if area else StringField)(label, validators=validators)


class IndicatorFields(BaseForm):
    name = _text("Naam", 300, "Vul de naam van de indicator in.", area=False)
    description = _text("Omschrijving", 5000)
    unit = SelectField("Eenheid", choices=choices(UNIT_CHOICES.items()), invalid_choice_message=CHOOSE)
    higher_is_better = SelectField("Richting", coerce=yes_no, invalid_value_message=CHOOSE,
                                   invalid_choice_message=CHOOSE,
                                   choices=choices([("1", "Hoger is beter"), ("0", "Lager is beter")]))
    monitor_indicator_id = IdSelectField("Gekoppelde indicator uit de Monitor Sociale Veerkracht")
    baseline_value = NumberField("Nulmeting: waarde")
    baseline_text = _text("Nulmeting: toelichting of omschrijving", 2000)
    baseline_edition_id = IdSelectField("Nulmeting: editie van de monitor")
    baseline_area_id = IdSelectField("Nulmeting: gebied")


class NewIndicatorForm(IndicatorFields):
    initiative_id = IdSelectField("Hoort bij")


class IndicatorForm(VersionedForm, IndicatorFields):
    pass


class TargetFields(BaseForm):
    period_label = StringField("Periode", description=PERIOD_HINT,
                               validators=[DataRequired("Vul de periode in."),
                                           Length(max=20, message="Gebruik hoogstens 20 tekens."), validate_period])
    target_value = NumberField("Streefwaarde (getal)")
    target_text = _text("Streefwaarde in woorden", 2000)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and self.target_value.data is None and not self.target_text.data:
            self.target_value.errors.append("Vul een streefwaarde in: een getal, een omschrijving of allebei.")
            return False
        return valid


class NewTargetForm(TargetFields):
    pass


class TargetForm(VersionedForm, TargetFields):
    pass
