"""The report tables: schedules, builds (jobs), the archive of issued reports, recipients and deliveries.

A ReportBuild is one request to build a report (by a person or by a schedule); the scheduler
process picks queued builds up. A scheduled build is unique per schedule and period, which is
what makes a schedule fire exactly once per period however many scheduler processes run.
An IssuedReport is a finished PDF in the archive: never changed, building again adds a version.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, event, text)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.accounts.models import User
from programme.core.db import (CreatedMixin, UTCDateTime, VersionedMixin, format_repr, known_values, label_of, sql_in,
                               utcnow)
from programme.core.extensions import db
from programme.initiatives.models import Initiative
from programme.reports.kinds import KIND_IN_SENTENCE, KIND_LABELS, SCHEDULABLE_KINDS
from programme.reports.spans import ReportSpan, parse_span

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
BUILD_STATUS_LABELS = {QUEUED: "In de wachtrij", RUNNING: "Wordt gemaakt", DONE: "Klaar", FAILED: "Mislukt"}

MANUAL = "manual"
SCHEDULED = "schedule"

PENDING = "pending"
SENT = "sent"
DELIVERY_STATUS_LABELS = {PENDING: "Wacht op verzending", SENT: "Verzonden", FAILED: "Mislukt"}
# A delivery is given up after this many failed attempts (until the manager sends it again).
MAX_DELIVERY_ATTEMPTS = 5
# A pending delivery that waited this long without an attempt: the scheduler process may not run.
DELIVERY_OVERDUE = timedelta(minutes=10)
# A provisional report: on a period that has not ended, built only when the manager asks for it.
PROVISIONAL_LABEL = "Voorlopig"


_OPEN_REQUEST = f"trigger = '{MANUAL}' AND {sql_in('status', (QUEUED, RUNNING))}"
# Two partial unique indexes, since NULL initiatives never collide in one (the migration has them too).
OPEN_REQUEST_INDEXES = (
    ("uq_report_builds_open_request", ("kind", "period_code"), f"initiative_id IS NULL AND {_OPEN_REQUEST}"),
    ("uq_report_builds_open_factsheet_request", ("kind", "period_code", "initiative_id"),
     f"initiative_id IS NOT NULL AND {_OPEN_REQUEST}"),
)


class ReportSchedule(VersionedMixin, CreatedMixin, db.Model):
    """Build a report of one kind after each period of that kind ends, a number of days later
    (for example GS quarterly, 15 days after each quarter)."""

    __tablename__ = "report_schedules"
    __table_args__ = (
        CheckConstraint(sql_in("kind", SCHEDULABLE_KINDS), name="kind_schedulable"),
        CheckConstraint("days_after_period >= 0 AND days_after_period <= 120", name="days_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    days_after_period: Mapped[int] = mapped_column(Integer, default=15)
    # The hour (Europe/Amsterdam) on the fire day at which the build starts.
    hour: Mapped[int] = mapped_column(Integer, default=6)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Periods that ended before this date are never built by the schedule (no back-filling).
    starts_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return format_repr(self, "id", "kind", "days_after_period")

    kind_label = label_of("kind", KIND_LABELS)


class ReportBuild(CreatedMixin, db.Model):
    """A request to build one report; its status and progress are shown while it runs."""

    __tablename__ = "report_builds"
    __table_args__ = (
        # One build per schedule and period: a second scheduler process loses the insert.
        UniqueConstraint("schedule_id", "period_code"),
        known_values("kind", KIND_LABELS),
        known_values("status", BUILD_STATUS_LABELS),
        known_values("trigger", (MANUAL, SCHEDULED)),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_in_range"),
        # One open requested build per identical report (kind, period, initiative), guaranteed by the
        # database: of parallel identical requests one insert wins, the others fail (issue 11, 8).
        *(Index(name, *columns, unique=True, sqlite_where=text(where), postgresql_where=text(where))
          for name, columns, where in OPEN_REQUEST_INDEXES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Report period: '2026-K3' (quarter) or '2026-H2' (half year), with its dates.
    period_code: Mapped[str] = mapped_column(String(20))
    period_starts_on: Mapped[date] = mapped_column(Date)
    period_ends_on: Mapped[date] = mapped_column(Date)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"))  # factsheets
    trigger: Mapped[str] = mapped_column(String(10), default=MANUAL)
    # Asked for explicitly on a period that has not ended yet (never by a schedule).
    is_provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("report_schedules.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    progress_label: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Which process works on it (host:pid), for diagnosing a build left running by a crash.
    worker: Mapped[str | None] = mapped_column(String(100))
    started_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("issued_reports.id"))
    # The worker's lease on a running build: renewed by its heartbeat while it builds. Once it has
    # expired another scheduler may take the build over, whether or not the process was reaped.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    initiative: Mapped[Initiative | None] = relationship()
    schedule: Mapped[ReportSchedule | None] = relationship()
    requested_by: Mapped[User | None] = relationship()
    report: Mapped["IssuedReport | None"] = relationship(foreign_keys=[report_id])

    def __repr__(self) -> str:
        return format_repr(self, "id", "kind", "period_code", "status")

    kind_label = label_of("kind", KIND_LABELS)

    status_label = label_of("status", BUILD_STATUS_LABELS)

    @property
    def is_finished(self) -> bool:
        return self.status in (DONE, FAILED)

    @property
    def span(self) -> ReportSpan:
        """The span the report covers (code, label, dates)."""
        return parse_span(self.period_code)


class IssuedReport(db.Model):
    """An issued report in the archive. Never changed after it is written."""

    __tablename__ = "issued_reports"
    __table_args__ = (
        UniqueConstraint("scope", "version"),
        known_values("kind", KIND_LABELS),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # What a version counts within: kind, period and (factsheets) initiative.
    scope: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    period_code: Mapped[str] = mapped_column(String(20))
    period_label: Mapped[str] = mapped_column(String(100))
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))  # offered on download
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)  # under instance/reports/
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Who or what made it: a person, or a schedule.
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("report_schedules.id"))
    made_by_label: Mapped[str] = mapped_column(String(200))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # What it was built from: the request's parameters and the data version (last audit entry),
    # and when the data were read (the report holds the data up to and including that moment).
    parameters: Mapped[dict] = mapped_column(JSON)
    data_version: Mapped[str] = mapped_column(String(100))
    data_as_of: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Built on a period that had not ended: watermarked, with a warning on the cover.
    is_provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # The report's tables, as built, for the Excel download (same figures as the PDF).
    tables: Mapped[list] = mapped_column(JSON)

    initiative: Mapped[Initiative | None] = relationship()
    made_by: Mapped[User | None] = relationship(foreign_keys=[made_by_id])
    schedule: Mapped[ReportSchedule | None] = relationship()
    deliveries: Mapped[list["Delivery"]] = relationship(back_populates="report", order_by="Delivery.id")

    def __repr__(self) -> str:
        return format_repr(self, "id", "scope", "version")

    kind_label = label_of("kind", KIND_LABELS)

    @property
    def kind_in_sentence(self) -> str:
        return KIND_IN_SENTENCE.get(self.kind, self.kind_label)

    @property
    def span(self) -> ReportSpan:
        return parse_span(self.period_code)

    @property
    def data_version_number(self) -> int | None:
        """The data version as a number (the last audit entry the report includes)."""
        prefix, _, number = (self.data_version or "").partition(":")
        return int(number) if prefix == "audit" and number.isdigit() else None


@event.listens_for(IssuedReport, "before_update")
@event.listens_for(IssuedReport, "before_delete")
def _issued_is_final(_mapper, _connection, target):
    raise RuntimeError(f"issued report {target.id} is archived and cannot change")


class ReportRecipient(CreatedMixin, db.Model):
    """Who receives each kind of report by e-mail."""

    __tablename__ = "report_recipients"
    __table_args__ = (
        UniqueConstraint("kind", "email"),
        known_values("kind", KIND_LABELS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return format_repr(self, "kind", "email")


class Delivery(CreatedMixin, db.Model):
    """One e-mail of an issued report to one recipient, retried on failure."""

    __tablename__ = "report_deliveries"
    __table_args__ = (
        UniqueConstraint("report_id", "email"),
        known_values("status", DELIVERY_STATUS_LABELS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("issued_reports.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    report: Mapped[IssuedReport] = relationship(back_populates="deliveries")

    def __repr__(self) -> str:
        return format_repr(self, "report_id", "email", "status")

    status_label = label_of("status", DELIVERY_STATUS_LABELS)
