"""Base form: strips surrounding whitespace from every text field."""
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
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
