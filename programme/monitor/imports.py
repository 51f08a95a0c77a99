"""Checking a spreadsheet of monitor values before anything is stored: the entry points of an import.

check() makes the validation report (every problem with its row and column, in Dutch) and the plan
of what an import would add and change: import_rows reads and checks the rows, import_plan holds the
plan. Also the templates a manager fills in."""
import hashlib

from sqlalchemy import select

from programme.core.extensions import db
from programme.monitor import queries
from programme.monitor.import_plan import Plan, compare
from programme.monitor.import_rows import check_rows, notation_of
from programme.monitor.models import MonitorEdition, MonitorIndicator
from programme.monitor.spreadsheets import Grid

LAYOUTS = {"long": "lang (één waarde per rij)",
           "wide": "breed (tabellenboek: indicatoren als rijen, gebieden als kolommen)"}


def check(grid: Grid, year: int, layout: str) -> Plan:
    """The validation report and plan for importing this grid into the edition of `year`."""
    plan = Plan(year=year, layout=layout, file_name=grid.file_name, sheet=grid.sheet, notation=notation_of(grid))
    plan.edition = db.session.scalar(select(MonitorEdition).where(MonitorEdition.year == year))
    check_rows(grid, plan)
    compare(plan)
    plan.problems.sort(key=lambda p: (p.row, len(p.column or ""), p.column or ""))
    return plan


# ---------------------------------------------------------------- templates

def template_rows(layout: str, year: int) -> list[list[str]]:
    """The rows of a template, pre-filled with the areas of `year` and the current indicator codes."""
    province = queries.brabant()
    regions = sorted(queries.areas_in(year, "corop"), key=lambda area: (area.position, area.name))
    areas = ([province] if province else []) + regions + queries.areas_in(year, "municipality")
    indicators = db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position)).all()
    if layout == "long":
        rows = [["editie", "gebiedscode", "gebiedsnaam", "indicatorcode", "indicatornaam", "waarde"]]
        rows += [[str(year), area.cbs_code or area.name, area.name, indicator.code, indicator.name, ""]
                 for indicator in indicators for area in areas]
        return rows
    rows = [["indicatorcode", "indicatornaam", *(f"{a.name} ({a.cbs_code})" if a.cbs_code else a.name for a in areas)]]
    rows += [[indicator.code, indicator.name, *([""] * len(areas))] for indicator in indicators]
    return rows


def plan_file(data: bytes, file_name: str, year: int, layout: str) -> Plan:
    """Read and check a file in one step; UnreadableFile (a Dutch message) when it cannot be read at all."""
    from programme.monitor.spreadsheets import read_grid
    return check(read_grid(data, file_name), year, layout)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
