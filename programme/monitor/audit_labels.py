"""Dutch names of the monitor's objects that other records refer to, for the audit trail."""
from programme.core.audit_labels import NUMBER, YES_NO, CHOICE, Field, describe
from programme.monitor.models import EDITION_STATUSES, RESOURCE_LABELS

describe("Area", "Gebied", title=lambda area: area.name)
describe("MonitorEdition", "Monitoreditie", {
    "year": Field("Jaar", NUMBER), "status": Field("Status", CHOICE, choices=EDITION_STATUSES),
    "is_example": Field("Voorbeeld, geen echte meting", YES_NO),
}, title=lambda edition: edition.label)
describe("MonitorIndicator", "Monitorindicator", {
    "code": "Code", "resource": Field("Soort hulpbron", CHOICE, choices=RESOURCE_LABELS), "unit": "Eenheid",
    "higher_is_better": Field("Hoger is beter", YES_NO), "correlation": Field("Correlatie met veerkracht", NUMBER),
    "minimum": Field("Minimum", NUMBER), "maximum": Field("Maximum", NUMBER),
    "trend_threshold": Field("Drempel voor gelijk in de ontwikkeling", NUMBER),
}, title=lambda indicator: indicator.name)
describe("MonitorImport", "Import van monitorwaarden", {
    "edition": Field("Editie", NUMBER), "file_name": "Bestand", "added": Field("Toegevoegd", NUMBER),
    "changed": Field("Gewijzigd", NUMBER), "unchanged": Field("Ongewijzigd", NUMBER),
    "refused": Field("Geweigerd en overgeslagen", NUMBER), "only_valid": Field("Alleen geldige waarden", YES_NO),
}, title=lambda record: f"{record.file_name} in {record.edition.label}", load=("edition",))
describe("MonitorValue", "Monitorwaarde", {"value": Field("Waarde", NUMBER), "source": "Bron"},
         title=lambda value: f"{value.indicator.code}, {value.area.name}, {value.edition.year}",
         load=("indicator", "area", "edition"))

ACTION_LABELS = {
    "monitor_edition.create": "Monitoreditie aangemaakt",
    "monitor_edition.publish": "Monitoreditie gepubliceerd",
    "monitor_edition.withdraw": "Monitoreditie ingetrokken",
    "monitor_import.confirm": "Monitorwaarden geïmporteerd",
    "monitor_value.change": "Monitorwaarde gewijzigd",
    "monitor_indicator.create": "Monitorindicator toegevoegd",
}
