"""Forms for the manager's editing of actions and their planning per period."""
from wtforms.validators import Optional

from programme.core.forms import BaseForm, InRange, text_field
from programme.core.editing import PositionField, VersionedForm, period_field


class ActionFields(BaseForm):
    name = text_field("Naam van de actie", 300, "Vul de naam van de actie in.")
    statement = text_field("Actie (de zin uit de Uitvoeringsagenda)", 5000, area=True)
    position = PositionField("Volgorde binnen de prestatie", validators=[
        Optional(), InRange(0, 999, "Vul een geheel getal van 0 tot en met 999 in.")])


class NewActionForm(ActionFields):
    pass


class ActionForm(VersionedForm, ActionFields):
    pass


class PlanningFields(BaseForm):
    period_label = period_field()
    text = text_field("Planning", 5000, "Vul de planning in.", area=True)


class NewPlanningForm(PlanningFields):
    pass


class PlanningForm(VersionedForm, PlanningFields):
    pass
