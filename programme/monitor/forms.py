"""The manager's forms for the monitor.

Uploading a spreadsheet of values, confirming an import, publishing or withdrawing an edition, and
adding a monitor indicator, and the trend threshold of a monitor indicator."""
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField
from wtforms.validators import InputRequired, NumberRange, Regexp

from programme.core.forms import BaseForm, InRange, choices, text_field
from programme.core.numbers import NumberField
from programme.monitor.imports import LAYOUTS
from programme.monitor.models import RESOURCE_LABELS
from programme.monitor.operations import FIRST_YEAR, LAST_YEAR, UNITS

DIRECTIONS = {"higher": "Hoger is beter", "lower": "Lager is beter", "none": "Geen richting (beschrijvend)"}


class UploadForm(BaseForm):
    file = FileField("Bestand (CSV of Excel)", validators=[InputRequired("Kies een bestand.")])
    layout = RadioField("Indeling van het bestand", choices=choices(LAYOUTS.items()), default="long",
                        validators=[InputRequired("Kies de indeling van het bestand.")])
    year = IntegerField("Editie (jaar)", validators=[
        InputRequired("Vul het jaar van de editie in, bijvoorbeeld 2022."),
        NumberRange(FIRST_YEAR, LAST_YEAR, f"Kies een jaar van {FIRST_YEAR} tot en met {LAST_YEAR}.")],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    name = text_field("Naam van de editie (alleen voor een nieuwe editie)", 200)


class ConfirmForm(BaseForm):
    fingerprint = HiddenField()
    only_valid = BooleanField("Importeer alleen de geldige waarden en sla de geweigerde over")
    reason = text_field("Reden voor de wijziging van opgeslagen waarden", 2000, area=True)


class StatusForm(BaseForm):
    status = HiddenField(validators=[InputRequired("Het formulier is onvolledig; laad de pagina opnieuw.")])
    reason = text_field("Reden van het intrekken", 2000, area=True)


class IndicatorForm(BaseForm):
    code = text_field("Code", 80, "Vul een code in.", validators=[Regexp(
        r"^[a-z0-9_]+$", message="Gebruik alleen kleine letters, cijfers en liggende streepjes (_).")],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    name = text_field("Naam", 300, "Vul de naam in.")
    resource = SelectField("Soort hulpbron", choices=choices(RESOURCE_LABELS.items()),
                           validators=[InputRequired("Kies het soort hulpbron.")])
    unit = SelectField("Eenheid", choices=choices(UNITS.items()), validators=[InputRequired("Kies de eenheid.")])
    direction = RadioField("Richting", choices=choices(DIRECTIONS.items()), default="higher",
                           validators=[InputRequired("Kies de richting.")])
    correlation = NumberField("Correlatie met veerkracht (optioneel)", validators=[
        InRange(-1, 1, "Een correlatie ligt tussen -1 en 1.")])
    minimum = NumberField("Laagst mogelijke waarde (optioneel)")
    maximum = NumberField("Hoogst mogelijke waarde (optioneel)")
    description = text_field("Omschrijving (optioneel)", 4000, area=True)

    def values(self) -> dict:
        direction = self.direction.data
        return {"code": self.code.data, "name": self.name.data, "resource": self.resource.data,
                "unit": self.unit.data,
                "higher_is_better": True if direction == "higher" else False if direction == "lower" else None,
                "correlation": self.correlation.data, "minimum": self.minimum.data, "maximum": self.maximum.data,
                "description": self.description.data}


class ThresholdForm(BaseForm):
    """The manager's trend threshold of a monitor indicator (empty: the default of its unit)."""

    trend_threshold = NumberField("Drempel")
