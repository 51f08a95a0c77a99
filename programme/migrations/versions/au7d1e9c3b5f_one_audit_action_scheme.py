"""audit entries use one naming scheme, <object_type>.<verb>, and the renamed model classes

Stored entries written under the old names get the new ones, so that the audit pages, the filters
and the CSV export know one vocabulary. Only the names change: who, when, what and the values stay.

Revision ID: au7d1e9c3b5f
Revises: tr7a1c3e5b90
Create Date: 2026-12-02 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'au7d1e9c3b5f'
down_revision = 'tr7a1c3e5b90'
branch_labels = None
depends_on = None

ACTIONS = {
    # access refused by a loader or a role check
    "refused": "request.refuse",
    # sign-in
    "login": "user.sign_in",
    "login.failed": "user.sign_in_fail",
    "login.password": "user.sign_in_password",
    "login.rate_limited": "user.sign_in_rate_limit",
    "logout": "user.sign_out",
    # budget
    "budget_period.create": "budget_years.create",
    "budget_period.delete": "budget_years.delete",
    # progress
    "period.create": "progress_round.create",
    "period.close": "progress_round.close",
    "period.reopen": "progress_round.reopen",
    "progress.create": "progress_update.create",
    "progress.update": "progress_update.update",
    "progress.submit": "progress_update.submit",
    "progress.return": "progress_update.return",
    "progress.approve": "progress_update.approve",
    "progress.correct": "progress_update.correct",
    "progress.evidence_add": "progress_update.add_evidence",
    "progress.evidence_remove": "progress_update.remove_evidence",
    # reports
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
    "report_recipient_paused": "report_recipient.pause",
    "report_recipient_deactivated": "report_recipient.pause",
    "report_recipient_removed": "report_recipient.remove",
}
OBJECT_TYPES = {"ReportingPeriod": "ProgressRound", "BudgetPeriod": "BudgetYears"}

entries = sa.table("audit_entries", sa.column("action", sa.String), sa.column("object_type", sa.String))


def rename(mapping: dict[str, str], column: str) -> None:
    for old, new in mapping.items():
        op.execute(entries.update().where(entries.c[column] == old).values({column: new}))


def upgrade():
    rename(ACTIONS, "action")
    rename(OBJECT_TYPES, "object_type")


def downgrade():
    # 'report_recipient.pause' was written under two old names; the one the code last used comes back.
    back = {new: old for old, new in ACTIONS.items() if old != "report_recipient_deactivated"}
    rename(back, "action")
    rename({new: old for old, new in OBJECT_TYPES.items()}, "object_type")
