"""A programme with a history, for tests that build reports from realistic content: every seeded
initiative gets an owner, two indicators with baseline and target, two budget lines, and an approved
update in each of the first three quarters of 2026, as long as owners realistically write them: a
status with its explanation, what was done, results, next steps, a lesson on each learning question,
two risks, a value for each indicator and spending on each line. Flushed, never committed.

`programme_with_progress` is the one place the report tests get their data from: swap its body for
the example data (`flask example-data`) when that exists; the tests need only what `Progress` says."""
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from programme.accounts.operations import find_user
from programme.budget.models import BudgetLine, BudgetYears, FundingSource
from programme.impact.models import ImpactIndicator, ImpactTarget
from programme.initiatives.models import Initiative
from programme.monitor.models import MonitorIndicator
from programme.progress import operations as ops
from programme.progress.models import ProgressRound
from programme.reports.spans import parse_span
from tests.conftest import USERS

REPORT_YEAR = 2026
QUARTERS = (1, 2, 3)  # ended before today (2 December 2026)

DONE = ("Voor {name} hebben we met de gemeente en twee welzijnsorganisaties {n} bijeenkomsten gehouden. "
        "Vrijwilligers hebben bewoners thuis bezocht en uitgenodigd; de opkomst was hoger dan bij de "
        "vorige ronde. Met het samenwerkingsverband is een werkplan voor het komende halfjaar opgesteld.")
RESULTS = ("Aan {name} namen {people} bewoners deel, van wie een derde voor het eerst. Twee bewonersgroepen werken "
           "zelfstandig verder aan een eigen plan.")
NEXT_STEPS = ("{name}: evaluatie met de partners in de volgende maand; werving van vrijwilligers voor de tweede "
              "ronde; een kort verslag voor de gemeenteraad.")
EXTRA = (" Daarnaast zijn de ervaringen gedeeld in het lerend netwerk van de provincie, en is met de "
         "kennispartner afgesproken welke gegevens we bijhouden om het effect op de sociale veerkracht te "
         "volgen. De gemeente heeft toegezegd de aanpak op te nemen in haar sociaal beleid.")
LESSON = ("{name}: bewoners komen eerder als een buur of sleutelfiguur hen persoonlijk uitnodigt dan na een brief "
          "of een bericht op sociale media ({period}).")
LIGHTS = ("op_koers", "aandacht", "risico")
EXPLANATION = "{name}: minder vrijwilligers beschikbaar dan gepland; de planning schuift een kwartaal op."


@dataclass
class Progress:
    """What the report tests need to know of the data: the periods to report on and the initiatives."""
    quarter: str  # the GS quarter and the factsheets' period, e.g. '2026-K3'
    half_year: str  # the PS half year, e.g. '2026-H1'
    initiatives: list[Initiative]  # the seeded initiatives, each with approved updates in `quarter`


def _period(db, year: int, quarter: int) -> ProgressRound:
    span = parse_span(f"{year}-K{quarter}")
    existing = select(ProgressRound).where(ProgressRound.code == span.code)
    return db.session.scalar(existing) or ops.add_period(span.code, span.label, span.starts_on, span.ends_on,
                                                        kind="quarter")


def _indicators(db, initiative: Initiative, linked: MonitorIndicator | None) -> list[ImpactIndicator]:
    code = uuid.uuid4().hex[:8]
    reached = ImpactIndicator(code=f"bereik-{code}", initiative_id=initiative.id, name="Bereikte bewoners",
                              unit="count", baseline_value=Decimal(0), position=1)
    supported = ImpactIndicator(code=f"steun-{code}", initiative_id=initiative.id,
                                name="Bewoners die zich gesteund voelen door hun buurt", unit="percent",
                                baseline_value=Decimal("52"), position=2,
                                monitor_indicator_id=linked.id if linked else None)
    db.session.add_all([reached, supported])
    db.session.flush()
    db.session.add_all([ImpactTarget(indicator_id=reached.id, period_label=str(REPORT_YEAR), target_value=Decimal(150)),
                        ImpactTarget(indicator_id=supported.id, period_label=str(REPORT_YEAR),
                                     target_value=Decimal(60))])
    return [reached, supported]


