"""Seeds every Brabant municipality since 2016 and the reorganisations between them from the shipped boundaries."""
from programme.monitor import geo
from programme.monitor.models import Area, AreaChange

AREA_SOURCE = "Gemeentelijke indeling van CBS/Kadaster, 2016, 2018 en 2026"
CHANGE_SOURCE = "Gemeentelijke herindelingen in Noord-Brabant 2016-2026, afgeleid uit de indeling van CBS/Kadaster"


def seed_municipalities(seeder, areas: dict[str, Area]) -> None:
    """Municipalities that areas.yaml names keep their name, region and group and get the years they exist;
    the others are added under the COROP region that holds most of their area. `areas` (by name) grows."""
    by_code = {a.cbs_code: a for a in areas.values() if a.cbs_code}
    position = max((a.position for a in areas.values()), default=0) + 1
    for municipality in sorted(geo.municipalities(), key=lambda m: m.name):
        years = {"valid_from": municipality.valid_from, "valid_to": municipality.valid_to}
        area = by_code.get(municipality.code)
        if area is not None:
            seeder.upsert(Area, {"id": area.id}, years)
            continue
        area = seeder.upsert(Area, {"name": municipality.name}, {
            "kind": "municipality", "parent_id": by_code[municipality.region_code].id,
            "cbs_code": municipality.code, "position": position, "source": AREA_SOURCE, **years})
        position += 1
        by_code[municipality.code] = areas[municipality.name] = area
    for change in geo.changes():
        seeder.upsert(AreaChange, {"predecessor_id": by_code[change.old_code].id,
                                   "successor_id": by_code[change.new_code].id}, {
            "year": change.year, "kind": change.kind, "share_of_area": change.share_of_area,
            "source": CHANGE_SOURCE})
