"""The initiatives' areas on the monitor's map: the overlay the map page offers, and the map on an initiative's page.

The monitor is the lower layer and knows no initiatives: `register(app)` hands it a provider
(monitor/overlays.py) when the initiatives blueprint is registered. An initiative's municipalities are outlined
as they were in the edition's year: on a 2022 map the initiative that names Aalburg, Werkendam and Woudrichem
outlines Altena, and says so in the table."""
from collections.abc import Iterable

from flask import Flask
from flask_login import current_user
from sqlalchemy import select

from programme.core.extensions import db
from programme.core.formatting import dutch_list, in_sentence
from programme.initiatives import queries
from programme.initiatives.models import Initiative
from programme.monitor import map_figures, overlays
from programme.monitor import queries as monitor_queries
from programme.monitor.models import MonitorIndicator
from programme.monitor.overlays import Outline, OverlayProvider

ALL = "initiatieven"  # the map page's ?omlijnen= for every initiative's areas
ONE = "initiatief-"  # ... followed by an initiative's id, for one initiative's
HEADLINE = "resilience_yes"  # the map of an initiative without a linked monitor indicator


def _mapped(initiative: Initiative) -> bool:
    return any(area.kind != "province" for area in initiative.areas)


def outline_of(initiatives: Iterable[Initiative], year: int, kind: str, label: str) -> Outline:
    """The initiatives' areas of `kind` as they were in `year`, each with the initiatives it is outlined for
    (and the name the initiative gives it, where the area changed); the areas of another kind, in words."""
    changes = monitor_queries.all_changes()
    named: dict[str, dict[str, list[str]]] = {}  # code -> initiative -> the names the initiative uses, if other
    elsewhere: dict[str, list[str]] = {}  # area name -> initiative numbers
    for initiative in initiatives:
        for area in initiative.areas:
            if area.kind == "province":
                continue
            if area.kind != kind:
                elsewhere.setdefault(f"{area.name} ({in_sentence(area.kind_label)})", []).append(initiative.number)
                continue
            for found, _share in monitor_queries.counterparts(area, year, changes):
                if found.cbs_code:
                    names = named.setdefault(found.cbs_code, {}).setdefault(str(initiative), [])
                    if found.id != area.id:
                        names.append(area.name)
    reasons = {code: [f"{who} (genoemd als {dutch_list(names)})" if names else who for who, names in by.items()]
               for code, by in named.items()}
    return Outline(label, reasons, [f"{name} van {dutch_list(numbers)}" for name, numbers in elsewhere.items()])


def _choices() -> list[tuple[str, str]]:
    found = [i for i in queries.initiatives() if _mapped(i)]
    return ([(ALL, "Gebieden van alle initiatieven")] if found else []) + [(f"{ONE}{i.id}", str(i)) for i in found]


def _outline(value: str, year: int, kind: str) -> Outline | None:
    if value == ALL:
        return outline_of([i for i in queries.initiatives() if _mapped(i)], year, kind, "Gebied van een initiatief")
    if value.startswith(ONE) and value[len(ONE):].isdigit():
        initiative = db.session.get(Initiative, int(value[len(ONE):]))
        if initiative is not None and initiative.can_view(current_user):
            return outline_of([initiative], year, kind, f"Gebied van initiatief {initiative.number}")
    return None


def register(app: Flask) -> None:
    overlays.register(app, OverlayProvider(_choices, _outline))


def headline_indicator(initiative: Initiative, indicators: list[MonitorIndicator], code: str | None):
    """The indicator the initiative's map shows: the chosen one, else the monitor indicator its first impact
    indicator is linked to, else 'Wel veerkrachtig'."""
    linked = [i.monitor_indicator_id for i in initiative.indicators
              if i.monitor_indicator_id is not None and not i.is_archived]
    return (next((i for i in indicators if i.code == code), None)
            or next((i for i in indicators if linked and i.id == linked[0]), None)
            or next((i for i in indicators if i.code == HEADLINE), None)
            or (indicators[0] if indicators else None))


def initiative_map(initiative: Initiative, code: str | None = None):
    """(the MapFigure with the initiative's areas outlined, or None; the monitor indicators to choose from)
    for the newest published edition."""
    editions = monitor_queries.published_editions()
    indicators = db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position)).all()
    indicator = headline_indicator(initiative, indicators, code)
    if not editions or indicator is None or not _mapped(initiative):
        return None, indicators
    figure = map_figures.map_figure(
        editions[-1], indicator, outline_of=lambda year, kind: outline_of(
            [initiative], year, kind, f"Gebied van initiatief {initiative.number}"), element_id="initiatief-kaart")
    return figure, indicators
