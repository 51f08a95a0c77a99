"""Server-side limits on every input, form class by form class (issue 11, finding 7).

Every form class in programme/*/forms.py speaks Dutch and declares a limit for each field, and each
field refuses values that are empty, too long, implausible or of the wrong type with a Dutch message.
The same sweep over HTTP is in test_input_limits_http.py.
"""
import importlib
import inspect
import pkgutil
from datetime import date
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField, IntegerField,
                     PasswordField, SelectFieldBase, StringField)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

import programme
from programme.core.forms import DutchMeta
from programme.progress.forms import update_form_class
from tests.dutch_messages import assert_dutch


# ---------------------------------------------------------------- every form class

def _form_modules():
    for module in pkgutil.iter_modules(programme.__path__):
        if module.ispkg and (Path(programme.__path__[0]) / module.name / "forms.py").exists():
            yield importlib.import_module(f"programme.{module.name}.forms")


def _unbound(cls) -> dict[str, UnboundField]:
    return {name: value for name in dir(cls) if isinstance(value := getattr(cls, name, None), UnboundField)}


def _form_classes() -> list[type]:
    found = {cls for module in _form_modules() for _, cls in inspect.getmembers(module, inspect.isclass)
             if issubclass(cls, Form) and cls.__module__ == module.__name__}
    assert len(found) > 30
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


FORM_CLASSES = _form_classes()


def _validators(unbound: UnboundField) -> list:
    return list(unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else []) or [])


def _is_text(field_class) -> bool:
    return (issubclass(field_class, StringField) and not issubclass(field_class, (HiddenField, SelectFieldBase))
            and field_class.__name__ != "DecimalText") or issubclass(field_class, PasswordField)


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda c: f"{c.__module__.split('.')[1]}.{c.__name__}")
def test_every_form_speaks_dutch_and_declares_its_limits(cls):
    """The form's Meta takes WTForms' Dutch translations; every text field has a length limit with a
    Dutch message, every date a plausible range, every whole number a range, every e-mail a real check."""
    # The Meta WTForms composes from every Meta along the class's bases, in their order.
    meta = type("Meta", tuple(k.__dict__["Meta"] for k in cls.__mro__ if "Meta" in k.__dict__), {})
    assert meta.get_translations is DutchMeta.get_translations, f"{cls.__name__} does not speak Dutch"
    assert meta.locales[0] == "nl_NL" and meta.cache_translations
    for name, unbound in _unbound(cls).items():
        validators, where = _validators(unbound), f"{cls.__name__}.{name}"
        field_class = unbound.field_class
        if _is_text(field_class):
            lengths = [v for v in validators if isinstance(v, Length) and v.max and v.max > 0]
            assert lengths, f"{where} has no length limit"
            assert all(v.message and "tekens" in v.message for v in lengths), f"{where}: English length message"
        if issubclass(field_class, DateField):
            assert any(getattr(v, "first", None) for v in validators), f"{where} accepts any date"
        if issubclass(field_class, IntegerField):
            assert any(isinstance(v, NumberRange) for v in validators), f"{where} has no range"
        if name in ("email", "to") and cls.__name__ != "LoginForm":  # signing in only looks the address up
            assert any(isinstance(v, Email) for v in validators), f"{where} is no real e-mail check"
        for v in validators:
            if isinstance(v, (DataRequired, InputRequired)):
                assert v.message, f"{where}: the required message is WTForms' English one"


# ---------------------------------------------------------------- every field of every form, validated

def _instances(app):
    """Each form class, bound to its request, with what its constructor needs."""
    for cls in FORM_CLASSES:
        if cls.__name__ == "AskReportForm":
            yield cls, {"today": date(2026, 12, 2)}
        elif cls.__name__ == "UpdateForm":
            yield update_form_class(1, 1, 1, 1), {}
        elif not issubclass(cls, Form) or cls.__name__ in ("SubForm",):
            continue
        else:
            yield cls, {}


def _bad_values(name: str, field) -> list[tuple[str, str]]:
    """(case, value) that this field must refuse."""
    cases = []
    if _is_text(type(field)):
        limit = min(v.max for v in field.validators if isinstance(v, Length) and v.max and v.max > 0)
        cases.append(("too long", "x" * (limit + 1)))
    if isinstance(field, DateField):
        cases += [("implausible", "9999-12-31"), ("implausible", "2099-01-01"), ("implausible", "2015-12-31"),
                  ("wrong type", "31-12-2026"), ("wrong type", "morgen")]
    if isinstance(field, IntegerField):
        cases += [("wrong type", "veel"), ("implausible", "99999999")]
    if type(field).__name__ in ("MoneyField", "NumberField", "DecimalText", "YearField"):
        cases += [("wrong type", "abc"), ("implausible", "1" * 20)]
    if any(isinstance(v, Email) for v in field.validators):
        cases += [("wrong type", "<a@x.nl>"), ("wrong type", "a@x"), ("wrong type", "a b@x.nl")]
    if isinstance(field, SelectFieldBase) and getattr(field, "validate_choice", False):
        cases.append(("wrong type", "zzz-geen-keuze"))
    if any(isinstance(v, (DataRequired, InputRequired)) for v in field.validators) and not isinstance(
            field, (FileField, BooleanField)):
        cases.append(("empty", ""))
    return cases


def _leaves(form):
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from _leaves(entry.form)
        elif isinstance(field, FormField):
            yield from _leaves(field.form)
        elif not isinstance(field, HiddenField) and field.name != "csrf_token":
            yield field


def test_every_field_refuses_bad_values_in_dutch(app):
    """Field by field: each bad value gives that field an error, in Dutch; no English anywhere."""
    checked = 0
    with app.test_request_context(method="POST"):
        for cls, kwargs in _instances(app):
            fields = [(f.name, f) for f in _leaves(cls(formdata=None, meta={"csrf": False}, **kwargs))]
            for name, field in fields:
                for case, value in _bad_values(name, field):
                    form = cls(formdata=MultiDict({name: value}), meta={"csrf": False}, **kwargs)
                    for select_field in _leaves(form):  # choices the view fills in: none offered here
                        if isinstance(select_field, SelectFieldBase) and select_field.choices is None:
                            select_field.choices = []
                    form.validate()
                    bound = next(f for f in _leaves(form) if f.name == name)
                    where = f"{cls.__name__}.{name} {case} {value[:20]!r}"
                    assert bound.errors, f"{where} was accepted"
                    for message in bound.errors:
                        assert_dutch(str(message), where)
                    checked += 1
    assert checked > 150


def test_wtforms_falls_back_to_dutch():
    """What a field does not say itself, WTForms says in Dutch (its nl catalogue, through DutchMeta)."""
    from programme.core.forms import BaseForm, choices
    from wtforms import SelectField

    class Probe(BaseForm):
        choice = SelectField(choices=choices([("a", "A")]))
        whole = IntegerField()

    from flask import Flask
    probe_app = Flask(__name__)
    probe_app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    with probe_app.test_request_context(method="POST", data={"choice": "b", "whole": "x"}):
        form = Probe()
        assert not form.validate()
        messages = [m for errors in form.errors.values() for m in errors]
        assert len(messages) == 2
        for message in messages:
            assert_dutch(message, "fallback")
