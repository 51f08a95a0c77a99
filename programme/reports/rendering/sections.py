"""What a report says about the initiatives in its span: approved updates, indicators, monitor figures, lessons.

Indicators are shown against baseline and target, monitor figures beside Brabant. Only approved
updates count (per initiative and progress round the latest approved revision)."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.core.extensions import db
from programme.impact.models import ImpactIndicator, ImpactMeasurement
from programme.initiatives.models import Initiative, InitiativeArea, LearningQuestion
from programme.monitor import queries as monitor_queries
from programme.monitor.models import MonitorEdition, MonitorIndicator, MonitorValue
from programme.progress.models import AT_RISK, ATTENTION, ON_TRACK, TRAFFIC_LIGHT_LABELS, ProgressRound, ProgressUpdate
from programme.progress.queries import counted_updates
from programme.reports.spans import ReportSpan

NO_UPDATE = "geen"
LIGHT_LABELS = {**TRAFFIC_LIGHT_LABELS, NO_UPDATE: "Geen goedgekeurd bericht"}
LIGHT_ORDER = (ON_TRACK, ATTENTION, AT_RISK, NO_UPDATE)
# The monitor's headline figure shown for every initiative's areas.
HEADLINE_MONITOR_INDICATOR = "resilience_yes"


def reporting_periods_in(period: ReportSpan) -> list[ProgressRound]:
    """The reporting periods (quarters, or other periods) that lie inside the report period."""
    return list(db.session.scalars(
        select(ProgressRound).where(ProgressRound.starts_on >= period.starts_on,
                                      ProgressRound.ends_on <= period.ends_on)
        .order_by(ProgressRound.starts_on)))


def approved_updates(period: ReportSpan, initiative_ids: list[int] | None = None) -> dict[int, list[ProgressUpdate]]:
    """Per initiative the counted approved updates of the report period, oldest period first."""
    query = (select(ProgressUpdate).join(ProgressUpdate.period)
             .where(ProgressUpdate.id.in_(counted_updates()),
                    ProgressRound.starts_on >= period.starts_on, ProgressRound.ends_on <= period.ends_on)
             .options(selectinload(ProgressUpdate.lessons), selectinload(ProgressUpdate.risks),
                      selectinload(ProgressUpdate.period))
             .order_by(ProgressRound.ends_on, ProgressUpdate.id))
    if initiative_ids is not None:
        query = query.where(ProgressUpdate.initiative_id.in_(initiative_ids))
    out: dict[int, list[ProgressUpdate]] = defaultdict(list)
    for update in db.session.scalars(query):
        out[update.initiative_id].append(update)
    return out


# ---------------------------------------------------------------- indicators

@dataclass
class IndicatorLine:
    indicator: ImpactIndicator
    target_label: str | None
    target: Decimal | None
    target_text: str | None
    actual: Decimal | None
    actual_on: date | None
    actual_is_example: bool = False

    @property
    def baseline(self) -> Decimal | None:
        return self.indicator.baseline_value

    @property
    def light(self) -> str | None:
        """Op koers when the target is reached; aandacht when the value moved the right way from
        the baseline but the target is not reached; risico otherwise. None without a value."""
        if self.actual is None:
            return None
        better = (lambda a, b: a >= b) if self.indicator.higher_is_better else (lambda a, b: a <= b)
        improved = (lambda a, b: a > b) if self.indicator.higher_is_better else (lambda a, b: a < b)
        if self.target is not None:
            if better(self.actual, self.target):
                return ON_TRACK
            if self.baseline is not None and improved(self.actual, self.baseline):
                return ATTENTION
            return AT_RISK
        if self.baseline is None:
            return None
        if improved(self.actual, self.baseline):
            return ON_TRACK
        return ATTENTION if self.actual == self.baseline else AT_RISK

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light] if self.light else "Nog geen meting"


def _target_for(indicator: ImpactIndicator, period: ReportSpan):
    """The target that applies to the period: the one for the period's code or year, else the
    first later one, else the last one."""
    year = str(period.ends_on.year)
    by_label = {t.period_label: t for t in indicator.targets}
    for label in (period.code, year):
        if label in by_label:
            return by_label[label]
    later = sorted((t for t in indicator.targets if t.period_label[:4].isdigit() and t.period_label[:4] >= year),
                   key=lambda t: t.period_label)
    if later:
        return later[0]
    return indicator.targets[-1] if indicator.targets else None


def indicator_lines(period: ReportSpan) -> dict[int | None, list[IndicatorLine]]:
    """Per initiative id (None: the programme) its indicators with the target that applies and
    the latest measurement up to the end of the period."""
    indicators = db.session.scalars(
        select(ImpactIndicator).where(ImpactIndicator.is_archived.is_(False))
        .options(selectinload(ImpactIndicator.targets)).order_by(ImpactIndicator.position, ImpactIndicator.id)).all()
    latest: dict[int, ImpactMeasurement] = {}
    measurements = db.session.scalars(
        select(ImpactMeasurement).where(ImpactMeasurement.measured_on <= period.ends_on)
        .order_by(ImpactMeasurement.measured_on, ImpactMeasurement.id))
    for measurement in measurements:
        latest[measurement.indicator_id] = measurement
    out: dict[int | None, list[IndicatorLine]] = defaultdict(list)
    for indicator in indicators:
        target = _target_for(indicator, period)
        measured = latest.get(indicator.id)
        out[indicator.initiative_id].append(IndicatorLine(
            indicator, target.period_label if target else None, target.target_value if target else None,
            target.target_text if target else None, measured.value if measured else None,
            measured.measured_on if measured else None, bool(measured and measured.is_example)))
    return out


# ---------------------------------------------------------------- monitor beside Brabant

@dataclass
class MonitorLine:
    indicator: MonitorIndicator
    area_name: str
    value: Decimal | None
    brabant: Decimal | None
    edition_year: int

    @property
    def difference(self) -> Decimal | None:
        if self.value is None or self.brabant is None:
            return None
        return self.value - self.brabant


def monitor_lines(initiatives: list[Initiative], indicators: dict[int | None, list[IndicatorLine]]
                  ) -> dict[int, list[MonitorLine]]:
    """Per initiative: the latest monitor figures of its areas beside the Brabant figure, for the
    headline indicator and for the monitor indicators its impact indicators are linked to."""
    edition = db.session.scalar(select(MonitorEdition).order_by(MonitorEdition.year.desc()))
    province = monitor_queries.brabant()
    if edition is None or province is None:
        return {}
    headline = db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == HEADLINE_MONITOR_INDICATOR))
    values = {(v.indicator_id, v.area_id): v.value for v in db.session.scalars(
        select(MonitorValue).where(MonitorValue.edition_id == edition.id))}
    monitor_indicators = {m.id: m for m in db.session.scalars(select(MonitorIndicator))}
    out = {}
    for initiative in initiatives:
        wanted = [headline] if headline else []
        for line in indicators.get(initiative.id, []):
            linked = monitor_indicators.get(line.indicator.monitor_indicator_id)
            if linked is not None and linked not in wanted:
                wanted.append(linked)
        areas = [a for a in initiative.figure_areas or initiative.areas if a.id != province.id]
        out[initiative.id] = [
            MonitorLine(indicator, area.name, values.get((indicator.id, area.id)),
                        values.get((indicator.id, province.id)), edition.year)
            for indicator in wanted for area in areas if (indicator.id, area.id) in values]
    return out


# ---------------------------------------------------------------- per initiative

@dataclass
class InitiativeSection:
    initiative: Initiative
    updates: list[ProgressUpdate]  # counted approved updates in the period, oldest first
    previous_light: str | None  # the traffic light in the previous report period
    indicators: list[IndicatorLine] = field(default_factory=list)
    monitor: list[MonitorLine] = field(default_factory=list)

    @property
    def update(self) -> ProgressUpdate | None:
        """The latest approved update of the period: its status is the initiative's status."""
        return self.updates[-1] if self.updates else None

    @property
    def light(self) -> str:
        return self.update.traffic_light if self.update and self.update.traffic_light else NO_UPDATE

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]

    @property
    def changed(self) -> bool:
        return self.previous_light is not None and self.previous_light != self.light

    @property
    def previous_light_label(self) -> str:
        return LIGHT_LABELS.get(self.previous_light, "–") if self.previous_light else "–"

    @property
    def lessons(self):
        return [lesson for update in self.updates for lesson in update.lessons]

    @property
    def risks(self):
        return [risk for update in self.updates[-1:] for risk in update.risks]


