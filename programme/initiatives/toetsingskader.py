"""The toetsingskader: whether an initiative works on the resources that matter most where its area is weak.

The Monitor Sociale Veerkracht 2018 calls itself an assessment frame for projects: it names the resources
(hulpbronnen) that correlate most with resilience. The manager records per initiative which resources it
works on (Initiative.resources); this module holds the rule of "matters most" and "weaker", and reads, for any
number of initiatives in a fixed number of queries, how each initiative's areas score on each resource
against Brabant in the newest published edition."""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.core.extensions import db
from programme.core.formatting import dutch_list, measure, number
from programme.initiatives.models import Initiative, InitiativeArea
from programme.monitor import queries as monitor_queries
from programme.monitor.models import Area, MonitorEdition, MonitorIndicator, MonitorValue

# "Matters most": the monitor's clear top three (happiness 0.48, negative life events 0.43, social contact 0.42);
# the resources after them correlate between 0.24 and 0.39 (Monitor 2018, hoofdstuk 3).
IMPORTANT_CORRELATION = Decimal("0.40")
WEAKER, STRONGER, EQUAL, NO_DATA, NO_AREA, NO_DIRECTION = ("zwakker", "sterker", "gelijk", "geen_gegevens",
                                                            "geen_gebied", "geen_richting")
POSITION_LABELS = {
    WEAKER: "Zwakker dan Brabant",
    STRONGER: "Sterker dan Brabant",
    EQUAL: "Gelijk aan Brabant",
    NO_DATA: "Geen gegevens",
    NO_AREA: "Geen eigen gebied",
    NO_DIRECTION: "Geen richting bekend",
}
RULE = (
    f"Een hulpbron doet er het meest toe als haar correlatie met veerkracht {number(IMPORTANT_CORRELATION, 2)} of "
    "hoger is: in de monitor van 2018 de duidelijke top drie (geluk 0,48, negatieve levensgebeurtenissen 0,43 en "
    "sociaal contact 0,42); de hulpbronnen daarna liggen tussen 0,24 en 0,39. Een gebied is zwakker dan Brabant "
    "als zijn cijfer in de nieuwste gepubliceerde editie ongunstiger is dan het Brabantse, gezien de richting "
    "van de indicator (bij geluk is hoger beter, bij negatieve levensgebeurtenissen lager); gelijk bij hetzelfde "
    "cijfer. Heeft het gebied zelf geen cijfer, dan telt het cijfer van de regio waarin het ligt.")


def is_important(resource: MonitorIndicator) -> bool:
    return resource.correlation is not None and resource.correlation >= IMPORTANT_CORRELATION


def resource_options() -> list[MonitorIndicator]:
    """The resources an initiative can work on: every monitor indicator but the resilience measure itself,
    the most correlated first, then in the monitor's order."""
    indicators = db.session.scalars(select(MonitorIndicator).where(MonitorIndicator.resource != "resilience")
                                    .order_by(MonitorIndicator.position, MonitorIndicator.id)).all()
    return sorted(indicators, key=lambda i: -(i.correlation or 0))


def important_resources() -> list[MonitorIndicator]:
    return [r for r in resource_options() if is_important(r)]


@dataclass
class Position:
    """One resource in one of an initiative's areas, against Brabant."""
    resource: MonitorIndicator
    area: Area | None  # the initiative's area (None: it has none of its own)
    shown_area: Area | None  # whose figure it is: the area itself or the region around it
    value: Decimal | None
    brabant: Decimal | None

    @property
    def state(self) -> str:
        if self.area is None:
            return NO_AREA
        if self.value is None or self.brabant is None:
            return NO_DATA
        if self.resource.higher_is_better is None:
            return NO_DIRECTION
        if self.value == self.brabant:
            return EQUAL
        return STRONGER if (self.value > self.brabant) == self.resource.higher_is_better else WEAKER

    @property
    def label(self) -> str:
        return POSITION_LABELS[self.state]

    @property
    def short(self) -> str:
        """For a matrix cell: 'zwakker', 'sterker', 'gelijk', 'geen gegevens'."""
        return {WEAKER: "zwakker", STRONGER: "sterker", EQUAL: "gelijk", NO_DATA: "geen gegevens",
                NO_AREA: "geen gebied", NO_DIRECTION: "geen richting"}[self.state]

    @property
    def stand_in(self) -> bool:
        return self.shown_area is not None and self.area is not None and self.shown_area.id != self.area.id

    @property
    def figures(self) -> str:
        """'61 % tegen 65 % in Brabant' (with the region where it stands in for the area)."""
        if self.value is None or self.brabant is None:
            return ""
        where = f" (cijfer van {self.shown_area.name})" if self.stand_in else ""
        unit = self.resource.unit
        return f"{measure(self.value, unit)}{where} tegen {measure(self.brabant, unit)} in Brabant"


@dataclass
class ResourceRow:
    resource: MonitorIndicator
    positions: list[Position]  # one per area of the initiative (one without an area when it has none)

    @property
    def important(self) -> bool:
        return is_important(self.resource)


