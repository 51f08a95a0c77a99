"""Progress rounds and progress updates, with who may see and do what with an update.

The one visibility rule is ProgressUpdate.can_view and its where clause ProgressUpdate.visible_to.
What an update carries (lessons, risks, values, spending, evidence, observations) is in update_items.py."""
from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, ColumnElement, Date, ForeignKey, String, Text, UniqueConstraint,
                        event, false, or_, select, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.accounts.models import User
from programme.core import permissions
from programme.core.db import CreatedMixin, UTCDateTime, format_repr, known_values, label_of, utcnow
from programme.core.extensions import db
from programme.core.formatting import dutch_datetime
from programme.core.operations import LostRace
from programme.impact.models import ImpactMeasurement
from programme.initiatives.models import Initiative, initiative_owners

KIND_QUARTER = "quarter"
KIND_OTHER = "other"
PERIOD_KIND_LABELS = {KIND_QUARTER: "Kwartaal", KIND_OTHER: "Andere periode"}

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
RETURNED = "returned"

ON_TRACK = "op_koers"
ATTENTION = "aandacht"
AT_RISK = "risico"

STATUS_LABELS = {DRAFT: "Concept", SUBMITTED: "Ingediend", APPROVED: "Goedgekeurd", RETURNED: "Teruggestuurd"}
# The one list of traffic-light labels: forms, pages and reports use it.
TRAFFIC_LIGHT_LABELS = {ON_TRACK: "Op koers", ATTENTION: "Aandacht nodig", AT_RISK: "Risico"}
LEVEL_LABELS = {"laag": "Laag", "middel": "Middel", "hoog": "Hoog"}


class ProgressRound(CreatedMixin, db.Model):
    """A round of progress reporting that the manager opens and closes, usually a quarter ('2026-K4');
    owners report on it while it is open, a closed round takes no writes. (Named ReportingPeriod before;
    the table keeps its name.)"""

    __tablename__ = "reporting_periods"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        known_values("kind", PERIOD_KIND_LABELS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10), default=KIND_QUARTER)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    closed_by: Mapped[User | None] = relationship()
    events: Mapped[list["PeriodEvent"]] = relationship(back_populates="period",
                                                       order_by="PeriodEvent.dt, PeriodEvent.id")

    def __repr__(self) -> str:
        return format_repr(self, "code", "is_open")

    def __str__(self) -> str:
        return self.label

    kind_label = label_of("kind", PERIOD_KIND_LABELS)

    @staticmethod
    def can_manage(user) -> bool:
        """Add, close and reopen rounds."""
        return permissions.is_manager(user)

    @property
    def closed_message(self) -> str | None:
        """Why nothing in this round can change, in Dutch (None while it is open)."""
        if self.is_open:
            return None
        who = f" door {self.closed_by.name}" if self.closed_by else ""
        return (f"De periode {self.label} is gesloten{who} op {dutch_datetime(self.closed_dt)}. "
                "Wijzigen kan pas weer als de programmamanager de periode heropent.")


class PeriodEvent(db.Model):
    """A period closed or reopened, by whom and (for reopening) why."""

    __tablename__ = "period_events"
    __table_args__ = (known_values("action", ("closed", "reopened")),)

    ACTION_LABELS = {"closed": "Gesloten", "reopened": "Heropend"}

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    period: Mapped[ProgressRound] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return format_repr(self, "period_id", "action")

    @property
    def action_label(self) -> str:
        return self.ACTION_LABELS.get(self.action, self.action)


def _carried(model: str):
    """What an update carries (a model of update_items.py): in the order written, kept and removed with it."""
    return relationship(back_populates="update", order_by=f"{model}.id", cascade="all, delete-orphan")


