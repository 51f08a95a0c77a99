"""A report's content for a kind and span, built only from approved updates and the programme's current records.

It answers: what do we want to achieve (goals and impact), what do we do for it (prestaties,
actions, initiatives, learning), what does it cost (money)."""
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.core.db import utcnow
from programme.core.formatting import AMSTERDAM
from programme.core.extensions import db
from programme.plan.models import Action, Deliverable, Goal
from programme.impact import charts as impact_charts
from programme.impact.tracks import tracks_for
from programme.initiatives import toetsingskader
from programme.monitor import queries as monitor_queries
from programme.monitor import resilience as monitor_resilience
from programme.reports.rendering import charts
from programme.reports.rendering.finance import Finance, finance
from programme.reports.kinds import FACTSHEET, GS_QUARTERLY, KIND_LABELS, KIND_TITLES, PS_HALF_YEARLY
from programme.reports.models import IssuedReport
from programme.reports.spans import ReportSpan
from programme.reports.rendering.sections import (LIGHT_LABELS, LIGHT_ORDER, IndicatorLine, InitiativeSection,
                                        QuestionLessons, active_initiatives, indicator_lines, initiative_sections,
                                        lessons_per_question)
from programme.reports.rendering.tables import DATE, MONEY, NUMBER, PERCENT, TEXT, Column, ReportTable

AUDIENCE = {GS_QUARTERLY: "Gedeputeerde Staten", PS_HALF_YEARLY: "Provinciale Staten",
            FACTSHEET: "Gedeputeerde Staten en Provinciale Staten"}


@dataclass
class Decision:
    topic: str
    text: str


