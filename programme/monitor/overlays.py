"""Outlines that a higher layer lays over the monitor's map, such as the initiatives' municipalities.

The monitor knows no initiatives (it is the lower layer), so a higher layer registers a provider on the app when
its blueprint is registered (`register(app, provider)`), and the map page asks the registered providers for the
choices of its "Omlijnen" list and for the outline of the one chosen."""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import Flask, current_app

EXTENSION = "monitor_overlays"


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
