"""Example data for demonstrations (`flask example-data`): a fictional history of two years of
quarterly progress on several initiatives, with lessons, indicator values, spending, risks,
evidence files, one update returned and corrected, a draft and a submitted update in the current
period, and issued reports. Never in production.

Everything is written through the real operations (accounts, budget, impact, progress, report
builds), so rules are checked and audit entries written as for a person. While it loads, every row
the session inserts is listed in `example_records` in the same transaction; removal deletes exactly
those rows (and what other people added onto them, such as the approval of an example update) and
their files. Timestamps are then moved to plausible moments in the past (an update submitted a
week after its quarter, approved a week later): the history reads as two years, not one minute.
The texts are data: seed/data/example/history.yaml."""
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from programme.accounts.models import User
from programme.accounts.operations import AccountError, create_user, find_user
from programme.accounts.passwords import password_problems
from programme.budget.editing import create_line
from programme.budget.models import BudgetPeriod, FundingSource
from programme.core import audit
from programme.core.db import utcnow
from programme.core.permissions import MANAGER, OWNER
from programme.core.extensions import db
from programme.impact import operations as impact_ops
from programme.impact.models import ImpactIndicator, ImpactMeasurement
from programme.initiatives.models import Initiative, initiative_owners
from programme.progress import evidence as files
from programme.progress import operations as progress_ops
from programme.progress.models import ProgressRound, ProgressUpdate
from programme.progress.update_items import Evidence, IndicatorValue, Lesson, Risk, Spending
from programme.reports.models import DONE, FACTSHEET, Delivery, IssuedReport, ReportBuild
from programme.seed.loader import load_yaml
from programme.seed.models import ExampleRecord

HISTORY = "example/history.yaml"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WORKER = "voorbeeldgegevens"
VALUE_SOURCE = "Eigen registratie van het initiatief"
PROGRAMME_SOURCE = "Telling van het programmabureau"
# The progress rows that hang under an update, and the column that ties them to it.
UPDATE_CHILDREN = ((Lesson, "update_id"), (Risk, "update_id"), (IndicatorValue, "update_id"),
                   (Spending, "update_id"), (Evidence, "update_id"), (ImpactMeasurement, "progress_update_id"))
MARKERS = ExampleRecord.__table__


class ExampleDataRefused(RuntimeError):
    """Example data cannot be loaded or removed here; str(error) says why, in Dutch."""


def refuse_in_production() -> None:
    if current_app.config.get("PRODUCTION"):
        raise ExampleDataRefused("Voorbeeldgegevens horen niet in productie (APP_ENV=production): "
                                 "er is niets geladen of verwijderd.")


def is_present() -> bool:
    """Whether example data is in the database (one indexed look-up; pages ask it on every render)."""
    try:
        return db.session.scalar(select(MARKERS.c.id).limit(1)) is not None
    except SQLAlchemyError:
        # An error page rendered after a failed query must still render.
        return False


def template_context() -> dict:
    return {"example_data_present": is_present()}


# ---------------------------------------------------------------- marking what is created

class Marker:
    """While active, lists every row the session inserts in example_records (same transaction,
    so a rollback takes both), forgets rows it deletes, and remembers the new rows since the last
    `stamp` so their timestamps can be moved to the example's moment."""

    def __init__(self, session):
        self.session = session
        self.recent: dict[str, set[int]] = defaultdict(set)

    def __enter__(self):
        event.listen(self.session, "after_flush", self._after_flush)
        return self

    def __exit__(self, *_exc):
        event.remove(self.session, "after_flush", self._after_flush)

    def _after_flush(self, session, _context):
        new = [(obj.__table__.name, obj.id) for obj in session.new
               if obj.__table__ is not MARKERS and getattr(obj, "id", None) is not None]
        gone = [(obj.__table__.name, obj.id) for obj in session.deleted if obj.__table__ is not MARKERS]
        connection = session.connection()
        if new:
            now = utcnow()
            connection.execute(insert(MARKERS), [{"table_name": t, "record_id": i, "created_dt": now} for t, i in new])
            for table, row_id in new:
                self.recent[table].add(row_id)
        for table, row_id in gone:
            connection.execute(delete(MARKERS).where(MARKERS.c.table_name == table, MARKERS.c.record_id == row_id))

    def stamp(self, when: datetime, update_row: ProgressUpdate | None = None, **columns: bool) -> None:
        """Date the rows inserted since the last stamp (created_dt, or dt) at `when`; for an update
        also updated_dt and each column named True (created_dt, submitted_dt, reviewed_dt)."""
        db.session.flush()
        tables = db.metadata.tables
        for table_name, ids in self.recent.items():
            table = tables[table_name]
            for column in ("created_dt", "dt"):
                if column in table.c:
                    db.session.execute(update(table).where(table.c.id.in_(ids)).values({column: when}))
        self.recent.clear()
        if update_row is not None:
            values = {"updated_dt": when, **{name: when for name, on in columns.items() if on}}
            db.session.execute(update(ProgressUpdate.__table__)
                               .where(ProgressUpdate.__table__.c.id == update_row.id).values(values))


