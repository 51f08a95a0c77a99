"""Euro amounts typed the Dutch way: parse_money and MoneyField."""
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired

from programme.core.forms import BaseForm
from programme.core.numbers import MoneyField, parse_money


@pytest.mark.parametrize("text, expected", [
    ("1.234,56", "1234.56"),
    ("1234,56", "1234.56"),
    ("1234.56", "1234.56"),
    ("€ 1.234", "1234.00"),
    ("€1.234,-", "1234.00"),
    ("1.234.567", "1234567.00"),
    ("12.345,6", "12345.60"),
    ("0,05", "0.05"),
    ("  7  ", "7.00"),
    ("EUR 250", "250.00"),
    ("1.234 €", "1234.00"),
    ("100.000.000", "100000000.00"),
    ("0", "0.00"),
])
def test_accepts_dutch_amounts(text, expected):
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("text, message", [
    ("-5", "negatief"),
    ("€ -1.234,56", "negatief"),
    ("(12)", "negatief"),
    ("1,234", "twee cijfers"),
    ("1.234,567", "twee cijfers"),
    ("1234.567", "twee cijfers"),
    ("100.000.000,01", "onwaarschijnlijk hoog"),
    ("999999999999", "onwaarschijnlijk hoog"),
    ("", "Vul een bedrag in"),
    ("   ", "Vul een bedrag in"),
    ("twaalf", "bijvoorbeeld 1.234,56"),
    ("1.23.4", "bijvoorbeeld 1.234,56"),
    ("1.234.56", "bijvoorbeeld 1.234,56"),
    ("12 34", "bijvoorbeeld 1.234,56"),
    ("1e5", "bijvoorbeeld 1.234,56"),
    ("NaN", "bijvoorbeeld 1.234,56"),
    ("١٢٣", "bijvoorbeeld 1.234,56"),
    ("1,000.50", "bijvoorbeeld 1.234,56"),
])
def test_refuses_with_a_dutch_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_money(text)


def test_refuses_what_is_not_text():
    with pytest.raises(ValueError):
        parse_money(12.5)


class AmountForm(BaseForm):
    amount = MoneyField("Bedrag", validators=[InputRequired(message="Vul een bedrag in.")])
    optional = MoneyField("Optioneel")


def _form(app, **data):
    with app.test_request_context():
        form = AmountForm(formdata=MultiDict(data), meta={"csrf": False})
        return form, form.validate()


def test_money_field_parses_and_renders_dutch(app):
    form, valid = _form(app, amount=" € 1.234,5 ")
    assert valid and form.amount.data == Decimal("1234.50") and form.optional.data is None
    with app.test_request_context():
        fresh = AmountForm(formdata=None, meta={"csrf": False}, amount=Decimal("1234567.5"))
        assert fresh.amount._value() == "1.234.567,50"
        assert 'inputmode="decimal"' in str(fresh.amount)


def test_money_field_errors_are_dutch(app):
    form, valid = _form(app, amount="-3")
    assert not valid and form.amount.errors == ["Een bedrag kan niet negatief zijn."]
    assert form.amount._value() == "-3"  # what was typed stays in the field
    form, valid = _form(app, amount="")
    assert not valid and form.amount.errors == ["Vul een bedrag in."]
