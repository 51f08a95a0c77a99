"""The base form and the field helpers every form uses.

The base form strips surrounding whitespace from every text field, speaks Dutch (WTForms' own `nl`
messages for whatever a field does not say itself), and the field helpers that declare each field's
server-side limit once: text length, number range, plausible dates, real e-mail addresses."""
from datetime import date, datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

# The programme's horizon: periods, plans and schedules fall within it; measurements are never older.
FIRST_PLAUSIBLE = date(2016, 1, 1)
LAST_PLAUSIBLE = date(2035, 12, 31)
MEASUREMENT_GRACE = timedelta(days=7)  # a measurement dated a few days ahead (time zones, planning) is fine


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DutchMeta:
    """Meta mixin: WTForms' Dutch translations, also for forms without a Flask-Babel (Flask-WTF's
    own lookup answers in English when Flask-Babel is not installed)."""

    locales = ["nl_NL", "nl"]
    cache_translations = True

    def get_translations(self, form):
        return DefaultMeta.get_translations(self, form)


class BaseForm(FlaskForm):
    class Meta(DutchMeta):
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            if _strip not in filters:
                filters.insert(0, _strip)
            return unbound_field.bind(form=form, filters=filters, **options)


class EmptyForm(BaseForm):
    """For POST-only buttons: carries the CSRF token and nothing else."""


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def too_long(limit: int) -> str:
    return f"Gebruik hoogstens {limit} tekens."


def text_field(label: str, max: int, required: str | None = None, *, area: bool = False, strict: bool = False,
               validators=(), **kwargs):
    """A text field with its length limit (the database column's, or what its meaning needs) and Dutch
    messages. `required` is the message for an empty field; without it the field is optional.
    `strict` uses InputRequired (whitespace is stripped first anyway) instead of DataRequired."""
    first = [(InputRequired if strict else DataRequired)(required)] if required else [Optional()]
    field = TextAreaField if area else StringField
    return field(label, validators=[*first, Length(max=max, message=too_long(max)), *validators], **kwargs)


def email_field(label: str, required: str = "Vul het e-mailadres in.", *, validators=(), **kwargs):
    """A real e-mail address (the email-validator package, no DNS look-up), at most 254 characters."""
    kwargs.setdefault("render_kw", {"autocomplete": "email"})
    return EmailField(label, validators=[
        DataRequired(required), Length(max=254, message=too_long(254)),
        Email("Vul een geldig e-mailadres in, bijvoorbeeld naam@brabant.nl.", check_deliverability=False),
        *validators], **kwargs)


def _as_date(bound, today: date) -> date:
    return bound(today) if callable(bound) else bound


def plausible_date(first=FIRST_PLAUSIBLE, last=LAST_PLAUSIBLE, *, what: str = "De datum"):
    """Validator: the date lies within [first, last]; either bound may be a function of today."""
    from programme.core.formatting import dutch_date

    def check(_form, field):
        if not isinstance(field.data, date):
            return
        today = date.today()
        low, high = _as_date(first, today), _as_date(last, today)
        if not low <= field.data <= high:
            raise ValidationError(f"{what} moet tussen {dutch_date(low)} en {dutch_date(high)} liggen.")

    check.first, check.last = first, last
    return check


def measurement_date():
    """A measurement is not from before the programme and not (much) in the future."""
    return plausible_date(FIRST_PLAUSIBLE, lambda today: today + MEASUREMENT_GRACE, what="De meetdatum")


class InRange(NumberRange):
    """NumberRange that leaves an empty or unreadable number to the field's own message (one
    message per problem, not two)."""

    def __call__(self, form, field):
        if field.data is not None:
            super().__call__(form, field)


class ReadField:
    """A field mixin that reads its typed text with `read(text)`: empty is None; text that `read` cannot
    read (ValueError) is None with the Dutch `message` (WTForms' own messages are English)."""

    message = "Vul een geldige waarde in."

    def read(self, text: str):
        raise NotImplementedError

    def process_formdata(self, valuelist):
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if text:
            try:
                self.data = self.read(text)
            except ValueError:
                raise ValueError(self.message) from None


class DutchDateField(ReadField, DateField):
    """A date input (type=date) with a Dutch message."""

    message = "Vul een geldige datum in (dag, maand, jaar)."

    def read(self, text: str) -> date:
        return datetime.strptime(text, "%Y-%m-%d").date()