def initiative_sections(period: ReportSpan, initiatives: list[Initiative],
                        indicators: dict[int | None, list[IndicatorLine]]) -> list[InitiativeSection]:
    ids = [i.id for i in initiatives]
    current = approved_updates(period, ids)
    previous = approved_updates(period.previous(), ids)
    monitor = monitor_lines(initiatives, indicators)
    sections = []
    for initiative in initiatives:
        before = previous.get(initiative.id)
        previous_light = (before[-1].traffic_light or NO_UPDATE) if before else NO_UPDATE
        sections.append(InitiativeSection(initiative, current.get(initiative.id, []), previous_light,
                                          indicators.get(initiative.id, []), monitor.get(initiative.id, [])))
    return sections


def active_initiatives(only: Initiative | None = None) -> list[Initiative]:
    query = (select(Initiative).where(Initiative.is_archived.is_(False))
             .options(selectinload(Initiative.learning_questions),
                      selectinload(Initiative.area_links).selectinload(InitiativeArea.area),
                      selectinload(Initiative.owners)))
    if only is not None:
        query = query.where(Initiative.id == only.id)
    return sorted(db.session.scalars(query), key=lambda i: i.sort_key)


# ---------------------------------------------------------------- learning

@dataclass
class QuestionLessons:
    initiative: Initiative
    question: LearningQuestion | None  # None: lessons not linked to a question
    lessons: list = field(default_factory=list)


def lessons_per_question(sections: list[InitiativeSection]) -> list[QuestionLessons]:
    """The period's lessons per learning question (questions without lessons are listed too, so
    the open questions stay visible)."""
    out = []
    for section in sections:
        by_question: dict[int | None, list] = defaultdict(list)
        for lesson in section.lessons:
            by_question[lesson.learning_question_id].append(lesson)
        for question in section.initiative.learning_questions:
            out.append(QuestionLessons(section.initiative, question, by_question.pop(question.id, [])))
        if by_question.get(None):
            out.append(QuestionLessons(section.initiative, None, by_question.pop(None)))
    return out
