"""A chart drawn on the server as SVG, with its text alternative: inline on web pages, an image in the PDF."""
import base64
from dataclasses import dataclass

from markupsafe import Markup

FONT = "Liberation Sans, Arial, sans-serif"


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
