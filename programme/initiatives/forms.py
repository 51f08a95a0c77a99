"""Forms for the manager's editing of initiatives and learning questions."""
from wtforms import HiddenField, SelectField, SelectMultipleField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from programme.core.forms import BaseForm, choices, text_field
from programme.initiatives.models import (LINE_LABELS, ORGANISATION_KINDS, STATUS_LABELS, CrossoverTask,
                                          LearningQuestion, Organisation)
from programme.initiatives.queries import find_by_name
from programme.core.editing import VersionedForm


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
    name = text_field("Naam", 200, "Vul de naam in.")
    status = SelectField("Status", choices=choices(STATUS_LABELS.items()))
    line = SelectField("Uitvoeringslijn", choices=choices(LINE_LABELS.items()))
    opgave = text_field("Opgave", 20000, area=True)
    description = text_field("Initiatief (beschrijving)", 20000, area=True)
    partners_text = text_field("Partners (tekst)", 20000, area=True)
    role_province = text_field("Rol van de provincie", 5000, area=True)
    role_zet = text_field("Rol van ZET", 5000, area=True)
    role_zorgbelang = text_field("Rol van Zorgbelang", 5000, area=True)
    owners = CheckboxesField("Eigenaren (initiatiefnemers)")
    themes = CheckboxesField("Thema’s")
    areas = CheckboxesField("Gebieden (Figuur 1)")
    crossover_tasks = CheckboxesField("Cross-over met provinciale opgaven")
    new_crossover_task = text_field("Nieuwe cross-over-opgave", 200)
    partners = CheckboxesField("Partners (organisaties)")
    new_partner_name = text_field("Naam van de nieuwe organisatie", 300)
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
    question = text_field("Leervraag", 2000, "Vul de leervraag in.", area=True)
    context = text_field("Toelichting", 20000, area=True)
    status = SelectField("Status", choices=choices(LearningQuestion.STATUS_LABELS.items()))


class LearningQuestionEditForm(LearningQuestionForm, VersionedForm):
    """Editing an existing question carries its version (core.operations.run with Stale)."""


class ResourcesForm(BaseForm):
    """The toetsingskader: which of the monitor's resources the initiative works on."""
    resources = CheckboxesField("Hulpbronnen waaraan het initiatief werkt")
