"""A chart drawn on the server as SVG, with its text alternative: inline on web pages, an image in the PDF."""
import base64
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "Liberation Sans, Arial, sans-serif"
INK = "#1a1a1a"


@dataclass
class Chart:
    svg: str
    alt: str  # the text alternative: what the chart shows, in words and figures

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()

    def img(self, css_class: str = "chart") -> Markup:
        """For the PDF: an image with alt text (tagged as a figure with its alternative)."""
        return Markup('<img class="{}" src="{}" alt="{}">').format(css_class, self.data_uri, self.alt)

    def inline(self) -> Markup:
        """For web pages: inline SVG with role img, its title and its description."""
        return Markup(self.svg)  # noqa: S704 - built by the chart functions with every text escaped


def document(width: int, height: int, body: list[str], title: str, alt: str, element_id: str) -> str:
    """The SVG element around a chart's drawing: its size, role img, and its title and description
    (the text alternative) as what labels it."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-labelledby="{element_id}-titel {element_id}-beschrijving" '
            f'font-family="{FONT}" font-size="13" fill="{INK}"><title id="{element_id}-titel">{escape(title)}</title>'
            f'<desc id="{element_id}-beschrijving">{escape(alt)}</desc>' + "".join(body) + "</svg>")


def legend(entries: list[tuple[str, str]], x: float, y: float, step: float) -> list[str]:
    """A row of legend keys: (fill colour, label) each as a swatch with its label, `step` apart."""
    keys = []
    for colour, label in entries:
        keys.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{colour}" stroke="{INK}" '
                    f'stroke-width="0.6"/><text x="{x + 19}" y="{y + 11}">{escape(label)}</text>')
        x += step
    return keys
