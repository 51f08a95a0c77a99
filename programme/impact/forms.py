"""Forms for the manager's editing of impact indicators, their baseline and their targets."""

from wtforms import SelectField

from programme.core.formatting import unit_choices
from programme.core.forms import BaseForm, choices, text_field
from programme.core.numbers import NumberField
from programme.core.editing import CHOOSE, IdSelectField, VersionedForm, period_field, yes_no

UNIT_CHOICES = {"": "Geen eenheid", **unit_choices()}


class IndicatorFields(BaseForm):
    name = text_field("Naam", 300, "Vul de naam van de indicator in.")
    description = text_field("Omschrijving", 5000, area=True)
    unit = SelectField("Eenheid", choices=choices(UNIT_CHOICES.items()), invalid_choice_message=CHOOSE)
    higher_is_better = SelectField("Richting", coerce=yes_no, invalid_value_message=CHOOSE,
                                   invalid_choice_message=CHOOSE,
                                   choices=choices([("1", "Hoger is beter"), ("0", "Lager is beter")]))
    monitor_indicator_id = IdSelectField("Gekoppelde indicator uit de Monitor Sociale Veerkracht")
    baseline_value = NumberField("Nulmeting: waarde")
    baseline_text = text_field("Nulmeting: toelichting of omschrijving", 2000, area=True)
    baseline_edition_id = IdSelectField("Nulmeting: editie van de monitor")
    baseline_area_id = IdSelectField("Nulmeting: gebied")


class NewIndicatorForm(IndicatorFields):
    initiative_id = IdSelectField("Hoort bij")


class IndicatorForm(VersionedForm, IndicatorFields):
    pass


class TargetFields(BaseForm):
    period_label = period_field()
    target_value = NumberField("Streefwaarde (getal)")
    target_text = text_field("Streefwaarde in woorden", 2000, area=True)

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
