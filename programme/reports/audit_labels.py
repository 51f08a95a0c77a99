"""Dutch names of report builds, issued reports, recipients and schedules in the audit trail."""
from programme.core.audit_labels import CHOICE, DATE, DATETIME, HIDDEN, NUMBER, REF, YES_NO, Field, describe
from programme.reports.models import DELIVERY_STATUS_LABELS, KIND_LABELS
from programme.reports.periods import parse_period

KIND = Field("Soort rapportage", CHOICE, KIND_LABELS)

describe("ReportBuild", "Rapportage-opdracht", {
    "kind": KIND,
    "period": "Periode",
    "schedule_id": Field("Planning", REF, ref="ReportSchedule"),
    "is_provisional": Field("Voorlopige rapportage", YES_NO),
}, title=lambda build: f"{build.kind_label}, {parse_period(build.period_code).label}")
describe("IssuedReport", "Rapportage", {
    "version": Field("Versie", NUMBER),
    "data_version": Field("Gegevensversie", NUMBER),
    "build_id": Field("Opdracht", HIDDEN),
    "delivery_id": Field("Verzending", HIDDEN),
    "recipients": "Ontvangers",
    "status": Field("Verzendstatus", CHOICE, DELIVERY_STATUS_LABELS),
    "attempts": Field("Pogingen", NUMBER),
    "next_attempt_dt": Field("Volgende poging", DATETIME),
}, title=lambda report: report.title)
describe("ReportRecipient", "Ontvanger", {"kind": KIND}, title=lambda recipient: recipient.name or recipient.email)
describe("ReportSchedule", "Planning van rapportages", {
    "kind": KIND,
    "days_after_period": Field("Dagen na einde periode", NUMBER),
    "hour": Field("Uur", NUMBER),
    "starts_on": Field("Vanaf", DATE),
}, title=lambda schedule: schedule.name)
