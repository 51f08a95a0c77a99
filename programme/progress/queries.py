"""Reading progress: visibility, rounds, what is due, the review queue and what counts.

Which updates and history entries a user may see, the rounds, what each owner still has to
report, the manager's review queue, the updates that count and what an edit form offers. Budget
follow-up and the learning log, which read the updates that count, are in followup.py."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from programme.accounts.models import User
from programme.budget.models import BudgetLine
from programme.core import permissions
from programme.core.audit import AuditEntry
from programme.core.extensions import db
from programme.core.formatting import money, unit_label
from programme.impact.models import ImpactIndicator
from programme.initiatives.models import Initiative, LearningQuestion
from programme.monitor.models import Area, MonitorIndicator
from programme.progress.models import (APPROVED, DRAFT, RETURNED, STATUS_LABELS, SUBMITTED, PeriodEvent,
                                       ProgressRound, ProgressUpdate)

NOT_STARTED = "not_started"

# ---------------------------------------------------------------- visibility: the one rule as queries


def visible_updates(user) -> Select:
    """The updates this user may see (ProgressUpdate.visible_to), for lists and exports."""
    return select(ProgressUpdate).where(ProgressUpdate.visible_to(user))


# Progress entries in the audit trail that show nothing unapproved: everything else on an update
# (changed fields, review comments, evidence names, its very existence) is for its initiative's owners
# and the managers, as the update itself is.
PUBLIC_HISTORY_ACTIONS = ("progress_update.approve",)


def visible_history(user, initiative: Initiative) -> ColumnElement[bool]:
    """Where clause on an initiative's audit entries: those about its progress updates that this user
    may read (see ProgressUpdate.can_view); entries about anything else are left to their own pages."""
    if initiative.can_see_unapproved_progress(user):
        return true()
    return or_(AuditEntry.object_type.is_(None), AuditEntry.object_type != ProgressUpdate.__name__,
               AuditEntry.action.in_(PUBLIC_HISTORY_ACTIONS))


def update_history(update: ProgressUpdate, user) -> list[AuditEntry]:
    """The audit entries about this update that the user may read, oldest first. Entries older than
    the update are about another object that once had its id (SQLite reuses the id of a deleted last
    row: removed example data, for one)."""
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == ProgressUpdate.__name__, AuditEntry.object_id == update.id,
        AuditEntry.created_dt >= update.created_dt, visible_history(user, update.initiative))
        .order_by(AuditEntry.created_dt, AuditEntry.id)))


def visible_revisions(update: ProgressUpdate, user) -> list[ProgressUpdate]:
    """The revisions of the update's initiative and round that this user may see."""
    return list(db.session.scalars(visible_updates(user).where(
        ProgressUpdate.initiative_id == update.initiative_id, ProgressUpdate.period_id == update.period_id)
        .order_by(ProgressUpdate.revision)))


def revisions(initiative_id: int, period_id: int) -> list[ProgressUpdate]:
    """Every revision of one initiative's update on one round, oldest first (for the operations)."""
    return list(db.session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.initiative_id == initiative_id,
                                     ProgressUpdate.period_id == period_id)
        .order_by(ProgressUpdate.revision)))


# ---------------------------------------------------------------- rounds

def open_rounds() -> list[ProgressRound]:
    return list(db.session.scalars(select(ProgressRound).where(ProgressRound.is_open.is_(True))
                                   .order_by(ProgressRound.starts_on, ProgressRound.id)))


def current_round(rounds: list[ProgressRound]) -> ProgressRound | None:
    """The open round around today, else the latest open one that has started, else the first."""
    today = date.today()
    for period in rounds:
        if period.starts_on <= today <= period.ends_on:
            return period
    started = [p for p in rounds if p.starts_on <= today]
    return (started or rounds or [None])[-1 if started else 0]


def all_rounds(*, with_events: bool = False) -> list[ProgressRound]:
    """Every round, newest first (with who closed and reopened it, for the manager's page)."""
    query = select(ProgressRound).order_by(ProgressRound.starts_on.desc(), ProgressRound.id.desc())
    if with_events:
        query = query.options(selectinload(ProgressRound.events).selectinload(PeriodEvent.actor))
    return list(db.session.scalars(query))


def round_by_code(code: str) -> ProgressRound | None:
    return db.session.scalar(select(ProgressRound).where(ProgressRound.code == code))


# ---------------------------------------------------------------- what counts, what is due

def counted_updates() -> Select:
    """Ids of the updates that count: per initiative and round the latest approved revision. Only
    published content (ProgressUpdate.published: what every reader may see), so the learning log,
    budget follow-up and every report show each user the same, approved figures."""
    latest = (select(ProgressUpdate.initiative_id, ProgressUpdate.period_id,
                     func.max(ProgressUpdate.revision).label("revision"))
              .where(ProgressUpdate.published())
              .group_by(ProgressUpdate.initiative_id, ProgressUpdate.period_id).subquery())
    return select(ProgressUpdate.id).join(latest, and_(
        ProgressUpdate.initiative_id == latest.c.initiative_id, ProgressUpdate.period_id == latest.c.period_id,
        ProgressUpdate.revision == latest.c.revision))


