"""Dutch names of budget objects and their fields in the audit trail."""
from programme.core.audit_labels import MONEY, REF, Field, describe

describe("BudgetLine", "Begrotingspost", {
    "period_id": Field("Periode", REF, ref="BudgetPeriod"),
    "funding_source_id": Field("Financieringsbron", REF, ref="FundingSource"),
    "amount": Field("Bedrag", MONEY),
    "action": "Actie",
}, title=lambda line: f"{line.period.label}, " + (f"actie {line.action.name}" if line.action
                                                  else f"initiatief {line.initiative}"),
   load=("period", "action", "initiative"))
describe("BudgetPeriod", "Begrotingsperiode", title=lambda period: period.label)
describe("FundingSource", "Financieringsbron", title=lambda source: source.name)
