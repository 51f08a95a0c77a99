"""Forms for asking for a report, for report schedules and for recipients (Dutch labels and errors)."""
from datetime import date

from wtforms import BooleanField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from programme.core.editing import VersionedForm
from programme.core.forms import BaseForm, DutchDateField, InRange, choices, email_field, plausible_date, text_field
from programme.core.operations import RuleError
from programme.reports.kinds import FACTSHEET, GS_QUARTERLY, KIND_LABELS, PS_HALF_YEARLY, SCHEDULABLE_KINDS
from programme.reports.mail import normalise_email
from programme.reports.operations import unended_refusal
from programme.reports.spans import recent_spans

CHOOSE_FROM_LIST = "Kies uit de getoonde mogelijkheden."


def email_address(_form, field):
    """Validator: a plausible address, normalised (lower case, no spaces), with a Dutch message."""
    try:
        field.data = normalise_email(field.data)
    except RuleError as error:
        raise ValidationError(error.message) from None


def period_label(period, today: date) -> str:
    """'Vierde kwartaal 2026', with '(loopt nog)' while the period has not ended."""
    return period.display + ("" if period.has_ended(today) else " (loopt nog)")


def period_choices(today: date) -> list[SelectChoice]:
    """Quarters (GS, factsheets) and half years (PS), newest first, in two groups."""
    quarters = [SelectChoice(p.code, period_label(p, today), optgroup="Kwartalen (GS-rapportage en factsheet)")
                for p in recent_spans(GS_QUARTERLY, today)]
    halves = [SelectChoice(p.code, period_label(p, today), optgroup="Halfjaren (PS-rapportage)")
              for p in recent_spans(PS_HALF_YEARLY, today, count=4)]
    return quarters + halves


class AskReportForm(BaseForm):
    kind = SelectField("Soort rapportage", choices=choices(KIND_LABELS.items()),
                       invalid_choice_message=CHOOSE_FROM_LIST)
    period = SelectField("Periode", invalid_choice_message=CHOOSE_FROM_LIST,
                         description="Kies een kwartaal voor de GS-rapportage en de factsheet, "
                                     "een halfjaar voor de PS-rapportage.")
    initiative = SelectField("Initiatief (alleen voor een factsheet)", invalid_choice_message=CHOOSE_FROM_LIST)
    provisional = BooleanField(
        "Voorlopige rapportage over een periode die nog loopt",
        description="Alleen voor een periode die nog niet voorbij is. De rapportage krijgt op elke pagina het "
                    "watermerk ‘VOORLOPIG’ en op de voorkant een waarschuwing, en staat als voorlopig in het "
                    "archief. Een planning maakt nooit een voorlopige rapportage.")

    def __init__(self, *args, today: date, initiatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.period.choices = period_choices(today)
        self.initiative.choices = choices([("", "Geen (niet bij een factsheet)"),
                                           *((str(i.id), f"{i.number} {i.name}") for i in initiatives)])
        if not self.period.data or self.period.data == "None":
            # Reports are usually about the last finished quarter.
            self.period.data = recent_spans(GS_QUARTERLY, today)[1].code

    def validate_period(self, field):
        kind = self.kind.data
        if kind not in KIND_LABELS:
            return
        allowed = {p.code: p for p in recent_spans(kind, self.today)}
        if field.data not in allowed:
            raise ValidationError("Kies een halfjaar voor de PS-rapportage." if kind == PS_HALF_YEARLY
                                  else "Kies een kwartaal voor deze soort rapportage.")
        refusal = unended_refusal(allowed[field.data], self.today)
        if refusal and not self.provisional.data:
            raise ValidationError(refusal)

    def validate_initiative(self, field):
        if self.kind.data == FACTSHEET and not field.data:
            raise ValidationError("Kies het initiatief waarvoor u een factsheet wilt.")
        if self.kind.data != FACTSHEET and field.data:
            raise ValidationError("Een initiatief hoort alleen bij een factsheet; kies 'Geen'.")


class WholeNumberField(IntegerField):
    """An integer with a Dutch message (WTForms' own is English)."""

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError:
            self.data = None
            raise ValueError("Vul een heel getal in.") from None


class ScheduleForm(BaseForm):
    name = text_field("Naam", 200, "Geef de planning een naam.", strict=True)
    kind = SelectField("Soort rapportage", choices=choices((k, KIND_LABELS[k]) for k in SCHEDULABLE_KINDS),
                       invalid_choice_message=CHOOSE_FROM_LIST)
    days_after_period = WholeNumberField(
        "Dagen na het einde van de periode",
        validators=[InputRequired("Vul het aantal dagen in."),
                    InRange(0, 120, "Kies een aantal dagen van 0 tot en met 120.")],
        description="Bijvoorbeeld 15: de rapportage over het derde kwartaal (tot en met 30 september) "
                    "wordt op 16 oktober gemaakt.")
    hour = WholeNumberField("Uur van de dag (Nederlandse tijd)",
                        validators=[InputRequired("Vul het uur in."),
                                    InRange(0, 23, "Kies een uur van 0 tot en met 23.")],
                        description="Van 0 tot en met 23; 6 is zes uur ’s ochtends.")
    starts_on = DutchDateField("Gaat in op", validators=[InputRequired("Vul de datum in waarop de planning ingaat."),
                                                         plausible_date()],
                               description="Perioden die vóór deze datum eindigden, maakt de planning niet.")


class ScheduleEditForm(ScheduleForm, VersionedForm):
    """The kind of a schedule stays what it is (make a new schedule for another kind). Carries the
    schedule's version (the optimistic lock that core.operations.run checks with Stale)."""

    kind = None


class RecipientForm(BaseForm):
    kind = SelectField("Soort rapportage", choices=choices(KIND_LABELS.items()),
                       invalid_choice_message=CHOOSE_FROM_LIST)
    email = email_field("E-mailadres", validators=[email_address])
    name = text_field("Naam (niet verplicht)", 200, render_kw={"autocomplete": "name"})


class MailCheckForm(BaseForm):
    to = email_field("Stuur een testmail naar", validators=[email_address],
                     description="Standaard uw eigen adres. Er wordt één kort bericht verstuurd, zonder bijlage.")
