"""Example data for demonstrations (`flask example-data`): loading and removing a fictional history.

A fictional history of two years of quarterly progress on several initiatives, with lessons,
indicator values, spending, risks, evidence files, observations beside the monitor, one update returned and
corrected, a draft and a submitted update in the current period, the resources the initiatives work on (the
toetsingskader), and issued reports. Never in production.

Everything is written through the real operations (seed/history.py), so rules are checked and audit
entries written as for a person. While it loads, every row the session inserts is listed in
`example_records` in the same transaction; removal deletes exactly those rows (and what other people
added onto them, such as the approval of an example update) and their files. Timestamps are then
moved to plausible moments in the past (an update submitted a week after its quarter, approved a
week later): the history reads as two years, not one minute.
The texts are data: seed/data/example/history.yaml."""
from collections import defaultdict
from datetime import date, datetime

from flask import current_app
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from programme.accounts.models import User
from programme.core.db import utcnow
from programme.core.extensions import db
from programme.initiatives.models import initiative_owners, initiative_resources
from programme.progress import evidence as files
from programme.impact.models import ImpactMeasurement
from programme.progress.models import ProgressRound, ProgressUpdate
from programme.progress.update_items import Evidence, IndicatorValue, Lesson, Observation, Risk, Spending
from programme.reports.models import Delivery, IssuedReport, ReportBuild
from programme.seed.loader import load_yaml
from programme.seed.models import ExampleRecord
from programme.seed.history import AMSTERDAM, ExampleDataRefused, Loader

HISTORY = "example/history.yaml"
MARKERS = ExampleRecord.__table__
# The progress rows that hang under an update, and the column that ties them to it.
UPDATE_CHILDREN = ((Lesson, "update_id"), (Risk, "update_id"), (IndicatorValue, "update_id"),
                   (Spending, "update_id"), (Evidence, "update_id"), (Observation, "update_id"),
                   (ImpactMeasurement, "progress_update_id"))
# Link tables without an id of their own whose rows the example adds to seeded records: a marker names the
# table and the id in this column, and stands for every link of that record (Marker.mark_links).
LINKS_BY = {initiative_resources.name: "initiative_id"}


def _key(table):
    """The column a marker's record_id refers to: the id, or the record a link table's rows hang on."""
    return table.c[LINKS_BY.get(table.name, "id")]


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

    def mark_links(self, table, record_id: int) -> None:
        """Mark every row of link table `table` (one of LINKS_BY) that hangs on record `record_id`: the session
        never sees link rows as objects of their own, so after_flush cannot list them."""
        self.session.flush()
        self.session.execute(insert(MARKERS).values(table_name=table.name, record_id=record_id, created_dt=utcnow()))

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
                                                 MARKERS.c.record_id.not_in(select(_key(table)))))


# ---------------------------------------------------------------- loading

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
            loader.resources()
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
                db.session.execute(delete(table).where(_key(table).in_(chunk)))
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
    from programme.reports.archive import reports_dir

    for stored_name in report_files:
        (reports_dir() / stored_name).unlink(missing_ok=True)
    return {table: len(ids) for table, ids in doomed.items() if ids}
