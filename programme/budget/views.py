"""The budget page: Figuur 3 with computed totals, the ZET/Zorgbelang split and reconciliation."""
from flask import render_template
from sqlalchemy import select

from programme.budget import bp
from programme.budget import operations as ops
from programme.extensions import db
from programme.monitor.models import SourceNote


@bp.route("/begroting")
def index():
    table = ops.budget_table()
    return render_template(
        "budget/index.html", table=table, checks=ops.reconciliation(table),
        org_allocations=ops.organisation_allocations(), allocations=ops.allocations_by_deliverable(),
        province_share=ops.province_share(table),
        notes=db.session.scalars(select(SourceNote).where(SourceNote.topic == "budget")
                                 .order_by(SourceNote.key)).all(),
    )