@dataclass
class Frame:
    """The toetsingskader of one initiative."""
    initiative: Initiative
    edition: MonitorEdition | None
    areas: list[Area]
    rows: list[ResourceRow] = field(default_factory=list)  # the resources it works on
    positions: dict[int, list[Position]] = field(default_factory=dict)  # every compared resource, by id

    @property
    def warnings(self) -> list[str]:
        """Where an area is weaker than Brabant on a resource that matters most, as sentences."""
        out = []
        for row in self.rows:
            if not row.important:
                continue
            for position in row.positions:
                if position.state == WEAKER:
                    out.append(f"{position.area.name} scoort zwakker dan Brabant op {row.resource.name.lower()}, "
                               f"een hulpbron die er het meest toe doet (correlatie "
                               f"{number(row.resource.correlation, 2)}): {position.figures}.")
        return out

    @property
    def missed(self) -> list[str]:
        """Important resources it does not work on while its area is weaker there, as sentences."""
        worked = {row.resource.id for row in self.rows}
        out = []
        for resource_id, positions in self.positions.items():
            if resource_id in worked:
                continue
            weak = [p for p in positions if p.state == WEAKER and is_important(p.resource)]
            if weak:
                resource = weak[0].resource
                out.append(f"{dutch_list([p.area.name for p in weak])} scoort zwakker dan Brabant op "
                           f"{resource.name.lower()} (correlatie {number(resource.correlation, 2)}), maar het "
                           "initiatief werkt (nog) niet aan die hulpbron.")
        return out


def latest_edition() -> MonitorEdition | None:
    editions = monitor_queries.published_editions()  # oldest first
    return editions[-1] if editions else None


def _own_areas(initiative: Initiative) -> list[Area]:
    return [a for a in initiative.areas if a.kind != "province"]


LATEST = "latest"  # the newest published edition (a report passes the newest up to its reference date, or None)


def frames(initiatives: list[Initiative], resources: list[MonitorIndicator] | None = None,
           edition: MonitorEdition | None | str = LATEST) -> dict[int, Frame]:
    """Initiative id -> its toetsingskader, for the resources it works on and for `resources` (default: the
    important ones), in a fixed number of queries whatever the number of initiatives."""
    edition = latest_edition() if edition == LATEST else edition
    province = monitor_queries.brabant()
    compared = {r.id: r for r in (resources if resources is not None else important_resources())}
    for initiative in initiatives:
        compared.update({r.id: r for r in initiative.resources})
    areas: dict[int, Area] = {}
    for initiative in initiatives:
        for area in _own_areas(initiative):
            for node in [area, *area.ancestors()]:
                areas[node.id] = node
    values: dict[tuple[int, int], Decimal] = {}
    if edition is not None and compared and province is not None:
        rows = db.session.execute(select(MonitorValue.indicator_id, MonitorValue.area_id, MonitorValue.value).where(
            MonitorValue.edition_id == edition.id, MonitorValue.indicator_id.in_(list(compared)),
            MonitorValue.area_id.in_([*areas, province.id])))
        values = {(indicator_id, area_id): value for indicator_id, area_id, value in rows}
    out = {}
    for initiative in initiatives:
        own = _own_areas(initiative)
        frame = Frame(initiative, edition, own)
        for resource in compared.values():
            brabant = values.get((resource.id, province.id)) if province else None
            frame.positions[resource.id] = [_position(resource, area, values, brabant) for area in own] or [
                Position(resource, None, None, None, brabant)]
        frame.rows = [ResourceRow(r, frame.positions[r.id]) for r in
                      sorted(initiative.resources, key=lambda r: (-(r.correlation or 0), r.position))]
        out[initiative.id] = frame
    return out


def _position(resource: MonitorIndicator, area: Area, values, brabant) -> Position:
    for node in [area, *area.ancestors()]:
        if node.kind == "province":
            break
        if (resource.id, node.id) in values:
            return Position(resource, area, node, values[(resource.id, node.id)], brabant)
    return Position(resource, area, None, None, brabant)


def frame_of(initiative: Initiative) -> Frame:
    return frames([initiative])[initiative.id]


@dataclass
class Matrix:
    """The programme view: initiatives x resources, each cell the position of the initiative's areas and
    whether it works on that resource."""
    edition: MonitorEdition | None
    resources: list[MonitorIndicator]  # the columns: the important ones, then every other one worked on
    frames: list[Frame]
    uncovered: list[MonitorIndicator]  # important resources no initiative works on

    @staticmethod
    def important(resource: MonitorIndicator) -> bool:
        return is_important(resource)

    def works_on(self, frame: Frame, resource: MonitorIndicator) -> bool:
        return any(row.resource.id == resource.id for row in frame.rows)

    def cell(self, frame: Frame, resource: MonitorIndicator) -> list[tuple[Position, list[Area]]]:
        """The positions of the initiative's areas on a resource, those in the same state taken together:
        (a position of that state, the areas in it)."""
        groups: dict[str, tuple[Position, list[Area]]] = {}
        for position in frame.positions.get(resource.id, []):
            groups.setdefault(position.state, (position, []))[1].extend([position.area] if position.area else [])
        return list(groups.values())


def active_initiatives() -> list[Initiative]:
    """The initiatives that are not archived, with their areas (and the regions around them) and resources."""
    initiatives = db.session.scalars(select(Initiative).where(Initiative.is_archived.is_(False)).options(
        selectinload(Initiative.resources),
        selectinload(Initiative.area_links).selectinload(InitiativeArea.area).selectinload(Area.parent)
        .selectinload(Area.parent))).all()
    return sorted(initiatives, key=lambda i: i.sort_key)


def matrix(initiatives: list[Initiative] | None = None, edition: MonitorEdition | None | str = LATEST) -> Matrix:
    initiatives = active_initiatives() if initiatives is None else initiatives
    important = important_resources()
    worked = {r.id: r for i in initiatives for r in i.resources}
    columns = important + sorted((r for r in worked.values() if not is_important(r)),
                                 key=lambda r: (-(r.correlation or 0), r.position))
    edition = latest_edition() if edition == LATEST else edition
    by_id = frames(initiatives, columns, edition)
    return Matrix(edition, columns, [by_id[i.id] for i in initiatives],
                  [r for r in important if r.id not in worked])
