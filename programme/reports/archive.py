"""The archive of issued reports: where their PDFs are kept, and adding a report as the next version of its scope.

An issued report never changes (models.IssuedReport refuses updates and deletes); building the same
report again adds a version. Files are stored under a generated name in instance/reports/: nothing a
user typed ever becomes a path."""
import hashlib
import re
import secrets
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from programme.core.db import utcnow
from programme.core.extensions import db
from programme.reports.models import IssuedReport, ReportBuild

# The archive's generated names (see issue()).
STORED_NAME = re.compile(r"[0-9a-f]{32}\.pdf")


def reports_dir() -> Path:
    path = Path(current_app.instance_path) / "reports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def report_file(report: IssuedReport) -> Path | None:
    """The archived PDF of a report, or None when its stored name is not one of ours or the file is gone."""
    if not isinstance(report.stored_name, str) or not STORED_NAME.fullmatch(report.stored_name):
        return None
    base = reports_dir().resolve()
    path = (base / report.stored_name).resolve()
    if path.parent != base or not path.is_file():
        return None
    return path


def _made_by(build: ReportBuild) -> str:
    if build.schedule is not None:
        return f"Planning: {build.schedule.name}"
    if build.requested_by is not None:
        return build.requested_by.name
    return "Onbekend"


def next_version(scope: str) -> int:
    return (db.session.scalar(select(func.max(IssuedReport.version)).where(IssuedReport.scope == scope)) or 0) + 1


def issue(build: ReportBuild, rendered, version_of_data: str, data_as_of: datetime | None = None) -> IssuedReport:
    """Archive the rendered report (rendering.pdf.Rendered) as the next version of its scope
    (flushed; the caller writes the file under the generated stored_name and commits)."""
    scope = f"{build.kind}:{build.period_code}:{build.initiative_id or '-'}"
    version = next_version(scope)
    stored_name = f"{secrets.token_hex(16)}.pdf"
    report = IssuedReport(
        kind=build.kind, scope=scope, version=version, period_code=build.period_code,
        period_label=build.span.label, initiative_id=build.initiative_id, title=rendered.title,
        filename=f"{rendered.filename}-v{version}.pdf", stored_name=stored_name, size=len(rendered.pdf),
        sha256=hashlib.sha256(rendered.pdf).hexdigest(), made_by_id=build.requested_by_id,
        schedule_id=build.schedule_id, made_by_label=_made_by(build),
        parameters={"kind": build.kind, "period": build.period_code, "initiative_id": build.initiative_id,
                    "trigger": build.trigger, "schedule_id": build.schedule_id, "build_id": build.id,
                    "is_provisional": build.is_provisional},
        data_version=version_of_data, data_as_of=data_as_of or utcnow(), is_provisional=build.is_provisional,
        tables=rendered.tables)
    db.session.add(report)
    db.session.flush()
    return report