class ProgressUpdate(CreatedMixin, db.Model):
    """Voortgangsbericht: one initiative's report on one period. An approved update is final;
    a correction is a new revision pointing at the one it corrects."""

    __tablename__ = "progress_updates"
    __table_args__ = (
        UniqueConstraint("initiative_id", "period_id", "revision"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        known_values("status", (DRAFT, SUBMITTED, APPROVED, RETURNED)),
        known_values("traffic_light", (ON_TRACK, ATTENTION, AT_RISK)),
    )

    STATUS_LABELS = STATUS_LABELS
    TRAFFIC_LIGHT_LABELS = TRAFFIC_LIGHT_LABELS
    # The update's own text fields, which update_draft may change.
    TEXT_FIELDS = ("traffic_light", "explanation", "done", "results", "next_steps")

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id"), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    previous_revision_id: Mapped[int | None] = mapped_column(ForeignKey("progress_updates.id"))
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    traffic_light: Mapped[str | None] = mapped_column(String(12))
    explanation: Mapped[str | None] = mapped_column(Text)
    done: Mapped[str | None] = mapped_column(Text)
    results: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who submitted it last: like the author, they may not review it (four eyes).
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str | None] = mapped_column(Text)
    # Optimistic locking: every UPDATE checks and increments it (StaleDataError on a lost race).
    version: Mapped[int] = mapped_column()

    __mapper_args__ = {"version_id_col": version}

    initiative: Mapped[Initiative] = relationship()
    period: Mapped[ProgressRound] = relationship()
    previous_revision: Mapped["ProgressUpdate | None"] = relationship(remote_side=[id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    # What the update carries (update_items.py, which imports this module).
    lessons: Mapped[list["Lesson"]] = _carried("Lesson")  # noqa: F821
    risks: Mapped[list["Risk"]] = _carried("Risk")  # noqa: F821
    indicator_values: Mapped[list["IndicatorValue"]] = _carried("IndicatorValue")  # noqa: F821
    spending: Mapped[list["Spending"]] = _carried("Spending")  # noqa: F821
    evidence: Mapped[list["Evidence"]] = _carried("Evidence")  # noqa: F821
    observations: Mapped[list["Observation"]] = _carried("Observation")  # noqa: F821
    # The impact measurements an approval copied from this update (the link lives here: impact is the
    # lower layer and does not know progress).
    measurements: Mapped[list[ImpactMeasurement]] = relationship(
        primaryjoin=lambda: ImpactMeasurement.progress_update_id == ProgressUpdate.id,
        foreign_keys=lambda: [ImpactMeasurement.progress_update_id], viewonly=True)

    def __repr__(self) -> str:
        return format_repr(self, "id", "initiative_id", "period_id", "revision", "status")

    @property
    def audit_label(self) -> str:
        return f"Voortgangsbericht {self.initiative.number} {self.period.code} versie {self.revision}"

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS.get(self.status, self.status)

    @property
    def traffic_light_label(self) -> str:
        return self.TRAFFIC_LIGHT_LABELS.get(self.traffic_light, self.traffic_light or "–")

    @property
    def is_final(self) -> bool:
        return self.status == APPROVED

    @property
    def is_editable(self) -> bool:
        """Draft, or returned by the manager: the owner works on it again."""
        return self.status in (DRAFT, RETURNED)

    @property
    def awaiting_review(self) -> bool:
        return self.status == SUBMITTED and self.period.is_open

    @property
    def is_latest_revision(self) -> bool:
        latest = db.session.scalar(select(ProgressUpdate.id).where(
            ProgressUpdate.initiative_id == self.initiative_id, ProgressUpdate.period_id == self.period_id)
            .order_by(ProgressUpdate.revision.desc()).limit(1))
        return latest == self.id

    # ---------------------------------------------------------------- rights: the one rule
    # After Indico's ProtectionMixin: every page, list, export, report (and later the API) asks these
    # methods, or the where clause with the same meaning; views and templates compare no roles.

    @classmethod
    def published(cls) -> ColumnElement[bool]:
        """What every signed-in user may read, readers and owners of other initiatives included:
        approved content. Reports, which go to GS and PS, hold nothing else."""
        return cls.status == APPROVED

    def can_view(self, user) -> bool:
        """Approved updates: every signed-in user. Drafts, submitted and returned updates: only the
        initiative's owners and the programme managers. Refused with 404 (see get_visible_or_404)."""
        if not permissions.is_signed_in(user):
            return False
        return self.status == APPROVED or self.initiative.can_see_unapproved_progress(user)

    @classmethod
    def visible_to(cls, user) -> ColumnElement[bool]:
        """can_view as a where clause, for lists, exports and searches."""
        if not permissions.is_signed_in(user):
            return false()
        if permissions.is_manager(user):
            return true()
        owned = select(initiative_owners.c.initiative_id).where(initiative_owners.c.user_id == user.id)
        return or_(cls.published(), cls.initiative_id.in_(owned))

    @staticmethod
    def is_writer(user) -> bool:
        """Does this user write progress at all (for their own initiatives; managers for every one)?"""
        return permissions.has_role(user, permissions.OWNER, permissions.MANAGER)

    @staticmethod
    def is_reviewer(user) -> bool:
        """Does this user review submitted updates at all (not necessarily this one)?"""
        return permissions.is_manager(user)

    def can_report(self, user) -> bool:
        """Does this user write progress for the update's initiative (whatever the update's state)?"""
        return self.initiative.can_report(user)

    def lock_reason(self) -> str | None:
        """Why nobody can change the update's content now, in Dutch (None: it can be changed)."""
        if self.status == APPROVED:
            return ("Dit voortgangsbericht is goedgekeurd en staat vast. "
                    "Maak een correctie als er iets moet veranderen.")
        if not self.period.is_open:
            return self.period.closed_message
        if not self.is_editable:
            return (f"Dit voortgangsbericht is {self.status_label.lower()}; "
                    "alleen een concept of een teruggestuurd bericht kan worden gewijzigd.")
        return None

    def can_edit(self, user) -> bool:
        """Change, submit, add or remove evidence: a reporter of the initiative, while the update is a
        draft or returned and its period is open. The one answer to "may edit"."""
        return self.can_report(user) and self.lock_reason() is None

    def review_refusal(self, user) -> str | None:
        """Why this user may not approve or return this update, in Dutch (None: they may). Four eyes:
        a manager does not review an update they wrote or submitted themselves."""
        if not self.is_reviewer(user):
            return "Alleen een programmamanager mag voortgangsberichten beoordelen."
        own = ("geschreven" if user.id == self.author_id else
               "ingediend" if user.id == self.submitted_by_id else None)
        if own:
            return (f"U kunt een voortgangsbericht dat u zelf heeft {own} niet goedkeuren of terugsturen. "
                    "Vraag een andere programmamanager om het te beoordelen.")
        return None

    def can_review(self, user) -> bool:
        return self.awaiting_review and self.review_refusal(user) is None

    def can_correct(self, user) -> bool:
        """Start a new revision of the approved update: a reporter, while its period is open."""
        return (self.status == APPROVED and self.period.is_open and self.can_report(user)
                and self.is_latest_revision)


class ApprovedUpdateIsFinal(LostRace):
    """Last line of defence below the operations: an approved update and its content never change
    (a change that runs into it lost a race with the approval)."""


def stored_status(connection, update_id: int | None) -> str | None:
    if update_id is None:
        return None
    table = ProgressUpdate.__table__
    return connection.scalar(select(table.c.status).where(table.c.id == update_id))


@event.listens_for(ProgressUpdate, "before_update")
@event.listens_for(ProgressUpdate, "before_delete")
def _update_is_final(_mapper, connection, target):
    if stored_status(connection, target.id) == APPROVED:
        raise ApprovedUpdateIsFinal(f"approved progress update {target.id} cannot change")
