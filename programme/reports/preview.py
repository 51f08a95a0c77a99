"""The report on a web page: the same content and the same SVG charts as the PDF, for the current
data of a chosen period (nothing is archived). Manager and GS/PS readers."""
from datetime import datetime

from flask import abort, render_template, request

from programme.core.db import utcnow
from programme.core.formatting import AMSTERDAM
from programme.core.permissions import MANAGER, READER, roles_required
from programme.core.rate_limits import export_limit
from programme.reports import bp
from programme.reports.content import build_content
from programme.reports.models import GS_QUARTERLY, KIND_LABELS, PS_HALF_YEARLY
from programme.reports.periods import parse_period, recent_periods

PREVIEW_KINDS = {kind: KIND_LABELS[kind] for kind in (GS_QUARTERLY, PS_HALF_YEARLY)}


@bp.route("/rapportages/voorbeeld")
@roles_required(MANAGER, READER)
@export_limit
def preview():
    kind = request.args.get("soort", GS_QUARTERLY)
    if kind not in PREVIEW_KINDS:
        abort(404)
    today = datetime.now(AMSTERDAM).date()
    periods = recent_periods(kind, today)
    code = request.args.get("periode") or periods[1].code  # the last finished period
    try:
        period = parse_period(code)
    except ValueError:
        abort(404)
    if ("-H" in period.code) != (kind == PS_HALF_YEARLY):
        abort(404)
    # A period that has not ended is shown as it stands today, marked provisional (as its PDF would be).
    content = build_content(kind, period, provisional=not period.has_ended(today), data_as_of=utcnow())
    return render_template("reports/preview.html", c=content, charts=content.charts, kinds=PREVIEW_KINDS,
                           periods=periods, kind=kind, today=today)
