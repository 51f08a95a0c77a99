"""Rendering a report to a tagged PDF (PDF/UA-1) with WeasyPrint, loading resources only from the static folder.

Rendering a report to a tagged PDF (PDF/UA-1) with WeasyPrint: A4, page numbers, a table of
contents with page references, embedded fonts. Resources load only from the app's static folder."""
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from programme.initiatives import toetsingskader
from programme.reports.rendering.content import build_content
from programme.reports.rendering.pdftags import finish


class StaticOnlyFetcher(URLFetcher):
    """Serves data: URIs (the charts) and files inside the static folder; refuses the rest, and a
    refused or missing resource stops the build instead of producing a report without it."""

    def __init__(self, static_folder: str):
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True)
        self.root = Path(static_folder).resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                raise ValueError(f"resource outside the static folder refused: {url}")
        elif parts.scheme != "data":
            raise ValueError(f"resource refused: {url}")
        return super().fetch(url, headers)


def render_html(content) -> str:
    template = "reports/pdf/factsheet.html" if content.is_factsheet else "reports/pdf/report.html"
    return render_template(template, c=content, charts=content.charts, toetsingskader_rule=toetsingskader.RULE)


def render_pdf(content) -> bytes:
    static = current_app.static_folder
    html = HTML(string=render_html(content), base_url=Path(static).resolve().as_uri() + "/",
                url_fetcher=StaticOnlyFetcher(static))
    return html.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True,
                          pdf_identifier=content.title.encode()[:32], finisher=finish)


@dataclass
class Rendered:
    """A rendered report: its title, file name (without version), PDF and tables (as JSON)."""

    title: str
    filename: str
    pdf: bytes
    tables: list


def render_build(build, progress=None, data_as_of: datetime | None = None) -> Rendered:
    """Collect the content of a build's report and render it to PDF; progress(percent, label) is
    told when the content is collected."""
    progress = progress or (lambda percent, label: None)
    content = build_content(build.kind, build.span, initiative=build.initiative,
                            provisional=build.is_provisional, data_as_of=data_as_of)
    progress(40, "Opmaak en grafieken")
    pdf = render_pdf(content)
    return Rendered(content.title, content.filename, pdf, [t.as_json() for t in content.tables])
