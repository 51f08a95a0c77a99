"""Dutch formats for numbers, money, percentages and dates (Babel, locale nl_NL)."""
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALE = "nl_NL"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def number(value, decimals: int | None = None) -> str:
    """1234567.5 -> '1.234.567,5'; decimals fixes the digits after the comma."""
    if value is None:
        return "–"
    if decimals is None:
        value = Decimal(str(value)).normalize()
        exponent = value.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def money(value, cents: bool | None = None) -> str:
    """Euro amounts as '€ 1.234.567', with cents only when there are any."""
    if value is None:
        return "–"
    value = Decimal(value)
    if cents is None:
        cents = value != value.to_integral_value()
    sign = "-" if value < 0 else ""
    return f"{sign}€ {number(abs(value), 2 if cents else 0)}"


def signed_money(value) -> str:
    """A difference: '+ € 33.979', '- € 54.372' or '€ 0'."""
    value = Decimal(value)
    if value == 0:
        return money(value)
    return ("+ " if value > 0 else "- ") + money(abs(value))


def percent(value, decimals: int | None = None) -> str:
    if value is None:
        return "–"
    return f"{number(value, decimals)}%"


# Units of indicators: the stored code -> (the name to choose it by, the short label beside a number).
# The one place where a unit code becomes Dutch; no code ever reaches the screen.
UNITS = {
    "percent": ("Percentage (%)", "%"),
    "count": ("Aantal", "aantal"),
    "score": ("Score", "score"),
    "index": ("Index", "index"),
    "hours": ("Uren per week", "uur per week"),
    "rank": ("Rang", "rang"),
    "km": ("Kilometers per persoon per dag", "km per persoon per dag"),
}
# How a value is written with its unit, where the unit belongs next to the number.
_VALUE_SUFFIX = {"percent": "%", "hours": " uur", "km": " km"}


def unit_label(unit: str | None) -> str:
    """'percent' -> '%', 'count' -> 'aantal'; a unit typed in by a user stays as typed; none -> ''."""
    if not unit:
        return ""
    return UNITS[unit][1] if unit in UNITS else unit


def unit_choices() -> dict[str, str]:
    return {code: name for code, (name, _label) in UNITS.items()}


def measure(value, unit: str | None = None) -> str:
    """A value with its unit as a reader writes it: '57%', '6 uur', '30 km', '3,4'; '–' when missing."""
    if value is None:
        return "–"
    return number(value) + _VALUE_SUFFIX.get(unit or "", "")


def change(value, unit: str | None = None) -> str:
    """A change between two measurements, signed: '+2 procentpunt', '−0,15', '0 procentpunt'; '–' when missing."""
    if value is None:
        return "–"
    value = Decimal(value)
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    suffix = " procentpunt" if unit == "percent" else _VALUE_SUFFIX.get(unit or "", "")
    return sign + number(abs(value)) + suffix


def in_sentence(label: str | None) -> str:
    """A label as it reads inside a sentence: 'Voortgangsrapportage GS' -> 'voortgangsrapportage GS',
    'COROP-regio' stays 'COROP-regio'. Only the first letter changes, and not when the first word is an
    abbreviation: lower-casing a whole label turns GS, PS, ZET and COROP into words that do not exist."""
    if not label:
        return ""
    first = re.split(r"[\s\-/]", label, maxsplit=1)[0]
    if len(first) > 1 and first.isupper():
        return label
    return label[:1].lower() + label[1:]


def dutch_list(items) -> str:
    """['Aalburg', 'Werkendam', 'Woudrichem'] -> 'Aalburg, Werkendam en Woudrichem'."""
    items = [str(item) for item in items]
    return " en ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def dutch_date(value: date | datetime | None, fmt: str = "d MMMM y") -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM)
    return format_date(value, format=fmt, locale=LOCALE)


def dutch_datetime(value: datetime | None, fmt: str = "d MMMM y 'om' HH:mm") -> str:
    """UTC timestamps shown in Europe/Amsterdam time."""
    if value is None:
        return "–"
    return format_datetime(value, format=fmt, tzinfo=AMSTERDAM, locale=LOCALE)


def register(app) -> None:
    app.add_template_filter(number, "number")
    app.add_template_filter(money, "money")
    app.add_template_filter(signed_money, "signed_money")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(unit_label, "unit_label")
    app.add_template_filter(in_sentence, "in_sentence")
    app.add_template_filter(dutch_list, "dutch_list")
    app.add_template_filter(measure, "measure")
    app.add_template_filter(change, "change")
    app.add_template_filter(dutch_date, "date_nl")
    app.add_template_filter(dutch_datetime, "datetime_nl")
