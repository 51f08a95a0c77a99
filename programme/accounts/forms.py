"""Sign-in form."""
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from programme.core.forms import BaseForm


class LoginForm(BaseForm):
    email = EmailField("E-mailadres", validators=[DataRequired("Vul uw e-mailadres in."), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in."), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
