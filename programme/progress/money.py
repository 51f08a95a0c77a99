"""Euro amounts as people type them in the Netherlands ('€ 1.234,56', '1234,56', '1.234') into a
Decimal, and a form field that uses it."""
import re
from decimal import Decimal

from wtforms import Field
from wtforms.widgets import TextInput

from programme.core.formatting import number

MAX_AMOUNT = Decimal("100000000")
GROUPED = r"[0-9]{1,3}(?:\.[0-9]{3})+"  # 1.234 or 1.234.567: dots separate thousands
PLAIN = r"[0-9]+"
# Integer part (grouped or plain), then an optional comma with cents or ',-' for whole euros.
COMMA_AMOUNT = re.compile(rf"(?P<int>{GROUPED}|{PLAIN})(?:,(?P<dec>[0-9]+|-{{1,2}}))?")
DOT_DECIMAL = re.compile(r"(?P<int>[0-9]+)\.(?P<dec>[0-9]+)")  # 1234.56: a dot as decimal point
CURRENCY = re.compile(r"^(?:€|eur(?:o)?\b)\s*|\s*(?:€|eur(?:o)?)$", re.IGNORECASE)
SPACES = re.compile(r"[\s\u00a0\u202f]+")

NOT_A_NUMBER = "Vul een bedrag in euro’s in, bijvoorbeeld 1.234,56."


def parse_money(text) -> Decimal:
    """'1.234,56' -> Decimal('1234.56'). ValueError with a Dutch message when it is not a
    plausible amount: negative, more than two decimals, not a number, above € 100.000.000."""
    if isinstance(text, Decimal):
        text = str(text)
    if not isinstance(text, str):
        raise ValueError(NOT_A_NUMBER)
    value = SPACES.sub(" ", text).strip()
    if not value:
        raise ValueError("Vul een bedrag in.")
    value = CURRENCY.sub("", value).strip()
    if value[:1] in ("-", "−", "–") or (value.startswith("(") and value.endswith(")")):
        raise ValueError("Een bedrag kan niet negatief zijn.")
    if value.startswith(("€", "-")) or " " in value:
        raise ValueError(NOT_A_NUMBER)
    match = COMMA_AMOUNT.fullmatch(value) or DOT_DECIMAL.fullmatch(value)
    if not match:
        raise ValueError(NOT_A_NUMBER)
    integer = match["int"].replace(".", "")
    decimals = match["dec"] or ""
    if decimals.startswith("-"):
        decimals = ""
    if len(decimals) > 2:
        raise ValueError("Gebruik hoogstens twee cijfers achter de komma (centen).")
    amount = Decimal(f"{integer}.{decimals or '0'}").quantize(Decimal("0.01"))
    if amount > MAX_AMOUNT:
        raise ValueError(f"Dit bedrag is onwaarschijnlijk hoog (meer dan € {number(MAX_AMOUNT)}). "
                         "Controleer het bedrag.")
    return amount


class MoneyField(Field):
    """A text input for euros; data is a Decimal, or None when left empty (combine with
    InputRequired(message='Vul een bedrag in.') when the amount is required)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        self.data = None
        self.data = parse_money(valuelist[0])  # a ValueError becomes the field's error message

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return number(self.data, 2 if self.data != self.data.to_integral_value() else 0)
