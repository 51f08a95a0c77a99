"""The shipped boundaries of Brabant's municipalities and COROP regions, and the municipal changes between them.

Read from files only (data/geo/, see its README): no database, so maps, the seed and tests share one source.
"""
import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

GEO_DIR = Path(__file__).parent / "data" / "geo"
# level -> (file name part, the years a boundary file is shipped for)
LAYERS = {"municipality": ("gemeenten", (2016, 2018, 2026)), "corop": ("corop", (2018, 2026))}
CHANGE_TYPES = {"samenvoeging": "merger", "opheffing (verdeeld)": "split"}
SOURCE = "CBS/Kadaster"


@dataclass(frozen=True)
class Shape:
    """One area's boundary: outer rings of (longitude, latitude) in WGS84, as drawn for the division of `year`."""
    code: str
    name: str
    year: int
    rings: tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True)
class Change:
    """A row of the change list: (part of) old_code belongs to new_code from 1 January of `year`."""
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    year: int
    kind: str  # merger | split
    share_of_area: Decimal


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    region_code: str  # the COROP region (CR33-CR36) that holds most of its area
    valid_from: int | None  # none: before the first shipped year
    valid_to: int | None  # none: still exists in the last shipped year

    def exists_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (self.valid_to is None or year <= self.valid_to)


@cache
def _layer(level: str, year: int) -> dict[str, Shape]:
    part, _years = LAYERS[level]
    with open(GEO_DIR / f"brabant-{part}-{year}.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return {f["properties"]["code"]: Shape(
        f["properties"]["code"], f["properties"]["name"], year,
        tuple(tuple((float(lon), float(lat)) for lon, lat in ring) for ring in _outer_rings(f["geometry"])))
        for f in features}


def _outer_rings(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"][:1]
    return [polygon[0] for polygon in geometry["coordinates"]]  # MultiPolygon


@cache
def changes() -> tuple[Change, ...]:
    with open(GEO_DIR / "brabant-gemeenten-wijzigingen.csv", encoding="utf-8", newline="") as fh:
        return tuple(Change(row["old_code"], row["old_name"], row["new_code"], row["new_name"], int(row["year"]),
                            CHANGE_TYPES[row["type"]], Decimal(row["share_of_old_area"]))
                     for row in csv.DictReader(fh))


@cache
def municipalities() -> tuple[Municipality, ...]:
    """Every municipality in any shipped year, with the years it exists (from the change list)."""
    _part, years = LAYERS["municipality"]
    names: dict[str, str] = {}
    for year in years:  # the latest name wins
        names.update({code: shape.name for code, shape in _layer("municipality", year).items()})
    first = set(_layer("municipality", years[0]))
    with open(GEO_DIR / "brabant-gemeenten-corop.csv", encoding="utf-8", newline="") as fh:
        regions = {row["code"]: row["corop_code"] for row in csv.DictReader(fh)}
    valid_from = {c.new_code: c.year for c in changes() if c.new_code not in first}
    valid_to = {c.old_code: c.year - 1 for c in changes()}
    return tuple(Municipality(code, names[code], regions[code], valid_from.get(code), valid_to.get(code))
                 for code in sorted(names))


def _boundary_year(code: str, year: int, shipped: list[int]) -> int:
    """The shipped year whose boundary of `code` is nearest to `year` without a change of that municipality
    in between (Vught gained part of Haaren in 2021: for 2021 its 2026 boundary, not its 2018 one)."""
    moves = [c.year for c in changes() if code in (c.old_code, c.new_code)]

    def unchanged(s: int) -> bool:
        return not any(min(s, year) < t <= max(s, year) for t in moves)

    candidates = [s for s in shipped if unchanged(s)] or shipped
    return min(candidates, key=lambda s: (abs(s - year), -s))


def shapes(level: str, year: int) -> list[Shape]:
    """The boundaries of `level` ('municipality' or 'corop') as the division was in `year`, sorted by code."""
    _part, years = LAYERS[level]
    if level == "corop":
        nearest = min(years, key=lambda s: (abs(s - year), -s))
        return sorted(_layer(level, nearest).values(), key=lambda s: s.code)
    out = []
    for municipality in municipalities():
        if municipality.exists_in(year):
            shipped = [s for s in years if municipality.code in _layer(level, s)]
            out.append(_layer(level, _boundary_year(municipality.code, year, shipped))[municipality.code])
    return out


def attribution(drawn: list[Shape]) -> str:
    """'Bron: CBS/Kadaster, 2018', or '… 2018 en 2026' when the boundaries come from two years' files."""
    years = sorted({s.year for s in drawn})
    if not years:
        return ""
    listed = " en ".join([", ".join(map(str, years[:-1])), str(years[-1])]) if len(years) > 1 else str(years[0])
    return f"Bron: {SOURCE}, {listed}"
