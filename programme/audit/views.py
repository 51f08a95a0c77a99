"""Audit views: filterable list, CSV export and the history of one initiative."""
from datetime import date, datetime, time, timedelta

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from programme.accounts.models import User
from programme.audit import bp
from programme.core.audit import AuditEntry
from programme.core.export import csv_response
from programme.audit.present import change_lines, present
from programme.core.audit_labels import kind_label
from programme.core.formatting import AMSTERDAM, dutch_datetime
from programme.core.permissions import manager_required
from programme.core.rate_limits import export_limit
from programme.core.extensions import db
from programme.initiatives.models import Initiative
from programme.initiatives.queries import get_initiative
from programme.monitor.audit_labels import ACTION_LABELS as MONITOR_ACTION_LABELS
from programme.progress.audit_labels import ACTION_LABELS as PROGRESS_ACTION_LABELS
from programme.reports.audit_labels import ACTION_LABELS as REPORT_ACTION_LABELS
from programme.progress.queries import visible_history

PER_PAGE = 50

ACTION_LABELS = {
    "user.sign_in": "Aangemeld",
    "user.sign_in_fail": "Aanmelden mislukt",
    "user.sign_in_password": "Wachtwoord juist, code gevraagd",
    "user.sign_in_rate_limit": "Aanmelden geblokkeerd (te veel pogingen vanaf dit adres)",
    "user.sign_out": "Afgemeld",
    "request.refuse": "Geweigerd verzoek",
    "user.create": "Account aangemaakt",
    "user.update": "Account gewijzigd",
    "user.disable": "Account uitgeschakeld",
    "user.enable": "Account ingeschakeld",
    "initiative.update": "Initiatief gewijzigd",
    "initiative.archive": "Initiatief gearchiveerd",
    "initiative.unarchive": "Initiatief uit archief gehaald",
    "initiative.set_resources": "Hulpbronnen (toetsingskader) vastgelegd",
    "learning_question.create": "Leervraag toegevoegd",
    "learning_question.update": "Leervraag gewijzigd",
    "organisation.create": "Organisatie toegevoegd",
    "crossover_task.create": "Cross-over-opgave toegevoegd",
    "user.totp_enable": "Tweede factor aangezet",
    "user.totp_disable": "Tweede factor uitgezet",
    "user.totp_reset": "Tweede factor teruggezet door beheerder",
    "action.create": "Actie toegevoegd",
    "action.update": "Actie gewijzigd",
    "action.archive": "Actie gearchiveerd",
    "action.unarchive": "Actie uit archief gehaald",
    "action_planning.create": "Planning toegevoegd",
    "action_planning.update": "Planning gewijzigd",
    "action_planning.delete": "Planning verwijderd",
    "budget_line.create": "Begrotingsregel toegevoegd",
    "budget_line.update": "Begrotingsregel gewijzigd",
    "budget_line.delete": "Begrotingsregel verwijderd",
    "impact_indicator.create": "Indicator toegevoegd",
    "impact_indicator.update": "Indicator gewijzigd",
    "monitor_indicator.update": "Monitorindicator gewijzigd",
    "impact_indicator.archive": "Indicator gearchiveerd",
    "impact_indicator.unarchive": "Indicator uit archief gehaald",
    "impact_target.create": "Streefwaarde toegevoegd",
    "impact_target.update": "Streefwaarde gewijzigd",
    "impact_target.delete": "Streefwaarde verwijderd",
    "backup.create": "Back-up gemaakt",
    "backup.restore": "Back-up teruggezet",
}
ACTION_LABELS.update(PROGRESS_ACTION_LABELS)
ACTION_LABELS.update(REPORT_ACTION_LABELS)
ACTION_LABELS.update(MONITOR_ACTION_LABELS)
ACTION_LABELS.update({
    "budget_years.create": "Begrotingsperiode toegevoegd",
    "budget_years.delete": "Begrotingsperiode verwijderd",
    "allocation.create": "Toewijzing toegevoegd",
    "allocation.update": "Toewijzing gewijzigd",
    "allocation.delete": "Toewijzing verwijderd",
    "impact_measurement.create": "Meting toegevoegd",
})
RESULT_LABELS = {"ok": "Gelukt", "failed": "Mislukt", "refused": "Geweigerd", "error": "Fout"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _day_start(value: date) -> datetime:
    """Midnight in Amsterdam on that day, as an aware datetime (compared in UTC by the database)."""
    return datetime.combine(value, time.min, tzinfo=AMSTERDAM)


def _filters() -> tuple[dict, list[str]]:
    args, errors, chosen = request.args, [], {}
    for name in ("actor", "initiatief"):
        value = args.get(name, "")
        if value.isdigit():
            chosen[name] = int(value)
    for name in ("actie", "type", "resultaat"):
        value = args.get(name, "").strip()
        if value:
            chosen[name] = value[:50]
    for name, label in (("van", "Vanaf"), ("tot", "Tot en met")):
        value = args.get(name, "").strip()
        if value:
            try:
                chosen[name] = date.fromisoformat(value)
            except ValueError:
                errors.append(f"{label}: vul een geldige datum in, bijvoorbeeld 2026-03-31.")
    return chosen, errors


def _query(chosen: dict):
    query = select(AuditEntry).order_by(AuditEntry.created_dt.desc(), AuditEntry.id.desc())
    if "actor" in chosen:
        query = query.where(AuditEntry.actor_id == chosen["actor"])
    if "initiatief" in chosen:
        query = query.where(AuditEntry.initiative_id == chosen["initiatief"])
    if "actie" in chosen:
        query = query.where(AuditEntry.action == chosen["actie"])
    if "type" in chosen:
        query = query.where(AuditEntry.object_type == chosen["type"])
    if "resultaat" in chosen:
        query = query.where(AuditEntry.result == chosen["resultaat"])
    if "van" in chosen:
        query = query.where(AuditEntry.created_dt >= _day_start(chosen["van"]))
    if "tot" in chosen:
        query = query.where(AuditEntry.created_dt < _day_start(chosen["tot"] + timedelta(days=1)))
    return query


def _url_args(chosen: dict) -> dict:
    return {key: (value.isoformat() if isinstance(value, date) else value) for key, value in chosen.items()}


def _page() -> int:
    value = request.args.get("pagina", "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


@bp.route("/audit")
@manager_required
def index():
    chosen, errors = _filters()
    page = db.paginate(_query(chosen), page=_page(), per_page=PER_PAGE, error_out=False)
    distinct = {
        column: [v for v in db.session.scalars(select(getattr(AuditEntry, column)).distinct()) if v]
        for column in ("action", "object_type", "result")
    }
    return render_template(
        "audit/index.html", page=page, rows=present(page.items), chosen=chosen, url_args=_url_args(chosen),
        errors=errors, users=db.session.scalars(select(User).order_by(User.name)).all(),
        initiatives=sorted(db.session.scalars(select(Initiative)).all(), key=lambda i: i.sort_key),
        actions=[(a, action_label(a)) for a in sorted(distinct["action"], key=action_label)],
        object_types=[(t, kind_label(t)) for t in sorted(distinct["object_type"], key=kind_label)],
        results=sorted(distinct["result"]), action_label=action_label, result_labels=RESULT_LABELS,
    )


@bp.route("/audit/export.csv")
@manager_required
@export_limit
def export():
    chosen, _errors = _filters()
    entries = db.session.scalars(_query(chosen)).all()
    header = ["Tijdstip (Amsterdam)", "Gebruiker", "E-mailadres", "Actie", "Soort object", "Object", "Initiatief",
              "Resultaat", "IP-adres", "Oude waarden", "Nieuwe waarden", "Toelichting"]
    rows = ([dutch_datetime(r.entry.created_dt, "d-M-y HH:mm:ss"), r.actor, r.entry.actor_label,
             action_label(r.entry.action), r.kind, r.object, r.initiative,
             RESULT_LABELS.get(r.entry.result, r.entry.result), r.entry.ip,
             change_lines(r, "old"), change_lines(r, "new"), r.entry.message] for r in present(entries))
    stamp = datetime.now(AMSTERDAM).strftime("%Y%m%d-%H%M")
    return csv_response(f"audit-{stamp}.csv", header, rows)


@bp.route("/initiatieven/<int:initiative_id>/audit")
def initiative(initiative_id: int):
    initiative = get_initiative(initiative_id)
    query = select(AuditEntry).where(AuditEntry.initiative_id == initiative.id,
                                     visible_history(current_user, initiative)).order_by(
        AuditEntry.created_dt.desc(), AuditEntry.id.desc())
    page = db.paginate(query, page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("audit/initiative.html", initiative=initiative, page=page, rows=present(page.items),
                           action_label=action_label, result_labels=RESULT_LABELS)
