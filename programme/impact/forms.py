"""Forms for the manager's editing of impact indicators, their baseline and their targets."""

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from programme.core.formatting import unit_choices
from programme.core.forms import BaseForm, choices
from programme.core.numbers import NumberField
from programme.core.editing import (CHOOSE, PERIOD_HINT, IdSelectField, VersionedForm, validate_period,
                                    yes_no)

UNIT_CHOICES = {"": "Geen eenheid", **unit_choices()}


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
