"""Dutch names of report builds, issued reports, recipients and schedules, and their actions, in the audit trail."""
from programme.core.audit_labels import CHOICE, DATE, DATETIME, HIDDEN, NUMBER, REF, YES_NO, Field, describe
from programme.reports.models import DELIVERY_STATUS_LABELS
from programme.reports.kinds import KIND_LABELS
from programme.reports.spans import parse_span

KIND = Field("Soort rapportage", CHOICE, KIND_LABELS)

describe("ReportBuild", "Rapportage-opdracht", {
    "kind": KIND,
    "period": "Periode",
    "schedule_id": Field("Planning", REF, ref="ReportSchedule"),
    "is_provisional": Field("Voorlopige rapportage", YES_NO),
}, title=lambda build: f"{build.kind_label}, {parse_span(build.period_code).label}")
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

# Each action by its name (`<object>.<verb>`).
ACTION_LABELS = {
    "report.request": "Rapportage aangevraagd",
    "report.retry": "Rapportage opnieuw aangevraagd",
    "report.requeue": "Rapportage opnieuw in de wachtrij gezet",
    "report.issue": "Rapportage uitgegeven",
    "report.fail": "Rapportage mislukt",
    "report_delivery.queue": "Verzending klaargezet",
    "report_delivery.send": "Rapportage verzonden",
    "report_delivery.retry": "Verzending mislukt, wordt opnieuw geprobeerd",
    "report_delivery.fail": "Verzending definitief mislukt",
    "report_delivery.resend": "Verzending opnieuw gestart",
    "report_mail.test": "Testmail verstuurd",
    "report_schedule.create": "Planning toegevoegd",
    "report_schedule.update": "Planning gewijzigd",
    "report_schedule.deactivate": "Planning gestopt",
    "report_schedule.activate": "Planning aangezet",
    "report_recipient.add": "Ontvanger toegevoegd",
    "report_recipient.activate": "Ontvanger hervat",
    "report_recipient.pause": "Ontvanger gepauzeerd",
    "report_recipient.remove": "Ontvanger verwijderd",
}
