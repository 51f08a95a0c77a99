"""Forms for the manager's editing of initiatives and learning questions."""
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from programme.core.forms import BaseForm, choices
from programme.initiatives.models import LINE_LABELS, STATUS_LABELS, LearningQuestion


class IdsField(SelectMultipleField):
    """Multi-select of ids whose choices are checked in validate_ with a Dutch message
    (WTForms' own 'not a valid choice' message is English)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            self.data = [int(v) for v in valuelist]
        except ValueError:
            self.data = []
            raise ValueError("Kies alleen uit de getoonde mogelijkheden.") from None

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices or []}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError("Kies alleen uit de getoonde mogelijkheden.")


class CheckboxesField(IdsField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InitiativeForm(BaseForm):
    version = HiddenField()
    name = StringField("Naam", validators=[DataRequired("Vul de naam in."), Length(max=200)])
    status = SelectField("Status", choices=choices(STATUS_LABELS.items()))
    line = SelectField("Uitvoeringslijn", choices=choices(LINE_LABELS.items()))
    opgave = TextAreaField("Opgave", validators=[Optional(), Length(max=20000)])
    description = TextAreaField("Initiatief (beschrijving)", validators=[Optional(), Length(max=20000)])
    partners_text = TextAreaField("Partners", validators=[Optional(), Length(max=20000)])
    role_province = TextAreaField("Rol van de provincie", validators=[Optional(), Length(max=5000)])
    role_zet = TextAreaField("Rol van ZET", validators=[Optional(), Length(max=5000)])
    role_zorgbelang = TextAreaField("Rol van Zorgbelang", validators=[Optional(), Length(max=5000)])
    owners = CheckboxesField("Eigenaren (initiatiefnemers)")
    themes = CheckboxesField("Thema’s")
    areas = IdsField("Gebieden (Figuur 1)")

    def validate_version(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError("Het formulier is onvolledig; laad de pagina opnieuw.")


class LearningQuestionForm(BaseForm):
    question = TextAreaField("Leervraag", validators=[DataRequired("Vul de leervraag in."), Length(max=2000)])
    context = TextAreaField("Toelichting", validators=[Optional(), Length(max=20000)])
    status = SelectField("Status", choices=choices(LearningQuestion.STATUS_LABELS.items()))
