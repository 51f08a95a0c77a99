"""The one parser for numbers and euro amounts as people type them, and the form fields that use it.

As people type them in the Netherlands: '1.234' is one thousand two hundred and thirty-four in every form and import."""
import re
from decimal import Decimal

from wtforms import Field
from wtforms.widgets import TextInput

from programme.core.formatting import number

# The grammar, shared by numbers and amounts. A comma is the decimal separator and dots group
# thousands (1.234,5); a lone dot followed by other than three digits is read as a decimal point
# (12.5), as spreadsheets exported in English write it. '1.234' is always 1234.
GROUPED = r"[0-9]{1,3}(?:\.[0-9]{3})+"
PLAIN = r"[0-9]+"
COMMA_DECIMAL = re.compile(rf"(?P<int>{GROUPED}|{PLAIN})(?:,(?P<dec>[0-9]+))?")
DOT_DECIMAL = re.compile(r"(?P<int>[0-9]+)\.(?P<dec>[0-9]+)")
SPACES = re.compile(r"[\s\u00a0\u202f]+")
MINUS = ("-", "−", "–")

MAX_NUMBER = Decimal("10000000000")  # Numeric(14, 4)
NOT_A_NUMBER = "Vul een getal in, bijvoorbeeld 12,5 of 1.250."
PLACES_WORDS = {0: "nul", 1: "één", 2: "twee", 3: "drie", 4: "vier"}

MAX_AMOUNT = Decimal("100000000")
NOT_AN_AMOUNT = "Vul een bedrag in euro’s in, bijvoorbeeld 1.234,56."
CURRENCY = re.compile(r"^(?:€|eur(?:o)?\b)\s*|\s*(?:€|eur(?:o)?)$", re.IGNORECASE)
WHOLE_EUROS = re.compile(r",-{1,2}$")  # '1.250,-'


def _digits(text: str, message: str) -> tuple[str, str]:
    """The integer digits and the decimals of an unsigned number; ValueError(message) otherwise."""
    match = COMMA_DECIMAL.fullmatch(text) or DOT_DECIMAL.fullmatch(text)
    if not match:
        raise ValueError(message)
    return match["int"].replace(".", ""), match["dec"] or ""


def parse_number(text, *, places: int = 4, maximum: Decimal = MAX_NUMBER, negative: bool = True) -> Decimal:
    """'12,5' -> 12.5, '1.250' -> 1250, '1.234,5' -> 1234.5, '12.5' -> 12.5, '-3' -> -3.
    ValueError with a Dutch message for anything else, for more than `places` decimals, for a
    negative number when not allowed and for a value of `maximum` or more."""
    if isinstance(text, (Decimal, int)) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise ValueError(NOT_A_NUMBER)
    value = SPACES.sub("", text)
    sign = ""
    if value[:1] in MINUS:
        if not negative:
            raise ValueError("Vul een getal van nul of meer in.")
        sign, value = "-", value[1:]
    integer, decimals = _digits(value, NOT_A_NUMBER)
    if len(decimals) > places:
        raise ValueError(f"Gebruik hoogstens {PLACES_WORDS.get(places, places)} cijfers achter de komma."
                         if places else "Vul een geheel getal in.")
    result = Decimal(f"{sign}{integer}.{decimals or '0'}")
    if abs(result) >= maximum:
        raise ValueError("Dit getal is te groot. Controleer het.")
    return result


def parse_money(text) -> Decimal:
    """'€ 1.234,56' -> Decimal('1234.56'), '1.250,-' -> 1250.00. ValueError with a Dutch message
    when it is not a plausible amount: negative, more than two decimals, not a number, above
    € 100.000.000."""
    if isinstance(text, Decimal):
        text = str(text)
    if not isinstance(text, str):
        raise ValueError(NOT_AN_AMOUNT)
    value = SPACES.sub(" ", text).strip()
    if not value:
        raise ValueError("Vul een bedrag in.")
    value = CURRENCY.sub("", value).strip()
    if value[:1] in MINUS or (value.startswith("(") and value.endswith(")")):
        raise ValueError("Een bedrag kan niet negatief zijn.")
    if value.startswith("€") or " " in value:
        raise ValueError(NOT_AN_AMOUNT)
    integer, decimals = _digits(WHOLE_EUROS.sub("", value), NOT_AN_AMOUNT)
    if len(decimals) > 2:
        raise ValueError("Gebruik hoogstens twee cijfers achter de komma (centen).")
    amount = Decimal(f"{integer}.{decimals or '0'}").quantize(Decimal("0.01"))
    if amount > MAX_AMOUNT:
        raise ValueError(f"Dit bedrag is onwaarschijnlijk hoog (meer dan € {number(MAX_AMOUNT)}). "
                         "Controleer het bedrag.")
    return amount


class _ParsedField(Field):
    """A text input whose data is a Decimal from a parser, or None when left empty; a ValueError of
    the parser becomes the field's (Dutch) error message."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def parse(self, text: str) -> Decimal:
        raise NotImplementedError

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            self.data = self.parse(str(valuelist[0]))


class NumberField(_ParsedField):
    """A number as people type it here (parse_number)."""

    def parse(self, text: str) -> Decimal:
        return parse_number(text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else number(self.data)


class MoneyField(_ParsedField):
    """Euros as people type them here (parse_money); combine with InputRequired(message='Vul een
    bedrag in.') when the amount is required."""

    def parse(self, text: str) -> Decimal:
        return parse_money(text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return number(self.data, 2 if self.data != self.data.to_integral_value() else 0)
