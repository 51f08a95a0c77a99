"""Every page a user can open: the GET routes of the app's url_map, filled in with sample ids from the
database, and what a user reads on a page (its text and the attributes assistive technology reads out).
Used by the text test (no internals on screen) and the browser test (every page at 390 px).

Routes that answer with a download or JSON (CSV, PDF, Excel, evidence, build status) are not pages;
they are recognised by their response, not listed by name, so a new page is walked without editing this.

PYTEST_DONT_REWRITE"""
import re
from contextlib import contextmanager
from html.parser import HTMLParser

from sqlalchemy import select

from programme.accounts.models import User
from programme.budget.models import BudgetLine
from programme.core.extensions import db
from programme.impact.models import ImpactIndicator, ImpactTarget
from programme.initiatives.models import Initiative, LearningQuestion
from programme.plan.models import Action, ActionPlanning, Deliverable
from programme.progress import operations as ops
from programme.progress.models import ProgressRound, ProgressUpdate
from programme.progress.update_items import Evidence
from programme.reports.models import Delivery, IssuedReport, ReportBuild, ReportRecipient, ReportSchedule

# One model per URL argument; a (child argument, parent argument, parent column) pair where a page needs
# both ids to belong together.
SAMPLE_MODELS = {
    "user_id": User, "line_id": BudgetLine, "initiative_id": Initiative, "action_id": Action,
    "indicator_id": ImpactIndicator, "target_id": ImpactTarget, "question_id": LearningQuestion,
    "deliverable_id": Deliverable, "planning_id": ActionPlanning, "update_id": ProgressUpdate,
    "evidence_id": Evidence, "build_id": ReportBuild, "report_id": IssuedReport, "schedule_id": ReportSchedule,
    "recipient_id": ReportRecipient, "period_id": ProgressRound, "delivery_id": Delivery,
}
PARENTS = {
    "target_id": ("indicator_id", "indicator_id"),
    "question_id": ("initiative_id", "initiative_id"),
    "planning_id": ("action_id", "action_id"),
}
# Fixed values for other converters (e.g. the sign-in step).
OTHER_ARGUMENTS = {"step": "code", "token": "x" * 32, "layout": "long", "fmt": "csv"}  # token: an unknown upload
MISSING_ID = 999_999


def _sample(model, preferred: int | None = None):
    if preferred is not None and db.session.get(model, preferred) is not None:
        return db.session.get(model, preferred)
    return db.session.scalar(select(model).order_by(model.id.desc()).limit(1))


def page_urls(app, prefer: dict[str, int] | None = None) -> list[str]:
    """One URL per GET route (with its query-less form), ids taken from the database (the newest row, or
    the id in `prefer`); a route whose table is empty gets a missing id, so its 404 page is walked."""
    prefer = prefer or {}
    urls = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            values = {}
            for argument in rule.arguments:
                if argument in OTHER_ARGUMENTS:
                    values[argument] = OTHER_ARGUMENTS[argument]
                    continue
                if argument in values:
                    continue
                model = SAMPLE_MODELS[argument]  # a KeyError here: add the new argument to SAMPLE_MODELS
                row = _sample(model, prefer.get(argument))
                values[argument] = row.id if row is not None else MISSING_ID
                if argument in PARENTS and row is not None:
                    parent_argument, column = PARENTS[argument]
                    values[parent_argument] = getattr(row, column)
            if "question_id" in rule.arguments and "initiative_id" not in values:
                values["initiative_id"] = MISSING_ID
            urls.append(rule.build(values, append_unknown=False)[1])
    return sorted(set(urls))


class _Reader(HTMLParser):
    """The text of a page as a user meets it: text nodes outside script/style, and the attributes that
    are read out or shown (alt, title, aria-label, placeholder, the value of visible inputs)."""

    READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name in self.READ_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") not in ("hidden", "password") and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    return "\n".join(reader.parts)


# What must never reach a user: seed file names (with or without their hash), data file names, code keys
# (snake_case identifiers), raw unit codes and the extraction markers of the seed data.
INTERNALS = {
    "bestandsnaam": re.compile(r"\b[\w-]+\.(?:txt|ya?ml|py|json)\b", re.IGNORECASE),
    "bronbestand": re.compile(r"\b\d{3}_[0-9a-f]{8,}\b|\b00[0-4] (?:[Ff]iguur|[Tt]abel|hoofdstuk|paragraaf)\b"),
    "codesleutel": re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"),
    "eenheidscode": re.compile(r"\((?:percent|score|count|hours|rank|index|km)\)"),
    "extractienotitie": re.compile(r"\b(?:CONFLICT|ODD|NIET ALS WAARDE|KOLOMMEN|AREA TOEGEVOEGD|UNIT)\b"),
}


# Other tests in the shared database name their records "Testplanning gs_kwartaal 0" and the like: a
# line that names test data by that convention is not the product speaking.
TEST_DATA = re.compile(r"\bTest[a-z]+ ")


def internals_in(text: str) -> list[str]:
    found = []
    for label, pattern in INTERNALS.items():
        for m in pattern.finditer(text):
            line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
            if not TEST_DATA.search(line):
                found.append(f"{label}: {m.group(0)!r} in “…{text[max(0, m.start() - 60):m.end() + 60]}…”")
    return found


@contextmanager
def sample_content(app):
    """A committed test world (tests.progress_helpers) with an approved update, another owner's draft
    and an indicator with a unit, so the progress pages have something to show (in the test's own
    transaction, or reset with the database after a committed test). Yields the ids page_urls should
    prefer."""
    from tests.progress_helpers import content, make_world

    with app.app_context():
        world = make_world(db)
        world.indicator.unit = "percent"
        approved = ops.create_draft(world.initiative, world.period, world.owner)
        ops.update_draft(approved, content(world), world.owner)
        ops.approve(ops.submit(approved, world.owner), world.manager)
        other = ops.create_draft(world.other, world.period, world.other_owner)
        prefer = {"update_id": approved.id, "initiative_id": world.initiative.id,
                  "indicator_id": world.indicator.id, "other_update_id": other.id}
        db.session.commit()
    yield prefer
