"""Sign-in forms (password, code) and the manager's account forms."""
from wtforms import EmailField, PasswordField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, Length

from programme.accounts.queries import find_user
from programme.accounts.passwords import password_problems
from programme.core.forms import BaseForm, choices, email_field, text_field, too_long
from programme.core.permissions import READER, ROLE_LABELS
from programme.core.editing import VersionedForm


class LoginForm(BaseForm):
    email = EmailField("E-mailadres", validators=[DataRequired("Vul uw e-mailadres in."),
                                                  Length(max=254, message=too_long(254))],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in."),
                                                       Length(max=256, message=too_long(256))],
                             render_kw={"autocomplete": "current-password"})


class CodeForm(BaseForm):
    """The six-digit code from an authenticator app (sign-in step two, turning TOTP on or off)."""
    code = StringField("Code", validators=[DataRequired("Vul de code uit uw app in."),
                                           Length(max=12, message=too_long(12))],
                       description="De zes cijfers die uw authenticator-app nu toont.",
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                  "spellcheck": "false", "autocapitalize": "off", "maxlength": 12})


BODY_CHOICES = [("", "Geen (alleen voor lezers)"), ("GS", "Gedeputeerde Staten (GS)"),
                ("PS", "Provinciale Staten (PS)")]


class _AccountFields(BaseForm):
    name = text_field("Naam", 200, "Vul de naam in.")
    role = SelectField("Rol", choices=choices(ROLE_LABELS.items()),
                       validators=[DataRequired("Kies een rol.")])
    body = SelectField("GS of PS", choices=choices(BODY_CHOICES),
                       description="Alleen voor lezers: welke rapportages zij krijgen.")

    def validate_body(self, field):
        if self.role.data == READER and not field.data:
            raise ValidationError("Kies voor een lezer GS of PS.")
        if self.role.data != READER and field.data:
            raise ValidationError("GS of PS geldt alleen voor lezers; kies ‘Geen’.")


class UserCreateForm(_AccountFields):
    email = email_field("E-mailadres", render_kw={})
    password = PasswordField("Eerste wachtwoord", validators=[DataRequired("Vul een eerste wachtwoord in."),
                                                             Length(max=256, message=too_long(256))],
                             description="Minimaal 12 tekens; geen veelgebruikte wachtwoorden en geen "
                                         "woorden uit de naam, het e-mailadres of de programmanaam.",
                             render_kw={"autocomplete": "new-password"})

    def validate_email(self, field):
        if find_user(field.data or ""):
            raise ValidationError("Er bestaat al een account met dit e-mailadres.")

    def validate_password(self, field):
        problems = password_problems(field.data or "", name=self.name.data or "", email=self.email.data or "")
        if problems:
            raise ValidationError(" ".join(problems))


class UserEditForm(_AccountFields, VersionedForm):
    """Carries the account's version: a save over someone else's is refused (core.operations.run with Stale)."""
