"""Forms for the manager's editing of initiatives and learning questions."""
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from programme.core.forms import BaseForm, choices
from programme.initiatives.models import (LINE_LABELS, ORGANISATION_KINDS, STATUS_LABELS, CrossoverTask,
                                          LearningQuestion, Organisation)
from programme.initiatives.operations import find_by_name
from programme.plan.editing import VersionedForm


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
    partners_text = TextAreaField("Partners (tekst)", validators=[Optional(), Length(max=20000)])
    role_province = TextAreaField("Rol van de provincie", validators=[Optional(), Length(max=5000)])
    role_zet = TextAreaField("Rol van ZET", validators=[Optional(), Length(max=5000)])
    role_zorgbelang = TextAreaField("Rol van Zorgbelang", validators=[Optional(), Length(max=5000)])
    owners = CheckboxesField("Eigenaren (initiatiefnemers)")
    themes = CheckboxesField("Thema’s")
    areas = CheckboxesField("Gebieden (Figuur 1)")
    crossover_tasks = CheckboxesField("Cross-over met provinciale opgaven")
    new_crossover_task = StringField("Nieuwe cross-over-opgave", validators=[Optional(), Length(max=200)])
    partners = CheckboxesField("Partners (organisaties)")
    new_partner_name = StringField("Naam van de nieuwe organisatie", validators=[Optional(), Length(max=300)])
    new_partner_kind = SelectField("Soort organisatie",
                                   choices=choices([("", "Kies een soort"), *ORGANISATION_KINDS.items()]),
                                   validate_choice=False)

    def validate_version(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError("Het formulier is onvolledig; laad de pagina opnieuw.")

    def validate_new_crossover_task(self, field):
        if field.data and find_by_name(CrossoverTask, field.data) is not None:
            raise ValidationError(f"De cross-over-opgave ‘{field.data}’ bestaat al; vink haar aan in de lijst.")

    def validate_new_partner_name(self, field):
        if not field.data:
            return
        if find_by_name(Organisation, field.data) is not None:
            raise ValidationError(f"De organisatie ‘{field.data}’ bestaat al; vink haar aan in de lijst.")

    def validate_new_partner_kind(self, field):
        if field.data and field.data not in ORGANISATION_KINDS:
            raise ValidationError("Kies een soort uit de lijst.")
        if self.new_partner_name.data and not field.data:
            raise ValidationError("Kies de soort van de nieuwe organisatie.")
        if field.data and not self.new_partner_name.data:
            raise ValidationError("Vul de naam van de nieuwe organisatie in, of kies bij soort ‘Kies een soort’.")

    @property
    def new_partner(self) -> tuple[str, str] | None:
        return (self.new_partner_name.data, self.new_partner_kind.data) if self.new_partner_name.data else None


class LearningQuestionForm(BaseForm):
    question = TextAreaField("Leervraag", validators=[DataRequired("Vul de leervraag in."), Length(max=2000)])
    context = TextAreaField("Toelichting", validators=[Optional(), Length(max=20000)])
    status = SelectField("Status", choices=choices(LearningQuestion.STATUS_LABELS.items()))


class LearningQuestionEditForm(LearningQuestionForm, VersionedForm):
    """Editing an existing question carries its version (plan.editing.save_with_lock)."""
