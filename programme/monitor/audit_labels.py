"""Dutch names of the monitor's objects that other records refer to, for the audit trail."""
from programme.core.audit_labels import NUMBER, Field, describe

describe("Area", "Gebied", title=lambda area: area.name)
describe("MonitorEdition", "Monitoreditie", title=lambda edition: edition.name)
describe("MonitorIndicator", "Monitorindicator", {
    "trend_threshold": Field("Drempel voor gelijk in de ontwikkeling", NUMBER),
}, title=lambda indicator: indicator.name)
