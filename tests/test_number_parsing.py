"""'1.234' means one thousand two hundred and thirty-four wherever a number or an amount is typed: one
parser (programme/core/numbers.py) behind every number field of every form, checked per form, and
over HTTP for the two places that once disagreed (a progress update's indicator value and an
indicator's baseline)."""
import importlib
import inspect
import pkgutil
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, FormField
from wtforms.fields.core import UnboundField

import programme
from programme.core.extensions import db as _db
from programme.core.numbers import MoneyField, NumberField, parse_money, parse_number
from programme.impact.models import ImpactIndicator
from programme.progress.models import ProgressUpdate
from tests.editing_helpers import form_data
from tests.progress_helpers import client_for, edit_data, new_draft

pytest_plugins = ["tests.progress_helpers"]  # the ids and ctx fixtures

NUMBER_FIELDS = (NumberField, MoneyField)


# ---------------------------------------------------------------- the parser

@pytest.mark.parametrize(("typed", "number"), [
    ("1.234", "1234"), ("1.234,5", "1234.5"), ("12,5", "12.5"), ("12.5", "12.5"), ("1.234.567", "1234567"),
    ("-3", "-3"), (" 1 234 ", "1234"), ("0,0001", "0.0001"),
])
def test_parse_number_reads_dutch_numbers(typed, number):
    assert parse_number(typed) == Decimal(number)


@pytest.mark.parametrize(("typed", "amount"), [
    ("1.234", "1234.00"), ("€ 1.234,56", "1234.56"), ("1.250,-", "1250.00"), ("1234.56", "1234.56"),
    ("EUR 12", "12.00"),
])
def test_parse_money_reads_the_same_grammar(typed, amount):
    assert parse_money(typed) == Decimal(amount)


@pytest.mark.parametrize(("typed", "message"), [
    ("twaalf", "Vul een getal in"), ("1,23456", "hoogstens vier cijfers"), ("1" * 12, "te groot"),
    ("1,2,3", "Vul een getal in"),
])
def test_parse_number_refuses_in_dutch(typed, message):
    with pytest.raises(ValueError, match=message):
        parse_number(typed)


def test_a_number_and_an_amount_agree_on_every_shared_spelling():
    for typed in ("1.234", "1.234,5", "12,5", "12.5", "1.234.567,89", "0,5"):
        assert parse_money(typed) == parse_number(typed).quantize(Decimal("0.01")), typed


# ---------------------------------------------------------------- every form with a number field

def _form_modules():
    root = Path(programme.__path__[0])
    for module in pkgutil.iter_modules(programme.__path__):
        if module.ispkg and (root / module.name / "forms.py").exists():
            yield importlib.import_module(f"programme.{module.name}.forms")


def _number_fields(cls, prefix="") -> list[str]:
    """The names (as posted) of the number and money fields of a form class, sub-forms included."""
    names = []
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        if issubclass(unbound.field_class, NUMBER_FIELDS):
            names.append(prefix + name)
        elif issubclass(unbound.field_class, FormField):
            names += _number_fields(unbound.args[0], f"{prefix}{name}-")
    return names


def _forms_with_numbers() -> list[type]:
    from programme.budget.forms import allocation_form
    from programme.progress.forms import update_form_class

    found = {cls for module in _form_modules() for _, cls in inspect.getmembers(module, inspect.isclass)
             if issubclass(cls, Form) and cls.__module__ == module.__name__ and _number_fields(cls)}
    return sorted(found, key=lambda c: (c.__module__, c.__name__)) + [
        update_form_class(0, 0, 1, 1),
        allocation_form([SimpleNamespace(id=1, name="Provincie")], [SimpleNamespace(id=2, name="Prestatie")])]


def _field_names(cls) -> list[str]:
    names = _number_fields(cls)
    # The forms built per update or per table: their rows are FieldLists of sub-forms.
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        if isinstance(unbound, UnboundField) and unbound.field_class.__name__ == "FieldList":
            inner = unbound.args[0]
            if isinstance(inner, UnboundField) and issubclass(inner.field_class, FormField):
                names += _number_fields(inner.args[0], f"{name}-0-")
    return names


FORMS = _forms_with_numbers()


def test_the_sweep_finds_the_forms_people_type_numbers_in():
    names = {cls.__name__ for cls in FORMS}
    assert {"IndicatorForm", "TargetForm", "LineForm"} <= names, names
    assert any(_field_names(cls) and "indicator_values-0-value" in _field_names(cls) for cls in FORMS)
    assert any("spending-0-spent" in _field_names(cls) for cls in FORMS)


@pytest.mark.parametrize("cls", FORMS, ids=lambda c: f"{c.__module__.split('.')[1]}.{c.__name__}")
def test_every_number_field_of_every_form_reads_1_234_as_one_thousand(app, cls):
    names = _field_names(cls)
    assert names, f"{cls.__name__} has no number field"
    with app.test_request_context(method="POST"):
        form = cls(formdata=MultiDict({name: "1.234" for name in names}), meta={"csrf": False})
        for name in names:
            field = form
            for part in name.split("-"):
                field = field[int(part)] if part.isdigit() else (
                    field.form[part] if hasattr(field, "form") else field[part])
            assert field.data == Decimal("1234"), f"{cls.__name__}.{name}: {field.data!r}"


# ---------------------------------------------------------------- over HTTP

def test_an_indicator_value_of_1_234_in_an_update_is_stored_as_1234(app, ids, ctx):
    update_id = new_draft(ctx, ids)
    client = client_for(app, "owner")
    response = client.post(f"/voortgang/{update_id}/bewerken",
                           data=edit_data(client, update_id, ids, **{"indicator_values-0-value": "1.234"}))
    assert response.status_code == 302
    with app.app_context():
        update = _db.session.get(ProgressUpdate, update_id)
        assert [v.value for v in update.indicator_values] == [Decimal("1234")]
    assert "1.234" in client.get(f"/voortgang/{update_id}").get_data(as_text=True)


def test_an_indicator_baseline_of_1_234_is_stored_as_1234(app, ids):
    client = client_for(app, "manager")
    page = client.get(f"/indicatoren/{ids.indicator}/bewerken")
    assert page.status_code == 200 and 'name="baseline_value"' in page.get_data(as_text=True)
    response = client.post(f"/indicatoren/{ids.indicator}/bewerken", data=form_data(page, baseline_value="1.234"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        assert _db.session.get(ImpactIndicator, ids.indicator).baseline_value == Decimal("1234")
    assert 'value="1.234"' in client.get(f"/indicatoren/{ids.indicator}/bewerken").get_data(as_text=True)
