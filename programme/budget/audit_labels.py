"""Dutch names of budget objects and their fields in the audit trail."""
from programme.core.audit_labels import MONEY, REF, TEXT, Field, describe

describe("BudgetLine", "Begrotingspost", {
    "period_id": Field("Periode", REF, ref="BudgetYears"),
    "funding_source_id": Field("Financieringsbron", REF, ref="FundingSource"),
    "amount": Field("Bedrag", MONEY),
    "action": "Actie",
    "deliverable_id": Field("Prestatie", REF, ref="Deliverable"),
    "deliverable_action_id": Field("Actie van de prestatie", REF, ref="Action"),
}, title=lambda line: f"{line.period.label}, " + (f"actie {line.action.name}" if line.action
                                                  else f"initiatief {line.initiative}"),
   load=("period", "action", "initiative"))
describe("BudgetYears", "Begrotingsperiode", {
    "label": "Naam", "first_year": Field("Eerste jaar", TEXT), "last_year": Field("Laatste jaar", TEXT),
}, title=lambda period: period.label)
describe("Allocation", "Toewijzing aan een prestatie", {"amount": Field("Bedrag", MONEY)},
         title=lambda a: f"{a.funding_source.name} voor {a.deliverable.name}, {a.period.label}",
         load=("funding_source", "deliverable", "period"))
describe("FundingSource", "Financieringsbron", title=lambda source: source.name)
