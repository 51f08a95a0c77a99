"""Dutch names of the plan's objects (prestaties, actions, their planning) in the audit trail."""
from programme.core.audit_labels import describe

describe("Action", "Actie", {"statement": "Toelichting", "deliverable": "Prestatie"},
         title=lambda action: action.name)
describe("ActionPlanning", "Planning van een actie", {"text": "Planning"},
         title=lambda planning: planning.audit_label, load=("action",))
describe("Deliverable", "Prestatie", title=lambda deliverable: deliverable.name)
describe("Theme", "Thema", title=lambda theme: theme.name)
describe("Goal", "Doel", title=lambda goal: goal.name)