def approved_updates(user) -> list[ProgressUpdate]:
    """The updates that count and that this user may see, newest round first."""
    return list(db.session.scalars(
        visible_updates(user).join(ProgressUpdate.period)
        .where(ProgressUpdate.id.in_(counted_updates()))
        .order_by(ProgressRound.starts_on.desc(), ProgressUpdate.initiative_id)))


@dataclass
class DueItem:
    initiative: Initiative
    update: ProgressUpdate | None  # the latest revision in the round, if any

    STATE_LABELS = {NOT_STARTED: "Nog niet begonnen", **STATUS_LABELS}

    @property
    def state(self) -> str:
        return self.update.status if self.update else NOT_STARTED

    @property
    def state_label(self) -> str:
        label = self.STATE_LABELS[self.state]
        if self.update and self.update.revision > 1 and self.state != APPROVED:
            label += f" (correctie, versie {self.update.revision})"
        return label

    @property
    def needs_action(self) -> bool:
        """The owner still has to write or resubmit."""
        return self.state in (NOT_STARTED, DRAFT, RETURNED)


def due_for(user, period: ProgressRound) -> list[DueItem]:
    """An owner's initiatives (a manager: all of them) and where their update for the round stands."""
    query = select(Initiative).where(Initiative.is_archived.is_(False))
    if not ProgressUpdate.is_writer(user):
        return []
    if not permissions.is_manager(user):
        query = query.where(Initiative.owners.any(User.id == user.id))
    initiatives = sorted(db.session.scalars(query), key=lambda i: i.sort_key)
    latest: dict[int, ProgressUpdate] = {}
    if initiatives:
        updates = db.session.scalars(
            select(ProgressUpdate).where(ProgressUpdate.period_id == period.id,
                                         ProgressUpdate.initiative_id.in_([i.id for i in initiatives]))
            .order_by(ProgressUpdate.revision))
        for update in updates:
            latest[update.initiative_id] = update
    return [DueItem(initiative, latest.get(initiative.id)) for initiative in initiatives]


def review_queue(period: ProgressRound | None = None) -> list[ProgressUpdate]:
    """Submitted updates waiting for the manager, oldest first."""
    query = (select(ProgressUpdate).where(ProgressUpdate.status == SUBMITTED)
             .options(joinedload(ProgressUpdate.initiative), joinedload(ProgressUpdate.period),
                      joinedload(ProgressUpdate.author))
             .order_by(ProgressUpdate.submitted_dt, ProgressUpdate.id))
    if period is not None:
        query = query.where(ProgressUpdate.period_id == period.id)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- what the edit form offers

def line_label(line: BudgetLine) -> str:
    source = line.funding_source.name if line.funding_source else "Programmabudget"
    text = f"{source}, {line.period.label}: {money(line.amount)}"
    return f"{text} ({line.description})" if line.description else text


@dataclass
class Linkable:
    """What this update's initiative offers to link to: its learning questions, its active impact
    indicators (one row each) and its budget lines (one row each)."""

    questions: list[LearningQuestion]
    indicators: list[ImpactIndicator]
    lines: list[BudgetLine]
    resources: list[MonitorIndicator]  # what an observation can be about: the monitor's resources
    areas: list[Area]  # and where: the initiative's own areas first, then every area

    @classmethod
    def for_update(cls, update: ProgressUpdate) -> "Linkable":
        initiative_id = update.initiative_id
        return cls(
            list(db.session.scalars(select(LearningQuestion).where(LearningQuestion.initiative_id == initiative_id)
                                    .order_by(LearningQuestion.position, LearningQuestion.id))),
            list(db.session.scalars(select(ImpactIndicator).where(
                ImpactIndicator.initiative_id == initiative_id, ImpactIndicator.is_archived.is_(False))
                .order_by(ImpactIndicator.position, ImpactIndicator.id))),
            list(db.session.scalars(select(BudgetLine).where(BudgetLine.initiative_id == initiative_id)
                                    .order_by(BudgetLine.period_id, BudgetLine.id))),
            list(db.session.scalars(select(MonitorIndicator).where(MonitorIndicator.resource != "resilience")
                                    .order_by(MonitorIndicator.position, MonitorIndicator.id))),
            _observation_areas(update.initiative))

    @property
    def resource_choices(self) -> list[tuple[str, str]]:
        return [(str(r.id), r.name) for r in self.resources]

    @property
    def area_choices(self) -> list[tuple[str, str]]:
        return [(str(a.id), a.name) for a in self.areas]

    @property
    def indicator_names(self) -> dict[str, str]:
        return {str(i.id): i.name + (f" ({unit_label(i.unit)})" if i.unit else "") for i in self.indicators}

    @property
    def line_labels(self) -> dict[str, str]:
        return {str(line.id): line_label(line) for line in self.lines}


def _observation_areas(initiative: Initiative) -> list[Area]:
    """The initiative's areas and the regions around them first, then every other area in the monitor's order."""
    own = []
    for area in initiative.areas:
        for node in [area, *area.ancestors()]:
            if node not in own:
                own.append(node)
    rest = [a for a in db.session.scalars(select(Area).order_by(Area.position, Area.name)) if a not in own]
    return own + rest
