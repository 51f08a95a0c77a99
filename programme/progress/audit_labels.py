"""Dutch names of progress objects and actions for the audit trail.

Rounds, updates, what an update holds and the progress actions. The item parsers read the one-line
texts that entries written before the items were recorded field by field hold (e.g.
'indicator 3 = 66.0000 op 2026-03-04 (bron: -)')."""
import re

from programme.core.audit_labels import (CHOICE, DATE, DATETIME, HIDDEN, ITEMS, MONEY, NUMBER, REF, YES_NO,
                                         Field, describe, legacy_parser)
from programme.progress.forms import LIST_LABELS, TEXT_LABELS
from programme.progress.models import LEVEL_LABELS, PERIOD_KIND_LABELS, ProgressUpdate

# The progress actions (`<object_type_snake>.<verb>`), on the audit pages.
ACTION_LABELS = {
    "progress_round.create": "Periode toegevoegd",
    "progress_round.close": "Periode gesloten",
    "progress_round.reopen": "Periode heropend",
    "progress_update.create": "Voortgangsbericht begonnen",
    "progress_update.update": "Voortgangsbericht gewijzigd",
    "progress_update.submit": "Voortgangsbericht ingediend",
    "progress_update.return": "Voortgangsbericht teruggestuurd",
    "progress_update.approve": "Voortgangsbericht goedgekeurd",
    "progress_update.correct": "Correctie begonnen",
    "progress_update.add_evidence": "Bewijsstuk toegevoegd",
    "progress_update.remove_evidence": "Bewijsstuk verwijderd",
}
# The same actions in an update's own history table (the update page), shorter.
HISTORY_LABELS = {
    "progress_update.create": "Aangemaakt",
    "progress_update.update": "Gewijzigd",
    "progress_update.submit": "Ingediend",
    "progress_update.return": "Teruggestuurd",
    "progress_update.approve": "Goedgekeurd",
    "progress_update.correct": "Correctie gestart",
    "progress_update.add_evidence": "Bewijsstuk toegevoegd",
    "progress_update.remove_evidence": "Bewijsstuk verwijderd",
}

ROUND_FIELDS = {
    "code": "Code",
    "label": "Naam",
    "starts_on": Field("Begint op", DATE),
    "ends_on": Field("Eindigt op", DATE),
    "kind": Field("Soort periode", CHOICE, PERIOD_KIND_LABELS),
    "is_open": Field("Open voor berichten", YES_NO),
    "closed_by_id": Field("Gesloten door", REF, ref="User"),
    "closed_dt": Field("Gesloten op", DATETIME),
}
describe("ProgressRound", "Rapportageperiode", ROUND_FIELDS, title=lambda period: period.label)

describe("ProgressUpdate", "Voortgangsbericht", {
    **TEXT_LABELS,
    "traffic_light": Field(TEXT_LABELS["traffic_light"], CHOICE, ProgressUpdate.TRAFFIC_LIGHT_LABELS),
    "status": Field("Status", CHOICE, ProgressUpdate.STATUS_LABELS),
    "revision": Field("Versie", NUMBER),
    "previous_revision_id": Field("Correctie van", REF, ref="ProgressUpdate"),
    "lessons": Field(LIST_LABELS["lessons"], ITEMS, ref="Lesson"),
    "risks": Field(LIST_LABELS["risks"], ITEMS, ref="Risk"),
    "indicator_values": Field(LIST_LABELS["indicator_values"], ITEMS, ref="IndicatorValue"),
    "spending": Field(LIST_LABELS["spending"], ITEMS, ref="Spending"),
    "observations": Field(LIST_LABELS["observations"], ITEMS, ref="Observation"),
    "measurements": Field("Vastgelegde meetwaarden", NUMBER),
    "replaced_measurements": Field("Vervangen meetwaarden", ITEMS, ref="ImpactMeasurement"),
    "evidence_id": Field("Bewijsstuk", HIDDEN),
    "name": "Bewijsstuk",
    "size": Field("Grootte in bytes", NUMBER),
}, title=lambda update: f"{update.initiative.number} over {update.period.label} (versie {update.revision})",
   load=("initiative", "period"))

describe("Lesson", "Les", {
    "learning_question_id": Field("Leervraag", REF, ref="LearningQuestion"),
    "text": "Les",
}, legacy=legacy_parser(re.compile(r"leervraag (?P<learning_question_id>\d+|-): (?P<text>.*)", re.S),
                        ids=("learning_question_id",)))
describe("Risk", "Risico", {
    "description": "Risico",
    "likelihood": Field("Kans", CHOICE, LEVEL_LABELS),
    "impact": Field("Impact", CHOICE, LEVEL_LABELS),
    "measure": "Maatregel",
}, legacy=legacy_parser(re.compile(
    r"(?P<description>.*) \(kans (?P<likelihood>\w+), impact (?P<impact>\w+)\); maatregel: (?P<measure>.*)", re.S)))
describe("IndicatorValue", "Indicatorwaarde", {
    "impact_indicator_id": Field("Indicator", REF, ref="ImpactIndicator"),
    "value": Field("Waarde", NUMBER),
    "measured_on": Field("Meetdatum", DATE),
    "source": "Bron",
    "note": "Notitie",
}, legacy=legacy_parser(re.compile(r"indicator (?P<impact_indicator_id>\d+) = (?P<value>\S+) op "
                                   r"(?P<measured_on>\S+) \(bron: (?P<source>.*)\)", re.S),
                        ids=("impact_indicator_id",), numbers=("value",)))
describe("Spending", "Besteding", {
    "budget_line_id": Field("Begrotingspost", REF, ref="BudgetLine"),
    "committed": Field("Verplicht", MONEY),
    "spent": Field("Besteed", MONEY),
}, legacy=legacy_parser(re.compile(r"post (?P<budget_line_id>\d+): verplicht (?P<committed>\S+), "
                                   r"besteed (?P<spent>\S+)"),
                        ids=("budget_line_id",), numbers=("committed", "spent")))
describe("Observation", "Waarneming bij de monitor", {
    "monitor_indicator_id": Field("Hulpbron", REF, ref="MonitorIndicator"),
    "area_id": Field("Gebied", REF, ref="Area"),
    "text": "Waarneming",
})
