"""The example history written through the real operations: people, plans, two years of progress, reports.

Used by seed/example.py, which marks every row this writes and can remove them again; the texts are
data (seed/data/example/history.yaml)."""
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from programme.accounts.models import User
from programme.accounts.operations import AccountError, create_user
from programme.accounts.queries import find_user
from programme.accounts.passwords import password_problems
from programme.budget.operations import create_line
from programme.budget.models import BudgetYears, FundingSource
from programme.core import audit
from programme.core.permissions import MANAGER, OWNER, users_with_role
from programme.core.extensions import db
from programme.impact import operations as impact_ops
from programme.impact.models import ImpactIndicator, ImpactMeasurement
from programme.initiatives import operations as initiative_ops
from programme.initiatives.models import Initiative, initiative_owners, initiative_resources
from programme.monitor.models import Area, MonitorIndicator
from programme.progress import evidence as files
from programme.progress import operations as progress_ops
from programme.progress.models import ProgressRound, ProgressUpdate
from programme.seed.models import ExampleRecord
from programme.reports.kinds import FACTSHEET
from programme.reports.models import DONE, Delivery

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WORKER = "voorbeeldgegevens"
MARKERS = ExampleRecord.__table__
VALUE_SOURCE = "Eigen registratie van het initiatief"
PROGRAMME_SOURCE = "Telling van het programmabureau"



class ExampleDataRefused(RuntimeError):
    """Example data cannot be loaded or removed here; str(error) says why, in Dutch."""



def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    """A time of day in the Netherlands, as the UTC datetime the database keeps."""
    return datetime.combine(day, time(hour, minute), AMSTERDAM).astimezone(ZoneInfo("UTC"))


def _pdf(title: str, text: str) -> bytes:
    """A small real PDF for an evidence file, clearly marked as invented."""
    from markupsafe import escape
    from weasyprint import HTML

    html = (f'<html lang="nl"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f'<body style="font-family: sans-serif"><h1 style="font-size: 16pt">{escape(title)}</h1>'
            f"<p>{escape(text)}</p><p><strong>Voorbeeldgegevens</strong>: dit document is verzonnen voor de "
            "demonstratie van de programmavolger Sociale Veerkracht.</p></body></html>")
    return HTML(string=html).write_pdf()


def _unused_password(spec: dict) -> str:
    """A random password nobody knows (example accounts never sign in) that the password rules accept;
    a random one can happen to contain a word of the name."""
    while True:
        password = secrets.token_urlsafe(24)
        if not password_problems(password, name=spec["name"], email=spec["email"]):
            return password


@dataclass
class Plan:
    """One initiative's part of the example, resolved to records."""
    initiative: Initiative
    author: User
    lines: dict = field(default_factory=dict)
    indicators: dict = field(default_factory=dict)
    updates: dict = field(default_factory=dict)  # period code -> update spec


