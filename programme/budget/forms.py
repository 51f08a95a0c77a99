"""Forms for the manager's editing of budget lines."""
from wtforms import TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from programme.core.forms import BaseForm
from programme.plan.editing import IdSelectField, VersionedForm
from programme.progress.money import MoneyField


class LineFields(BaseForm):
    period_id = IdSelectField("Periode")
    funding_source_id = IdSelectField("Financieringsbron")
    amount = MoneyField("Bedrag", validators=[InputRequired("Vul een bedrag in.")])
    description = TextAreaField("Omschrijving", validators=[
        Optional(), Length(max=2000, message="Gebruik hoogstens 2000 tekens.")])

    def validate_amount(self, field):
        # Only spaces typed: the field is empty (a parse error has its own message already).
        if field.data is None and not field.errors:
            raise ValidationError("Vul een bedrag in.")


class NewLineForm(LineFields):
    pass


class LineForm(VersionedForm, LineFields):
    pass