def _prune_markers() -> None:
    """Forget markers of rows that were deleted again during the load (replaced child rows), so
    that a later row with a reused id is never taken for example data."""
    for table_name in db.session.scalars(select(MARKERS.c.table_name).distinct()).all():
        table = db.metadata.tables[table_name]
        db.session.execute(delete(MARKERS).where(MARKERS.c.table_name == table_name,
                                                 MARKERS.c.record_id.not_in(select(table.c.id))))


# ---------------------------------------------------------------- loading

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
    def __init__(self, data: dict, marker: Marker, today: date):
        self.data, self.marker, self.today = data, marker, today
        self.stats: dict[str, int] = defaultdict(int)

    # --- people
    def _demo_user(self, role: str, initiative: Initiative | None = None) -> User | None:
        query = select(User).where(User.is_demo.is_(True), User.role == role, User.is_active.is_(True))
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

    # --- the initiatives' budget lines and indicators
    def setup(self) -> None:
        period = db.session.scalar(select(BudgetPeriod).where(BudgetPeriod.code == self.data["budget_period"]))
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
        from programme.reports.build import claim, request_report, run_build
        from programme.reports.periods import parse_period

        for spec in self.data.get("reports", []):
            period = parse_period(spec["period"])
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


def load_example_data(today: date | None = None) -> dict[str, int] | None:
    """Load the example history; None when it is there already (nothing changes)."""
    refuse_in_production()
    if is_present():
        return None
    today = today or utcnow().astimezone(AMSTERDAM).date()
    with Marker(db.session()) as marker:
        loader = Loader(load_yaml(HISTORY), marker, today)
        try:
            loader.people()
            loader.setup()
            loader.progress(loader.periods())
            loader.programme_values()
            _prune_markers()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        loader.reports()
        _prune_markers()
        db.session.commit()
    return dict(loader.stats)


# ---------------------------------------------------------------- removal

def _ids(model, column: str, parents: set[int]) -> set[int]:
    if not parents:
        return set()
    table = model.__table__
    return set(db.session.scalars(select(table.c.id).where(table.c[column].in_(parents))))


def _chunks(ids: set[int], size: int = 500):
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


def remove_example_data() -> dict[str, int]:
    """Delete every example row, what others added onto example updates and reports, and their
    files; {} when there is none. One transaction: a failure changes nothing."""
    refuse_in_production()
    doomed: dict[str, set[int]] = defaultdict(set)
    for table_name, record_id in db.session.execute(select(MARKERS.c.table_name, MARKERS.c.record_id)):
        doomed[table_name].add(record_id)
    if not doomed:
        return {}
    updates = doomed[ProgressUpdate.__tablename__]
    # A correction someone started on an example update goes with it (it points at it).
    corrections = _ids(ProgressUpdate, "previous_revision_id", updates) - updates
    while corrections:
        updates |= corrections
        corrections = _ids(ProgressUpdate, "previous_revision_id", corrections) - updates
    for model, column in UPDATE_CHILDREN:
        doomed[model.__tablename__] |= _ids(model, column, updates)
    reports = doomed[IssuedReport.__tablename__]
    doomed[Delivery.__tablename__] |= _ids(Delivery, "report_id", reports)
    doomed[ReportBuild.__tablename__] |= _ids(ReportBuild, "report_id", reports)
    # A period that holds someone else's update (for example the demo owner's own draft) stays.
    periods = doomed[ProgressRound.__tablename__]
    periods -= set(db.session.scalars(select(ProgressUpdate.period_id).where(
        ProgressUpdate.period_id.in_(periods), ProgressUpdate.id.not_in(updates))))
    evidence_files = set(db.session.scalars(select(Evidence.stored_name).where(
        Evidence.id.in_(doomed[Evidence.__tablename__]))))
    report_files = set(db.session.scalars(select(IssuedReport.stored_name).where(IssuedReport.id.in_(reports))))
    users = doomed[User.__tablename__]
    try:
        if users:
            db.session.execute(delete(initiative_owners).where(initiative_owners.c.user_id.in_(users)))
        # Children before parents; core deletes, because the archive and approved updates refuse
        # deletion through the ORM (that guard is for people, not for taking out example data).
        for table in reversed(db.metadata.sorted_tables):
            for chunk in _chunks(doomed.get(table.name, set())):
                db.session.execute(delete(table).where(table.c.id.in_(chunk)))
        db.session.execute(delete(MARKERS))
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ExampleDataRefused("De voorbeeldgegevens konden niet worden verwijderd: er zijn gegevens aan "
                                 "toegevoegd die ernaar verwijzen. Er is niets verwijderd.") from exc
    except BaseException:
        db.session.rollback()
        raise
    db.session.expire_all()
    # Files last, once the rows are gone for good; an evidence file still used by a row stays.
    still_used = set(db.session.scalars(select(Evidence.stored_name).where(Evidence.stored_name.in_(evidence_files))))
    for stored_name in evidence_files - still_used:
        files.discard(stored_name)
    from programme.reports.build import reports_dir

    for stored_name in report_files:
        (reports_dir() / stored_name).unlink(missing_ok=True)
    return {table: len(ids) for table, ids in doomed.items() if ids}