class Loader:
    def __init__(self, data: dict, marker, today: date):  # marker: seed.example.Marker
        self.data, self.marker, self.today = data, marker, today
        self.stats: dict[str, int] = defaultdict(int)

    # --- people
    def _demo_user(self, role: str, initiative: Initiative | None = None) -> User | None:
        query = select(User).where(User.is_demo.is_(True), users_with_role(User, role), User.is_active.is_(True))
        if initiative is not None:
            query = query.join(initiative_owners, initiative_owners.c.user_id == User.id).where(
                initiative_owners.c.initiative_id == initiative.id)
        return db.session.scalars(query.order_by(User.id)).first()

    def _new_user(self, spec: dict, role: str) -> User:
        if find_user(spec["email"]):
            raise ExampleDataRefused(f"Er bestaat al een account {spec['email']} dat niet bij de voorbeeldgegevens "
                                     "hoort; verwijder of hernoem het eerst.")
        try:
            user = create_user(spec["email"], spec["name"], role, _unused_password(spec))
        except AccountError as exc:
            raise ExampleDataRefused(str(exc)) from exc
        self.stats["accounts"] += 1
        return user

    def _initiative(self, number: str) -> Initiative:
        initiative = db.session.scalar(select(Initiative).where(Initiative.number == number))
        if initiative is None:
            raise ExampleDataRefused(f"Initiatief {number} bestaat niet; draai eerst `flask seed`.")
        return initiative

    def people(self) -> None:
        stand_ins = self.data["stand_ins"]
        self.manager = self._demo_user(MANAGER) or self._new_user(stand_ins["manager"], MANAGER)
        self.demo_owner = None
        self.plans: list[Plan] = []
        for spec in self.data["initiatives"]:
            initiative = self._initiative(spec["number"])
            if spec["owner"] == "demo":
                author = self._demo_user(OWNER, initiative) or self.demo_owner
                if author is None:
                    author = self.demo_owner = self._new_user(stand_ins["owner"], OWNER)
            else:
                author = self._new_user(spec["owner"], OWNER)
            if author not in initiative.owners:
                initiative.owners.append(author)
            self.plans.append(Plan(initiative, author, updates={u["period"]: u for u in spec["updates"]}))

    # --- the monitor's resources and areas, by code and name
    def _resource(self, code: str) -> MonitorIndicator:
        if not hasattr(self, "_resources"):
            self._resources = {i.code: i for i in db.session.scalars(select(MonitorIndicator))}
        if code not in self._resources:
            raise ExampleDataRefused(f"De monitorindicator {code} bestaat niet; draai eerst `flask seed`.")
        return self._resources[code]

    def _area(self, name: str) -> Area:
        if not hasattr(self, "_areas"):
            self._areas = {a.name: a for a in db.session.scalars(select(Area))}
        if name not in self._areas:
            raise ExampleDataRefused(f"Het gebied {name} bestaat niet; draai eerst `flask seed`.")
        return self._areas[name]

    def resources(self) -> None:
        """The toetsingskader: the manager records the resources each initiative works on. An initiative whose
        resources someone recorded already keeps them; the links the example adds are marked per initiative
        (a link row has no id of its own), so removal takes exactly those."""
        for plan, spec in zip(self.plans, self.data["initiatives"], strict=True):
            if not spec.get("resources") or plan.initiative.resources:
                continue
            initiative_ops.set_resources(plan.initiative, [self._resource(code).id for code in spec["resources"]],
                                         self.manager)
            self.marker.mark_links(initiative_resources, plan.initiative.id)
            self.stats["toetsingskader"] += 1
        self.marker.stamp(_moment(self.data["setup_on"], 9, 45))

    # --- the initiatives' budget lines and indicators
    def setup(self) -> None:
        period = db.session.scalar(select(BudgetYears).where(BudgetYears.code == self.data["budget_period"]))
        sources = {s.code: s for s in db.session.scalars(select(FundingSource))}
        for plan, spec in zip(self.plans, self.data["initiatives"], strict=True):
            for line in spec["budget_lines"]:
                plan.lines[line["key"]] = create_line(
                    {"period_id": period.id, "funding_source_id": sources[line["source"]].id,
                     "amount": Decimal(str(line["amount"])), "description": line["description"]},
                    initiative=plan.initiative)
            for item in spec["indicators"]:
                baseline = item.get("baseline")
                indicator = impact_ops.create_indicator(plan.initiative, {
                    "name": item["name"], "unit": item["unit"], "higher_is_better": True,
                    "baseline_value": Decimal(str(baseline)) if baseline is not None else None,
                    "baseline_text": item.get("baseline_text")})
                for year, value in item.get("targets", {}).items():
                    impact_ops.add_target(indicator, {"period_label": str(year),
                                                      "target_value": Decimal(str(value))})
                plan.indicators[item["key"]] = indicator
        self.marker.stamp(_moment(self.data["setup_on"], 9, 30))

    def periods(self) -> list[ProgressRound]:
        codes = sorted({code for plan in self.plans for code in plan.updates})
        found = []
        for year in sorted({int(code[:4]) for code in codes}):
            progress_ops.ensure_quarters(year)
            self.marker.stamp(_moment(date(year, 1, 5), 8, 45))
        for code in codes:
            period = db.session.scalar(select(ProgressRound).where(ProgressRound.code == code))
            taken = db.session.scalar(select(func.count(ProgressUpdate.id)).where(
                ProgressUpdate.period_id == period.id,
                ProgressUpdate.initiative_id.in_([p.initiative.id for p in self.plans if code in p.updates])))
            if taken:
                raise ExampleDataRefused(f"Er staan al voortgangsberichten over {period.label} van de initiatieven "
                                         "uit de voorbeeldgegevens; voorbeeldgegevens worden alleen geladen in een "
                                         "programma zonder die voortgang.")
            if not period.is_open:
                raise ExampleDataRefused(f"De periode {period.label} is gesloten; heropen haar of laad de "
                                         "voorbeeldgegevens in een nieuwe database.")
            found.append(period)
        return found

    # --- progress
    def _content(self, plan: Plan, spec: dict, measured_on: date) -> dict:
        questions = plan.initiative.learning_questions
        content = {"traffic_light": spec.get("light")}
        for key in ("explanation", "done", "results", "next_steps"):
            content[key] = spec.get(key)
        content["lessons"] = [{"learning_question": questions[x["question"] - 1] if x.get("question") else None,
                               "text": x["text"]} for x in spec.get("lessons", [])]
        content["risks"] = [dict(x) for x in spec.get("risks", [])]
        content["indicator_values"] = [
            {"impact_indicator": plan.indicators[key], "value": Decimal(str(value)), "measured_on": measured_on,
             "source": VALUE_SOURCE} for key, value in spec.get("values", {}).items()]
        content["spending"] = [
            {"budget_line": plan.lines[key], "committed": Decimal(str(committed)), "spent": Decimal(str(spent))}
            for key, (committed, spent) in spec.get("spending", {}).items()]
        if spec.get("observations"):
            content["observations"] = [{"resource": self._resource(x["resource"]), "area": self._area(x["area"]),
                                        "text": x["text"]} for x in spec["observations"]]
            self.stats["observations"] += len(spec["observations"])
        return content

    def _evidence(self, update_row: ProgressUpdate, author: User, spec: dict) -> None:
        data = _pdf(spec["title"], spec["text"])
        name, mime_type = files.check(spec["name"], data)
        stored_name, sha256 = files.store(data)
        try:
            progress_ops.add_evidence(update_row, author, original_name=name, stored_name=stored_name,
                                      mime_type=mime_type, size=len(data), sha256=sha256)
        except Exception:
            files.discard(stored_name)
            raise
        self.stats["evidence"] += 1

    def period_updates(self, period: ProgressRound) -> None:
        """The period's updates, written in the order a quarter goes: every owner drafts and fills
        in, then submits; the manager returns what needs work (and the owner corrects and submits
        again), then approves. Each step is dated a few days after the period ends (an update in a
        period that has not ended in the past weeks), so ids and dates run in the same order."""
        ref = min(period.ends_on, self.today - timedelta(days=16))

        def at(days: int, hour: int, index: int, minutes: int = 0) -> datetime:
            return _moment(ref + timedelta(days=days), hour, minutes) + timedelta(minutes=37 * index)

        items = [(plan, plan.updates[period.code]) for plan in self.plans if period.code in plan.updates]
        rows = []
        for index, (plan, spec) in enumerate(items):
            row = progress_ops.create_draft(plan.initiative, period, plan.author)
            self.marker.stamp(at(1, 9, index), row, created_dt=True)
            progress_ops.update_draft(row, self._content(plan, spec, min(period.ends_on, ref + timedelta(days=5))),
                                      plan.author)
            self.marker.stamp(at(3, 10, index), row)
            if spec.get("evidence"):
                self._evidence(row, plan.author, spec["evidence"])
                self.marker.stamp(at(3, 10, index, 4), row)
            self.stats[spec.get("state", "approved")] += 1
            rows.append(row)
        items = [(plan, spec, row) for (plan, spec), row in zip(items, rows, strict=True)
                 if spec.get("state") != "draft"]
        for index, (plan, _spec, row) in enumerate(items):
            progress_ops.submit(row, plan.author)
            self.marker.stamp(at(6, 13, index), row, submitted_dt=True)
        items = [item for item in items if item[1].get("state") != "submitted"]
        for plan, spec, row in items:
            if spec.get("returned"):
                progress_ops.return_update(row, self.manager, spec["returned"]["comment"])
                self.marker.stamp(at(9, 10, 0, 15), row, reviewed_dt=True)
                progress_ops.update_draft(row, dict(spec["returned"]["then"]), plan.author)
                self.marker.stamp(at(10, 11, 0), row)
                progress_ops.submit(row, plan.author)
                self.marker.stamp(at(10, 11, 0, 25), row, submitted_dt=True)
                self.stats["returned"] += 1
        for index, (_plan, _spec, row) in enumerate(items):
            progress_ops.approve(row, self.manager)
            self.marker.stamp(at(12, 9, index, 30), row, reviewed_dt=True)

    def progress(self, periods: list[ProgressRound]) -> None:
        closing = set(self.data.get("close_periods", []))
        created = set(db.session.scalars(select(MARKERS.c.record_id).where(
            MARKERS.c.table_name == ProgressRound.__tablename__)))
        for period in periods:
            self.period_updates(period)
            # Only periods the example created are closed: a period someone else made stays as it was.
            if period.code in closing and period.id in created and period.ends_on < self.today:
                progress_ops.close_period(period, self.manager)
                self.marker.stamp(_moment(period.ends_on + timedelta(days=30), 17, 0))

    def programme_values(self) -> None:
        """Values of programme indicators: no update carries them, so they are example measurements."""
        for item in self.data.get("programme_values", []):
            indicator = db.session.scalar(select(ImpactIndicator).where(ImpactIndicator.code == item["indicator"]))
            if indicator is None:
                raise ExampleDataRefused(f"De programma-indicator {item['indicator']} bestaat niet; "
                                         "draai eerst `flask seed`.")
            for measured_on, value in sorted(item["values"].items()):
                if measured_on >= self.today:
                    continue
                measurement = ImpactMeasurement(indicator=indicator, value=Decimal(str(value)),
                                                measured_on=measured_on, source_text=PROGRAMME_SOURCE,
                                                is_example=True)
                db.session.add(measurement)
                db.session.flush()
                audit.record("impact_measurement.create", indicator, actor=self.manager,
                             new={"value": measurement.value, "measured_on": measured_on, "source": PROGRAMME_SOURCE})
                self.marker.stamp(_moment(measured_on + timedelta(days=10), 11, 0))

    # --- reports
    def reports(self) -> None:
        from programme.reports.operations import request_report
        from programme.reports.spans import parse_span
        from programme.reports.worker.builds import run_build
        from programme.reports.worker.leases import claim

        for spec in self.data.get("reports", []):
            period = parse_span(spec["period"])
            if period.ends_on >= self.today:
                continue  # only periods that have ended are reported on
            initiative = self._initiative(spec["initiative"]) if spec["kind"] == FACTSHEET else None
            build = request_report(spec["kind"], period, initiative=initiative, user=self.manager)
            # Claimed in the transaction that queues it: a running scheduler never sees it queued.
            build = claim(build.id, WORKER)
            build = run_build(build)
            if build.status != DONE:
                raise ExampleDataRefused(f"De voorbeeldrapportage {build.kind_label} over {period.label} is niet "
                                         f"gelukt: {build.error}")
            # Example reports are never e-mailed to the real recipients.
            db.session.execute(delete(Delivery).where(Delivery.report_id == build.report_id))
            db.session.commit()
            self.stats["reports"] += 1
