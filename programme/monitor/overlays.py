"""What higher layers lay over the monitor's pages: outlines on the map, observations beside the figures.

The monitor knows no initiatives or progress updates (it is the lower layer), so a higher layer registers a
provider on the app when its blueprint is registered. The map page asks the outline providers
(`register(app, provider)`) for the choices of its "Omlijnen" list and for the outline of the one chosen; the
monitor page asks the remark providers (`register_remarks(app, provider)`) for what was observed beside an
indicator's figure in an area (the initiatives' approved observations: progress/monitor_overlay.py)."""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import Flask, current_app

EXTENSION = "monitor_overlays"
REMARKS = "monitor_remarks"


@dataclass(frozen=True)
class Outline:
    """Areas to outline on a map of one year and level, and why: the table beside the map says it in words."""
    label: str  # the legend's entry and the table's column ("Gebied van een initiatief")
    reasons: Mapping[str, list[str]]  # CBS code -> what the area is outlined for ("1.1.5 Toekomstvisie Altena")
    elsewhere: list[str] = field(default_factory=list)  # outlined areas that this level does not draw, in words

    @property
    def codes(self) -> set[str]:
        return set(self.reasons)


@dataclass(frozen=True)
class OverlayProvider:
    """choices(): (value, label) pairs for the list; outline(value, year, kind): the Outline, or None when the
    value is not one of this provider's."""
    choices: Callable[[], list[tuple[str, str]]]
    outline: Callable[[str, int, str], Outline | None]


def register(app: Flask, provider: OverlayProvider) -> None:
    app.extensions.setdefault(EXTENSION, []).append(provider)


def choices() -> list[tuple[str, str]]:
    return [choice for provider in current_app.extensions.get(EXTENSION, []) for choice in provider.choices()]


def outline(value: str | None, year: int, kind: str) -> Outline | None:
    """The outline of a chosen value on the map of `year` and `kind` ('municipality' or 'corop'), or None."""
    if not value:
        return None
    for provider in current_app.extensions.get(EXTENSION, []):
        found = provider.outline(value, year, kind)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Remark:
    """Something observed about one indicator (a resource) in one area, shown beside that figure: its text,
    who and when in words, and a link to where it was said."""
    indicator_id: int
    area_id: int
    text: str
    source: str  # "1.1.2 Eenzaamheid, 3e kwartaal 2026"
    url: str | None = None
    link_text: str = ""  # the link's visible words ("voortgangsbericht")
    link_context: str = ""  # what makes the link's name unique, for screen readers (" van 1.1.2 over ...")


# area ids -> the remarks on those areas, in one query whatever their number.
RemarkProvider = Callable[[list[int]], list[Remark]]


def register_remarks(app: Flask, provider: RemarkProvider) -> None:
    app.extensions.setdefault(REMARKS, []).append(provider)


def remarks(area_ids: list[int]) -> dict[tuple[int, int], list[Remark]]:
    """(indicator id, area id) -> the remarks on that indicator in that area, in each provider's order."""
    found: dict[tuple[int, int], list[Remark]] = {}
    for provider in current_app.extensions.get(REMARKS, []):
        for remark in provider(area_ids):
            found.setdefault((remark.indicator_id, remark.area_id), []).append(remark)
    return found
