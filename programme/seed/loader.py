"""Seeding the programme from the source documents' facts (seed/data/*.yaml), idempotently.

Every record is found by its natural key and only changed where it differs, so a second run changes
nothing."""
from collections import Counter
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select

from programme.budget.models import Allocation, BudgetLine, BudgetYears, FundingSource, StatedTotal
from programme.core.sourced import cite
from programme.core.extensions import db
from programme.impact.models import ImpactIndicator, ImpactTarget
from programme.initiatives.models import (CrossoverTask, Initiative, InitiativeArea, LearningQuestion,
                                          Organisation, initiative_partners)
from programme.monitor.models import (Area, MdiRanking, MonitorEdition, MonitorIndicator, MonitorValue,
                                      SourceNote)
from programme.plan.models import Action, ActionPlanning, Deliverable, Goal, ImplementationLine, Theme
from programme.seed.reorganisations import seed_municipalities

DATA_DIR = Path(__file__).parent / "data"
AGENDA = "002_da661cf59c2e13d2.txt"


def load_yaml(name: str) -> dict | list:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _same(old, new) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        if old is None or new is None:
            return old is None and new is None
        return Decimal(str(old)) == Decimal(str(new))
    return old == new


class Seeder:
    def __init__(self):
        self.stats: Counter = Counter()

    @property
    def changes(self) -> int:
        return self.stats["created"] + self.stats["updated"] + self.stats["removed"]

    def upsert(self, model, key: dict, values: dict | None = None):
        values = dict(values or {})
        if values.get("source"):
            values["source"] = cite(values["source"])  # users read documents, never seed file names
        obj = db.session.scalar(select(model).filter_by(**key))
        if obj is None:
            obj = model(**key, **values)
            db.session.add(obj)
            db.session.flush()
            self.stats["created"] += 1
            return obj
        changed = False
        for attr, value in values.items():
            if not _same(getattr(obj, attr), value):
                setattr(obj, attr, value)
                changed = True
        if changed:
            self.stats["updated"] += 1
        return obj

    def remove_stale(self, model, *conditions) -> None:
        """Rows a former version of the seed data made and the current one no longer has."""
        for obj in db.session.scalars(select(model).where(*conditions)):
            db.session.delete(obj)
            self.stats["removed"] += 1
        db.session.flush()

    def set_collection(self, obj, attr: str, items: list) -> None:
        current = getattr(obj, attr)
        if {id(x) for x in current} != {id(x) for x in items} or len(current) != len(items):
            setattr(obj, attr, list(items))
            self.stats["updated"] += 1

    # --- domains --------------------------------------------------------------------------

    def areas(self) -> dict[str, Area]:
        by_name = {}
        for position, row in enumerate(load_yaml("areas.yaml")):
            parent = by_name.get(row.get("parent")) if row.get("parent") else None
            by_name[row["name"]] = self.upsert(Area, {"name": row["name"]}, {
                "kind": row["kind"], "parent_id": parent.id if parent else None,
                "cbs_code": row.get("cbs_code"), "group": row.get("group"),
                "position": position, "source": row.get("source"),
            })
        return by_name

    def plan(self, data: dict) -> None:
        goals = {}
        for row in data["goals"]:
            goals[row["number"]] = self.upsert(Goal, {"number": row["number"]}, {
                "title": row["title"], "short_title": row["short_title"], "source": row["source"]})
        for row in data["lines"]:
            self.upsert(ImplementationLine, {"code": row["code"]}, {
                "number": row["number"], "name": row["name"], "description": row["description"],
                "goal_id": goals[row["goal"]].id, "source": row["source"]})
        for position, row in enumerate(data["themes"]):
            self.upsert(Theme, {"name": row["name"]}, {
                "position": position, "description": row.get("description"), "source": row["source"]})

    def budget(self, data: dict, organisations: dict[str, Organisation]) -> None:
        periods = {}
        for row in data["periods"]:
            periods[row["code"]] = self.upsert(BudgetYears, {"code": row["code"]}, {
                "label": row["label"], "first_year": row["first_year"], "last_year": row["last_year"],
                "source": row["source"]})
        sources = {}
        for row in data["funding_sources"]:
            org = organisations.get(row.get("organisation"))
            sources[row["code"]] = self.upsert(FundingSource, {"code": row["code"]}, {
                "name": row["name"], "source": row["source"],
                "annual_budget": Decimal(row["annual_budget"]) if row.get("annual_budget") else None,
                "annual_budget_note": row.get("annual_budget_note"),
                "organisation_id": org.id if org else None})
        deliverables = {}
        for d_pos, row in enumerate(data["deliverables"]):
            deliverable = self.upsert(Deliverable, {"code": row["code"]}, {
                "name": row["name"], "position": d_pos,
                "includes_zet_zorgbelang": row["includes_zet_zorgbelang"], "source": row["source"]})
            deliverables[row["code"]] = deliverable
            for a_pos, arow in enumerate(row["actions"]):
                action = self.upsert(Action, {"deliverable_id": deliverable.id, "name": arow["name"]}, {
                    "position": a_pos, "statement": arow.get("statement"),
                    "source": f"{AGENDA}, Figuur 3"})
                for p_pos, prow in enumerate(arow["planning"]):
                    self.upsert(ActionPlanning, {"action_id": action.id, "period_label": prow["period"]}, {
                        "position": p_pos, "text": prow["text"], "source": f"{AGENDA}, Figuur 3"})
                for period_code, amount in arow["budget"].items():
                    self.upsert(BudgetLine, {
                        "action_id": action.id, "period_id": periods[period_code].id,
                        "funding_source_id": None, "initiative_id": None,
                    }, {"amount": Decimal(amount), "source": f"{AGENDA}, Figuur 3 (middelen)"})
        for row in data["allocations"]:
            self.upsert(Allocation, {
                "funding_source_id": sources[row["funding_source"]].id,
                "deliverable_id": deliverables[row["deliverable"]].id,
                "period_id": periods[row["period"]].id,
            }, {"amount": Decimal(row["amount"]), "source": data["allocations_source"]})
        for row in data["stated_totals"]:
            deliverable = deliverables.get(row.get("deliverable"))
            self.upsert(StatedTotal, {"key": row["key"]}, {
                "label": row["label"], "kind": row.get("kind", "stated"), "period_id": periods[row["period"]].id,
                "deliverable_id": deliverable.id if deliverable else None,
                "amount": Decimal(row["amount"]), "source": row["source"]})
        for row in data.get("budget_notes", []):
            self.upsert(SourceNote, {"key": row["key"]}, {"topic": "budget", "text": row["text"],
                                                          "source": row["source"]})

    def organisations(self, data: dict) -> dict[str, Organisation]:
        source = f"{AGENDA}, paragraaf 1.1 (Partners)"
        for row in data["organisations"]:
            self._rename_organisation(row["name"], row.get("was", []))
        return {row["name"]: self.upsert(Organisation, {"name": row["name"]},
                                         {"kind": row["kind"], "source": row.get("source", source)})
                for row in data["organisations"]}

    def _rename_organisation(self, name: str, old_names: list[str]) -> None:
        """An organisation seeded under an earlier spelling takes the new name, keeping its links."""
        if not old_names or db.session.scalar(select(Organisation).filter_by(name=name)) is not None:
            return
        old = db.session.scalars(select(Organisation).where(Organisation.name.in_(old_names))).first()
        if old is not None:
            old.name = name
            db.session.flush()
            self.stats["updated"] += 1

    def retire_renamed_organisations(self, data: dict) -> None:
        """Where both spellings existed (two source spellings merged into one organisation), the old
        one is removed once nothing refers to it any more; one still in use stays."""
        for row in data["organisations"]:
            for old in db.session.scalars(select(Organisation).where(Organisation.name.in_(row.get("was", [])))):
                in_use = db.session.scalar(select(initiative_partners.c.initiative_id).where(
                    initiative_partners.c.organisation_id == old.id).limit(1)) is not None
                funds = db.session.scalar(select(FundingSource.id).filter_by(organisation_id=old.id).limit(1))
                if not in_use and funds is None:
                    db.session.delete(old)
                    self.stats["updated"] += 1
        db.session.flush()

    def initiatives(self, data: dict, organisations: dict, areas: dict) -> None:
        themes = {t.name: t for t in db.session.scalars(select(Theme))}
        for row in data["initiatives"]:
            initiative = self.upsert(Initiative, {"number": row["number"]}, {
                "name": row["name"], "line": row["line"], "opgave": row.get("opgave"),
                "description": row.get("description"), "partners_text": row.get("partners_text"),
                "learning_question_summary": row.get("learning_question_summary"),
                "role_province": row.get("role_province"), "role_zet": row.get("role_zet"),
                "role_zorgbelang": row.get("role_zorgbelang"), "source": row["source"]})
            if initiative.status is None:
                initiative.status = "active"
            self.set_collection(initiative, "partners", [organisations[n] for n in row.get("partners", [])])
            self.set_collection(initiative, "themes", [themes[n] for n in row.get("themes", [])])
            tasks = [self.upsert(CrossoverTask, {"name": n}) for n in row.get("crossover_tasks", [])]
            self.set_collection(initiative, "crossover_tasks", tasks)
            for basis, names in (("figuur", row.get("areas", [])), ("tekst", row.get("municipalities", []))):
                for name in names:
                    self.upsert(InitiativeArea, {"initiative_id": initiative.id, "area_id": areas[name].id,
                                                 "basis": basis})
            for position, q in enumerate(row.get("learning_questions", [])):
                self.upsert(LearningQuestion, {"initiative_id": initiative.id, "position": position}, {
                    "question": q["question"], "context": q.get("context"),
                    "source": f"{AGENDA}, paragraaf {row['number']} (Leervraag)"})
        for key, row in enumerate(data.get("source_notes", [])):
            self.upsert(SourceNote, {"key": row.get("key", f"initiatives_{key}")}, {
                "topic": "initiatives", "text": row["text"], "source": row["source"]})

    def monitor(self, data: dict, areas: dict) -> None:
        editions = {}
        for row in data["editions"]:
            editions[row["year"]] = self.upsert(MonitorEdition, {"year": row["year"]}, {
                "name": row["name"], "publisher": row.get("publisher"), "source": row["source"]})
        indicators = {}
        for position, row in enumerate(data["indicators"]):
            corr = row.get("correlation")
            indicators[row["code"]] = self.upsert(MonitorIndicator, {"code": row["code"]}, {
                "name": row["name"], "resource": row["resource"], "unit": row["unit"],
                "higher_is_better": row.get("higher_is_better"),
                "correlation": Decimal(str(corr)) if corr is not None else None,
                "description": row.get("description"), "position": position, "source": row["source"],
                **{end: Decimal(str(row[end])) if row.get(end) is not None else None
                   for end in ("minimum", "maximum")}})
        for row in data["values"]:
            self.upsert(MonitorValue, {
                "edition_id": editions[row["edition"]].id, "area_id": areas[row["area"]].id,
                "indicator_id": indicators[row["indicator"]].id,
            }, {"value": Decimal(str(row["value"])), "source": row["source"]})
        for row in data.get("mdi_top10", []):
            area = areas.get(row["municipality"])
            value = row.get("value")
            self.upsert(MdiRanking, {"edition_id": editions[row.get("edition", 2018)].id, "rank": row["rank"]}, {
                "municipality": row["municipality"], "area_id": area.id if area else None,
                "value": Decimal(str(value)) if value is not None else None, "source": row["source"]})
        # Only the notes written for readers are loaded; extraction_notes stay in the seed data.
        keys = []
        for note in data.get("reader_notes", []):
            keys.append(f"monitor_{note['key']}")
            self.upsert(SourceNote, {"key": keys[-1]}, {"topic": "monitor", "text": note["text"],
                                                         "source": note["source"]})
        self.remove_stale(SourceNote, SourceNote.topic == "monitor", SourceNote.key.not_in(keys))

    def horizon(self, data: dict, areas: dict) -> None:
        for position, row in enumerate(data["horizon_indicators"]):
            monitor_indicator = None
            baseline = {}
            if row.get("monitor_indicator"):
                monitor_indicator = db.session.scalar(
                    select(MonitorIndicator).filter_by(code=row["monitor_indicator"]))
                if row.get("baseline") and monitor_indicator is not None:
                    edition = db.session.scalar(select(MonitorEdition).filter_by(year=row["baseline"]["edition"]))
                    area = areas[row["baseline"]["area"]]
                    value = db.session.scalar(select(MonitorValue.value).filter_by(
                        edition_id=edition.id, area_id=area.id, indicator_id=monitor_indicator.id))
                    baseline = {"baseline_value": value, "baseline_edition_id": edition.id,
                                "baseline_area_id": area.id,
                                "baseline_text": f"Monitor Sociale Veerkracht {edition.year}, {area.name}"}
            indicator = self.upsert(ImpactIndicator, {"code": row["code"]}, {
                "initiative_id": None, "name": row["name"], "description": row.get("description"),
                "unit": row.get("unit"), "higher_is_better": True, "position": position,
                "monitor_indicator_id": monitor_indicator.id if monitor_indicator else None,
                "source": data["horizon_source"], **baseline})
            for target in row.get("targets", []):
                value = target.get("value")
                self.upsert(ImpactTarget, {"indicator_id": indicator.id, "period_label": target["period"]}, {
                    "target_value": Decimal(value) if value is not None else None,
                    "target_text": target.get("text"), "source": data["horizon_source"]})


def seed_all() -> Counter:
    """Load every source into the database; returns counts of created/updated records.
    The caller commits."""
    seeder = Seeder()
    plan_data = load_yaml("plan.yaml")
    initiative_data = load_yaml("initiatives.yaml")
    areas = seeder.areas()
    seed_municipalities(seeder, areas)
    seeder.plan(plan_data)
    organisations = seeder.organisations(initiative_data)
    seeder.budget(plan_data, organisations)
    seeder.initiatives(initiative_data, organisations, areas)
    seeder.retire_renamed_organisations(initiative_data)
    seeder.monitor(load_yaml("monitor.yaml"), areas)
    seeder.horizon(plan_data, areas)
    return seeder.stats
