"""The report as a web page: the PDF's content and SVG charts on today's data for a chosen span, not archived.

For the manager and GS/PS readers."""
from flask import abort, render_template, request

from programme.core.db import utcnow
from programme.core.permissions import MANAGER, READER, roles_required
from programme.core.rate_limits import export_limit
from programme.reports import bp
from programme.reports.kinds import GS_QUARTERLY, KIND_LABELS, PS_HALF_YEARLY
from programme.reports.rendering.content import build_content
from programme.reports.spans import parse_span, recent_spans, today_in_amsterdam

PREVIEW_KINDS = {kind: KIND_LABELS[kind] for kind in (GS_QUARTERLY, PS_HALF_YEARLY)}


@bp.route("/rapportages/voorbeeld")
@roles_required(MANAGER, READER)
@export_limit
def preview():
    kind = request.args.get("soort", GS_QUARTERLY)
    if kind not in PREVIEW_KINDS:
        abort(404)
    today = today_in_amsterdam()
    periods = recent_spans(kind, today)
    code = request.args.get("periode") or periods[1].code  # the last finished period
    try:
        period = parse_span(code)
    except ValueError:
        abort(404)
    if ("-H" in period.code) != (kind == PS_HALF_YEARLY):
        abort(404)
    # A period that has not ended is shown as it stands today, marked provisional (as its PDF would be).
    content = build_content(kind, period, provisional=not period.has_ended(today), data_as_of=utcnow())
    return render_template("reports/preview.html", c=content, charts=content.charts, kinds=PREVIEW_KINDS,
                           periods=periods, kind=kind, today=today)
