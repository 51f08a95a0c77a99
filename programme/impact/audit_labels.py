"""Dutch names of impact indicators, targets and measurements and their fields in the audit trail."""
import re

from programme.core.audit_labels import DATE, NUMBER, REF, YES_NO, Field, describe, legacy_parser

describe("ImpactIndicator", "Indicator", {
    "unit": "Eenheid",
    "higher_is_better": Field("Hoger is beter", YES_NO),
    "monitor_indicator_id": Field("Monitorindicator", REF, ref="MonitorIndicator"),
    "baseline_value": Field("Nulmeting", NUMBER),
    "baseline_text": "Nulmeting (toelichting)",
    "baseline_edition_id": Field("Nulmeting uit monitor", REF, ref="MonitorEdition"),
    "baseline_area_id": Field("Nulmeting voor gebied", REF, ref="Area"),
}, title=lambda indicator: indicator.name)
describe("ImpactTarget", "Streefwaarde", {
    "target_value": Field("Streefwaarde", NUMBER),
    "target_text": "Streefwaarde (toelichting)",
}, title=lambda target: target.audit_label, load=("indicator",))
describe("ImpactMeasurement", "Meetwaarde", {
    "indicator_id": Field("Indicator", REF, ref="ImpactIndicator"),
    "value": Field("Waarde", NUMBER),
    "measured_on": Field("Meetdatum", DATE),
}, legacy=legacy_parser(re.compile(r"(?P<indicator_id>\d+)=(?P<value>\S+) op (?P<measured_on>\S+)"),
                        ids=("indicator_id",), numbers=("value",)))