def _budget_lines(db, initiative: Initiative) -> list[BudgetLine]:
    budget_period = db.session.scalar(select(BudgetYears).order_by(BudgetYears.first_year.desc()))
    zet = db.session.scalar(select(FundingSource).where(FundingSource.code == "zet"))
    lines = [BudgetLine(initiative_id=initiative.id, period_id=budget_period.id, amount=Decimal("45000.00"),
                        description="Bijdrage provincie"),
             BudgetLine(initiative_id=initiative.id, period_id=budget_period.id, amount=Decimal("12000.00"),
                        funding_source_id=zet.id if zet else None, description="Inzet ZET")]
    db.session.add_all(lines)
    db.session.flush()
    return lines


def _content(initiative, period, index, quarter, indicators, lines) -> dict:
    light = LIGHTS[(index + quarter) % 3]
    ends_on = period.ends_on
    return {
        "traffic_light": light,
        "explanation": EXPLANATION.format(name=initiative.name) if light != "op_koers" else None,
        "done": DONE.format(name=initiative.name, n=2 + quarter) + EXTRA,
        "results": RESULTS.format(name=initiative.name, people=30 * quarter + index),
        "next_steps": NEXT_STEPS.format(name=initiative.name),
        "lessons": [{"learning_question": q, "text": LESSON.format(name=initiative.name, period=period.label)}
                    for q in initiative.learning_questions],
        "risks": [{"description": "Vrijwilligers haken af na de eerste ronde", "likelihood": "middel",
                   "impact": "hoog", "measure": "Vaste contactpersoon per groep"},
                  {"description": "Subsidie van de gemeente voor volgend jaar is onzeker", "likelihood": "laag",
                   "impact": "middel", "measure": "Gesprek met de wethouder gepland"}],
        "indicator_values": [
            {"impact_indicator": indicators[0], "value": Decimal(40 * quarter + index), "source": "Presentielijsten",
             "measured_on": ends_on - timedelta(days=5)},
            {"impact_indicator": indicators[1], "value": Decimal(52 + quarter * 2), "source": "Enquête deelnemers",
             "measured_on": ends_on - timedelta(days=5)}],
        "spending": [{"budget_line": lines[0], "committed": Decimal(9000 * quarter), "spent": Decimal(7000 * quarter)},
                     {"budget_line": lines[1], "committed": Decimal(2500 * quarter), "spent": Decimal(2000 * quarter)}],
    }


def programme_with_progress(db) -> Progress:
    users = {role: find_user(USERS[role][0]) for role in ("manager", "owner")}
    initiatives = sorted(db.session.scalars(select(Initiative).where(Initiative.is_archived.is_(False),
                                                                     Initiative.number.like("1.%"))),
                         key=lambda i: i.sort_key)
    linked = db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == "trust_social"))
    periods = [_period(db, REPORT_YEAR, q) for q in QUARTERS]
    for index, initiative in enumerate(initiatives):
        if users["owner"] not in initiative.owners:
            initiative.owners.append(users["owner"])
        indicators = _indicators(db, initiative, linked)
        lines = _budget_lines(db, initiative)
        for quarter, period in zip(QUARTERS, periods, strict=True):
            update = ops.create_draft(initiative, period, users["owner"])
            ops.update_draft(update, _content(initiative, period, index, quarter, indicators, lines),
                             users["owner"])
            ops.approve(ops.submit(update, users["owner"]), users["manager"])
    db.session.flush()
    return Progress(quarter=f"{REPORT_YEAR}-K{QUARTERS[-1]}", half_year=f"{REPORT_YEAR}-H1",
                    initiatives=initiatives)
