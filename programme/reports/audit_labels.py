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

# Each action once by its name (`<object>.<verb>`), and by its name before issue 9 for the entries
# stored then (until a data migration renames them): OLD_ACTIONS maps old to new.
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
OLD_ACTIONS = {
    "report_requested": "report.request",
    "report_retried": "report.retry",
    "report_requeued": "report.requeue",
    "report_issued": "report.issue",
    "report_failed": "report.fail",
    "report_delivery_queued": "report_delivery.queue",
    "report_delivered": "report_delivery.send",
    "report_delivery_retry": "report_delivery.retry",
    "report_delivery_failed": "report_delivery.fail",
    "report_delivery_resend": "report_delivery.resend",
    "report_test_mail": "report_mail.test",
    "report_schedule_created": "report_schedule.create",
    "report_schedule_updated": "report_schedule.update",
    "report_schedule_deactivated": "report_schedule.deactivate",
    "report_schedule_activated": "report_schedule.activate",
    "report_recipient_added": "report_recipient.add",
    "report_recipient_activated": "report_recipient.activate",
    "report_recipient_deactivated": "report_recipient.pause",
    "report_recipient_paused": "report_recipient.pause",
    "report_recipient_removed": "report_recipient.remove",
}
ACTION_LABELS.update({old: ACTION_LABELS[new] for old, new in OLD_ACTIONS.items()})
