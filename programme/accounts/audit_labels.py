"""Dutch names of the accounts' objects and fields in the audit trail (see core/audit_labels.py)."""
from programme.core.audit_labels import CHOICE, YES_NO, Field, describe
from programme.core.permissions import ROLE_LABELS

describe("User", "Gebruiker", {
    "name": "Naam",
    "role": Field("Rol", CHOICE, ROLE_LABELS),
    "body": Field("Ontvangt rapportages van", CHOICE, {"GS": "GS", "PS": "PS"}),
    "totp": Field("Tweede factor", YES_NO),
}, title=lambda user: user.name)
