"""Forms for the manager's editing of budget lines."""
from wtforms import IntegerField, TextAreaField, ValidationError
from wtforms.widgets import TextInput
from wtforms.validators import InputRequired, Length, Optional

from programme.core.forms import BaseForm, InRange
from programme.core.editing import IdSelectField, VersionedForm
from programme.core.numbers import MoneyField


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


class InitiativeLineFields(LineFields):
    """An initiative's line can be tied to a prestatie (and one of its actions) so it rolls up."""
    deliverable_id = IdSelectField("Prestatie")
    deliverable_action_id = IdSelectField("Actie van de prestatie")


class NewLineForm(LineFields):
    pass


class LineForm(VersionedForm, LineFields):
    pass


class NewInitiativeLineForm(InitiativeLineFields):
    pass


class InitiativeLineForm(VersionedForm, InitiativeLineFields):
    pass


FIRST_YEAR, LAST_YEAR = 2017, 2040
YEAR_RANGE = InRange(FIRST_YEAR, LAST_YEAR, f"Kies een jaar van {FIRST_YEAR} tot en met {LAST_YEAR}.")


class YearField(IntegerField):
    """A year of the programme as four digits, with Dutch messages."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if text:
            if not (text.isascii() and text.isdigit() and len(text) == 4):
                raise ValueError("Vul een jaartal van vier cijfers in, bijvoorbeeld 2020.")
            self.data = int(text)


class PeriodForm(BaseForm):
    first_year = YearField("Eerste jaar", validators=[InputRequired("Vul het eerste jaar in."), YEAR_RANGE],
                           render_kw={"inputmode": "numeric"})
    last_year = YearField("Laatste jaar", validators=[Optional(), YEAR_RANGE], render_kw={"inputmode": "numeric"})

    def validate_last_year(self, field):
        if field.data is None or self.first_year.data is None:
            return
        if field.data < self.first_year.data:
            raise ValidationError("Het laatste jaar kan niet voor het eerste jaar liggen.")


def allocation_form(sources, deliverables) -> type[BaseForm]:
    """One optional amount per funding source (ZET, Zorgbelang) and prestatie: field a_<source>_<prestatie>."""
    fields = {f"a_{source.id}_{deliverable.id}": MoneyField(deliverable.name)
              for source in sources for deliverable in deliverables}
    return type("AllocationForm", (BaseForm,), fields)
