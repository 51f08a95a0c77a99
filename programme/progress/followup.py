"""Budget follow-up, the learning log and observations beside the monitor: what approved updates add up to.

Only approved updates count, each initiative and round once (queries.counted_updates)."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from programme.budget.models import BudgetLine, FundingSource
from programme.core.extensions import db
from programme.initiatives.models import Initiative, LearningQuestion
from programme.progress.models import ProgressRound, ProgressUpdate
from programme.progress.queries import counted_updates
from programme.monitor import trends
from programme.monitor.models import Area, MonitorIndicator
from programme.progress.update_items import Lesson, Observation, Spending

ZERO = Decimal("0.00")


# ---------------------------------------------------------------- budget follow-up

@dataclass
class Amounts:
    budgeted: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        """Still to be spent: budgeted minus spent."""
        return self.budgeted - self.spent

    @property
    def uncommitted(self) -> Decimal:
        """Not yet committed: budgeted minus committed."""
        return self.budgeted - self.committed

    def add(self, other: "Amounts") -> None:
        self.budgeted += other.budgeted
        self.committed += other.committed
        self.spent += other.spent


@dataclass
class LineFollowUp(Amounts):
    budget_line: BudgetLine | None = None


@dataclass
class SourceFollowUp(Amounts):
    funding_source: FundingSource | None = None  # None: no separate source (the programme budget)

    @property
    def label(self) -> str:
        return self.funding_source.name if self.funding_source else "Programmabudget"


@dataclass
class BudgetFollowUp:
    lines: list[LineFollowUp] = field(default_factory=list)
    sources: list[SourceFollowUp] = field(default_factory=list)
    total: Amounts = field(default_factory=Amounts)


def budget_follow_up(initiative: Initiative | None = None) -> BudgetFollowUp:
    """Per budget line of an initiative (or of every initiative) and per funding source: budgeted,
    committed and spent (sums of the approved updates' per-period amounts), remaining."""
    query = (select(BudgetLine).where(BudgetLine.initiative_id.is_not(None))
             .options(joinedload(BudgetLine.funding_source), joinedload(BudgetLine.period))
             .order_by(BudgetLine.initiative_id, BudgetLine.period_id, BudgetLine.id))
    if initiative is not None:
        query = query.where(BudgetLine.initiative_id == initiative.id)
    lines = list(db.session.scalars(query))
    # Summed in Python: SQLite would add Numeric columns as floats.
    spending = db.session.scalars(select(Spending).where(
        Spending.update_id.in_(counted_updates()), Spending.budget_line_id.in_([line.id for line in lines])))
    committed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    spent: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in spending:
        committed[row.budget_line_id] += row.committed
        spent[row.budget_line_id] += row.spent
    result = BudgetFollowUp()
    by_source: dict[int | None, SourceFollowUp] = {}
    for line in lines:
        row = LineFollowUp(budgeted=line.amount, committed=committed[line.id], spent=spent[line.id],
                           budget_line=line)
        result.lines.append(row)
        source = by_source.setdefault(line.funding_source_id, SourceFollowUp(funding_source=line.funding_source))
        source.add(row)
        result.total.add(row)
    result.sources = sorted(by_source.values(), key=lambda s: (s.funding_source is not None, s.label))
    return result


# ---------------------------------------------------------------- learning log

def learning_log(learning_question: LearningQuestion | None = None, initiative: Initiative | None = None
                 ) -> list[Lesson]:
    """Lessons from approved updates, oldest period first (then in order of approval)."""
    query = (select(Lesson).join(Lesson.update).join(ProgressUpdate.period)
             .where(Lesson.update_id.in_(counted_updates()))
             .options(selectinload(Lesson.update).joinedload(ProgressUpdate.initiative),
                      selectinload(Lesson.update).joinedload(ProgressUpdate.period),
                      selectinload(Lesson.learning_question))
             .order_by(ProgressRound.starts_on, ProgressUpdate.reviewed_dt, Lesson.id))
    if learning_question is not None:
        query = query.where(Lesson.learning_question_id == learning_question.id)
    if initiative is not None:
        query = query.where(ProgressUpdate.initiative_id == initiative.id)
    return list(db.session.scalars(query))


@dataclass
class QuestionLog:
    """A learning question (None: lessons linked to no question) with its lessons, oldest first."""
    question: LearningQuestion | None
    lessons: list[Lesson] = field(default_factory=list)


@dataclass
class InitiativeLog:
    initiative: Initiative
    questions: list[QuestionLog] = field(default_factory=list)
    unlinked: QuestionLog = field(default_factory=lambda: QuestionLog(None))

    @property
    def lesson_count(self) -> int:
        return sum(len(q.lessons) for q in self.questions) + len(self.unlinked.lessons)


def learning_log_by_question(initiative: Initiative | None = None,
                             learning_question: LearningQuestion | None = None) -> list[InitiativeLog]:
    """The learning log per initiative (programme order) and per learning question (the initiative's
    order), each question with its status and its lessons in time order, unlinked lessons apart.
    A question without lessons is shown too: its status still says something. Without a filter every
    initiative with learning questions or lessons appears (archived ones only with lessons)."""
    if learning_question is not None and initiative is not None and learning_question.initiative_id != initiative.id:
        return []
    lessons = learning_log(learning_question=learning_question, initiative=initiative)
    if learning_question is not None:
        initiatives = [learning_question.initiative]
    elif initiative is not None:
        initiatives = [initiative]
    else:
        with_lessons = {lesson.update.initiative_id for lesson in lessons}
        initiatives = [i for i in db.session.scalars(select(Initiative).options(
            selectinload(Initiative.learning_questions))) if i.id in with_lessons
            or (i.learning_questions and not i.is_archived)]
    logs: dict[int, InitiativeLog] = {}
    by_question: dict[tuple[int, int], QuestionLog] = {}

    def add_question(log: InitiativeLog, question: LearningQuestion) -> QuestionLog:
        by_question[log.initiative.id, question.id] = QuestionLog(question)
        log.questions.append(by_question[log.initiative.id, question.id])
        return by_question[log.initiative.id, question.id]

    for item in initiatives:
        logs[item.id] = InitiativeLog(item)
        for question in [learning_question] if learning_question is not None else item.learning_questions:
            add_question(logs[item.id], question)
    for lesson in lessons:
        log = logs.setdefault(lesson.update.initiative_id, InitiativeLog(lesson.update.initiative))
        question = lesson.learning_question
        if question is None:
            log.unlinked.lessons.append(lesson)
        else:  # a question of another initiative (not expected) is shown where the lesson was written
            (by_question.get((log.initiative.id, question.id)) or add_question(log, question)).lessons.append(lesson)
    return sorted(logs.values(), key=lambda log: log.initiative.sort_key)


# ---------------------------------------------------------------- observations beside the monitor

@dataclass
class ObservationGroup:
    """The approved observations on one resource in one area, beside that resource's figures there."""
    resource: MonitorIndicator
    area: Area
    observations: list[Observation] = field(default_factory=list)
    trend: object = None  # monitor.trends.Trend: the area's figures per edition, Brabant beside them


def counted_observations(resource_id: int | None = None, area_ids: list[int] | None = None) -> list[Observation]:
    """Observations from the updates that count (approved, the latest revision: what every reader may see), with
    their resource, area, initiative and round, oldest first; in one query. The one rule of which observations
    show: the observations page and the monitor page (progress/monitor_overlay.py) both read it here."""
    query = (select(Observation).where(Observation.update_id.in_(counted_updates()))
             .options(joinedload(Observation.resource), joinedload(Observation.area),
                      joinedload(Observation.update).joinedload(ProgressUpdate.initiative),
                      joinedload(Observation.update).joinedload(ProgressUpdate.period))
             .order_by(Observation.id))
    if resource_id is not None:
        query = query.where(Observation.monitor_indicator_id == resource_id)
    if area_ids is not None:
        query = query.where(Observation.area_id.in_(area_ids))
    return list(db.session.scalars(query).unique())


def approved_observations(resource_id: int | None = None, area_id: int | None = None) -> list[ObservationGroup]:
    """The counted observations per resource and area, each group with the monitor's figures for it; in a fixed
    number of queries."""
    groups: dict[tuple[int, int], ObservationGroup] = {}
    for observation in counted_observations(resource_id, [area_id] if area_id is not None else None):
        key = (observation.monitor_indicator_id, observation.area_id)
        group = groups.setdefault(key, ObservationGroup(observation.resource, observation.area))
        group.observations.append(observation)
    if groups:
        found = trends.trends(list({g.resource.id: g.resource for g in groups.values()}.values()),
                              list({g.area.id: g.area for g in groups.values()}.values()))
        for (resource_id_, area_id_), group in groups.items():
            group.trend = found[(resource_id_, area_id_)]
    return sorted(groups.values(), key=lambda g: (g.resource.position, g.area.position, g.area.name))
