"""Forms for the manager's editing of actions and their planning per period."""
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from programme.core.forms import BaseForm, InRange
from programme.core.editing import PERIOD_HINT, PositionField, VersionedForm, validate_period


class ActionFields(BaseForm):
    name = StringField("Naam van de actie", validators=[DataRequired("Vul de naam van de actie in."),
                                                         Length(max=300, message="Gebruik hoogstens 300 tekens.")])
    statement = TextAreaField("Actie (de zin uit de Uitvoeringsagenda)",
                              validators=[Optional(), Length(max=5000, message="Gebruik hoogstens 5000 tekens.")])
    position = PositionField("Volgorde binnen de prestatie", validators=[
        Optional(), InRange(0, 999, "Vul een geheel getal van 0 tot en met 999 in.")])


class NewActionForm(ActionFields):
    pass


class ActionForm(VersionedForm, ActionFields):
    pass


class PlanningFields(BaseForm):
    period_label = StringField("Periode", description=PERIOD_HINT,
                               validators=[DataRequired("Vul de periode in."),
                                           Length(max=20, message="Gebruik hoogstens 20 tekens."), validate_period])
    text = TextAreaField("Planning", validators=[DataRequired("Vul de planning in."),
                                                 Length(max=5000, message="Gebruik hoogstens 5000 tekens.")])


class NewPlanningForm(PlanningFields):
    pass


class PlanningForm(VersionedForm, PlanningFields):
    pass