@dataclass
class ReportContent:
    kind: str
    span: ReportSpan
    title: str
    audience: str
    generated_dt: datetime
    goals: list
    deliverables: list
    programme_indicators: list[IndicatorLine]
    sections: list[InitiativeSection]
    learning: list[QuestionLessons]
    money: Finance
    decisions: list[Decision]
    previous_report: IssuedReport | None
    status_counts: list[tuple[str, str, int]]
    charts: dict = field(default_factory=dict)
    tables: list[ReportTable] = field(default_factory=list)
    # On a span that has not ended, asked for explicitly: watermark and a warning on the cover.
    is_provisional: bool = False
    # When the data were read; a provisional report holds the data up to this moment only.
    data_as_of: datetime | None = None
    # The impact chapter (GS and PS reports): resilience per region (the map) and the toetsingskader.
    resilience: monitor_resilience.Resilience | None = None
    matrix: toetsingskader.Matrix | None = None

    @property
    def reference_date(self) -> date:
        """The peildatum: the span's last day, or for a provisional report the day the data were read."""
        if self.is_provisional:
            return (self.data_as_of or self.generated_dt).astimezone(AMSTERDAM).date()
        return self.span.ends_on

    @property
    def filename(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")
        return slug[:80]

    @property
    def is_factsheet(self) -> bool:
        return self.kind == FACTSHEET

    @property
    def changed_sections(self) -> list[InitiativeSection]:
        return [s for s in self.sections if s.changed]

    @property
    def risks(self):
        return [(s.initiative, risk) for s in self.sections for risk in s.risks]

    @property
    def light_labels(self) -> dict:
        return LIGHT_LABELS


def report_title(kind: str, span: ReportSpan, initiative=None, provisional: bool = False) -> str:
    """'Voortgangsrapportage GS, vierde kwartaal 2026'; 'Voorlopige factsheet 1.1.3 …, vierde kwartaal 2026'."""
    head = KIND_TITLES[kind]
    if kind == FACTSHEET:
        head = f"{head} {initiative.number} {initiative.name}"
    if provisional:
        head = f"Voorlopige {head[:1].lower()}{head[1:]}"
    return f"{head}, {span.label}"


def _decisions(sections: list[InitiativeSection], money: Finance) -> list[Decision]:
    """What GS/PS may need to decide on: initiatives at risk, risks rated high on both counts,
    and budget differences that the sources leave open."""
    out = []
    for section in sections:
        if section.light == "risico":
            out.append(Decision(f"{section.initiative.number} {section.initiative.name}",
                                section.update.explanation or "Status risico."))
    for section in sections:
        for risk in section.risks:
            if risk.likelihood == "hoog" and risk.impact == "hoog":
                out.append(Decision(f"Risico bij {section.initiative.number}", risk.description))
    for diff in money.differences:
        out.append(Decision("Begroting sluit niet aan", f"{diff.label}: {diff.sentence}."))
    return out


def _previous_report(kind: str, span: ReportSpan, initiative) -> IssuedReport | None:
    query = (select(IssuedReport).where(IssuedReport.kind == kind, IssuedReport.period_code < span.code,
                                        IssuedReport.is_provisional.is_(False))
             .order_by(IssuedReport.period_code.desc(), IssuedReport.version.desc()))
    if initiative is not None:
        query = query.where(IssuedReport.initiative_id == initiative.id)
    return db.session.scalars(query.limit(1)).first()


def build_content(kind: str, span: ReportSpan, *, initiative=None, provisional: bool = False,
                  data_as_of: datetime | None = None) -> ReportContent:
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown report kind {kind!r}")
    initiatives = active_initiatives(initiative if kind == FACTSHEET else None)
    indicators = indicator_lines(span)
    sections = initiative_sections(span, initiatives, indicators)
    money = finance(span, {i.id: f"{i.number} {i.name}" for i in initiatives})
    if kind == FACTSHEET:
        money.initiatives = [row for row in money.initiatives if row.label.startswith(f"{initiative.number} ")]
    counts = Counter(s.light for s in sections)
    status_counts = [(key, LIGHT_LABELS[key], counts.get(key, 0)) for key in LIGHT_ORDER]
    content = ReportContent(
        kind=kind, span=span, title=report_title(kind, span, initiative, provisional),
        audience=AUDIENCE[kind], generated_dt=utcnow(), is_provisional=provisional, data_as_of=data_as_of,
        goals=list(db.session.scalars(select(Goal).order_by(Goal.number))) if kind != FACTSHEET else [],
        deliverables=list(db.session.scalars(
            select(Deliverable).options(selectinload(Deliverable.actions).selectinload(Action.plannings))
            .order_by(Deliverable.position))) if kind != FACTSHEET else [],
        programme_indicators=indicators.get(None, []) if kind != FACTSHEET else [],
        sections=sections, learning=lessons_per_question(sections), money=money,
        decisions=_decisions(sections, money), previous_report=_previous_report(kind, span, initiative),
        status_counts=status_counts)
    if kind != FACTSHEET:
        # The monitor as it stood at the reference date: editions up to its year.
        editions = [e for e in monitor_queries.published_editions() if e.year <= content.reference_date.year]
        content.resilience = monitor_resilience.resilience(editions)
        content.matrix = toetsingskader.matrix(edition=editions[-1] if editions else None)
    content.charts = _charts(content)
    content.tables = _tables(content)
    return content


def _charts(content: ReportContent) -> dict:
    out = {"status": charts.status_chart(content.status_counts)}
    lines = [(line.indicator.name, line) for line in content.programme_indicators]
    lines += [(f"{s.initiative.number} {line.indicator.name}", line) for s in content.sections for line in s.indicators]
    out["indicators"] = charts.indicator_chart(lines)
    # Each monitor-linked indicator over time: the same chart as on its web page.
    linked = [line.indicator for _label, line in lines if line.indicator.monitor_indicator_id is not None]
    tracks = tracks_for(linked, until=content.reference_date)
    out["linked"] = [(label, impact_charts.indicator_chart(tracks[line.indicator.id], f"ind-{line.indicator.id}"))
                     for label, line in lines if line.indicator.id in tracks]
    if content.resilience is not None:
        out["resilience_map"] = monitor_resilience.region_map(content.resilience, element_id="rapport-kaart")
    rows = content.money.initiatives if content.is_factsheet else content.money.sources
    out["budget"] = charts.budget_chart(rows, "Besteding per initiatief" if content.is_factsheet
                                        else "Besteding per financieringsbron")
    return out


def _money_table(key: str, title: str, first: str, rows, total=None) -> ReportTable:
    columns = [Column(first), Column("Begroot", MONEY), Column("Verplicht", MONEY), Column("Besteed", MONEY),
               Column("Waarvan in deze periode", MONEY), Column("Resterend", MONEY), Column("Besteed %", PERCENT)]
    table = ReportTable(key, title, columns, [[r.label, r.budgeted, r.committed, r.spent, r.spent_in_period,
                                                r.remaining, r.spent_share] for r in rows])
    if total is not None:
        table.footer = [total.label, total.budgeted, total.committed, total.spent, total.spent_in_period,
                        total.remaining, total.spent_share]
    return table


def _tables(content: ReportContent) -> list[ReportTable]:
    status = ReportTable("status", "Status per initiatief", [
        Column("Nummer"), Column("Initiatief"), Column("Status"), Column("Vorige periode"), Column("Toelichting"),
        Column("Goedgekeurd bericht van", DATE)],
        [[s.initiative.number, s.initiative.name, s.light_label, s.previous_light_label,
          (s.update.explanation if s.update else None), (s.update.reviewed_dt.date() if s.update and
                                                          s.update.reviewed_dt else None)]
         for s in content.sections])
    indicators = ReportTable("indicatoren", "Indicatoren", [
        Column("Initiatief"), Column("Indicator"), Column("Eenheid"), Column("Nulmeting", NUMBER),
        Column("Streefwaarde", NUMBER), Column("Streefperiode"), Column("Gemeten", NUMBER),
        Column("Gemeten op", DATE), Column("Status")],
        [[("Programma" if line.indicator.initiative_id is None else section_number), line.indicator.name,
          line.indicator.unit, line.baseline, line.target, line.target_label, line.actual, line.actual_on,
          line.light_label]
         for section_number, lines in [("Programma", content.programme_indicators)] +
         [(s.initiative.number, s.indicators) for s in content.sections] for line in lines])
    monitor = ReportTable("monitor", "Monitor Sociale Veerkracht: gebied naast Brabant", [
        Column("Initiatief"), Column("Indicator"), Column("Gebied"), Column("Waarde", NUMBER),
        Column("Brabant", NUMBER), Column("Verschil", NUMBER), Column("Editie", NUMBER)],
        [[s.initiative.number, m.indicator.name, m.area_name, m.value, m.brabant, m.difference, m.edition_year]
         for s in content.sections for m in s.monitor])
    lessons = ReportTable("lessen", "Lessen per leervraag", [
        Column("Initiatief"), Column("Leervraag"), Column("Status leervraag"), Column("Les")],
        [[q.initiative.number, q.question.question if q.question else "Niet aan een leervraag gekoppeld",
          q.question.status_label if q.question else None, lesson.text]
         for q in content.learning for lesson in q.lessons])
    risks = ReportTable("risicos", "Risico's", [
        Column("Initiatief"), Column("Risico"), Column("Kans"), Column("Impact"), Column("Maatregel")],
        [[i.number, r.description, r.likelihood_label, r.impact_label, r.measure] for i, r in content.risks])
    money = content.money
    tables = [status, indicators, monitor, lessons, risks]
    if not content.is_factsheet:
        tables.append(_money_table("prestaties", "Middelen per prestatie", "Prestatie", money.deliverables,
                                   money.total))
        tables.append(_money_table("bronnen", "Middelen per financieringsbron", "Financieringsbron", money.sources,
                                   money.total))
        tables.append(_money_table("jaren", "Middelen per begrotingsperiode", "Begrotingsperiode",
                                   money.budget_periods, money.total))
    tables.append(_money_table("initiatieven", "Middelen per initiatief", "Initiatief", money.initiatives))
    tables.append(ReportTable("verschillen", "Verschillen tussen bronnen en berekening", [
        Column("Onderwerp"), Column("Periode"), Column("Vergeleken bedrag", MONEY),
        Column("Begroot of berekend", MONEY),
        Column("Verschil", MONEY), Column("Betekenis"), Column("Bron", TEXT)],
        [[d.subject, d.period, d.measured, d.reference, d.value, d.sentence, d.source] for d in money.differences]))
    return tables
