"""Records seeded from the source documents keep where they came from, cited as a reader would cite it."""
import re

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

# The seed files (extracted from the PDFs, see /work/shared/DOMAIN.md) and the documents they are.
# Users only ever read the document's title: this is the one place that knows the file names.
SEED_DOCUMENTS = {
    "000_74221da5fde4a45c.txt": "Monitor Sociale Veerkracht 2018",
    "001_2c7b58c7acd76594.txt": "Bijlage bij het Statenvoorstel Versterken Sociale Veerkracht (2016)",
    "002_da661cf59c2e13d2.txt": "Uitvoeringsagenda 2017-2020",
    "003_bed60979925ba0da.txt": "Persbericht ‘Tweede Monitor Sociale Veerkracht in Brabant verschenen’",
    "004_1097d3bd7812f7a7.txt": "Statenvoorstel Versterken Sociale Veerkracht (2016)",
}
SEED_FILE = re.compile(r"\b\d{3}_[0-9a-f]{8,}\.txt\b")
# Parts of a document are lower case inside a citation ("…, tabel 2"), as in Dutch running text.
DOCUMENT_PARTS = re.compile(r"\b(Tabel|Figuur|Hoofdstuk|Paragraaf|Voetnoot)\b")


def cite(source: str | None) -> str | None:
    """'000_74221da5fde4a45c.txt, Tabel 2' -> 'Monitor Sociale Veerkracht 2018, tabel 2'.
    A seed file without a title is a mistake in the seed data: ValueError, never a file name on screen."""
    if not source:
        return source

    def title(match: re.Match) -> str:
        try:
            return SEED_DOCUMENTS[match.group(0)]
        except KeyError:
            raise ValueError(f"onbekend bronbestand in de seed-gegevens: {match.group(0)}") from None

    return SEED_FILE.sub(title, DOCUMENT_PARTS.sub(lambda m: m.group(1).lower(), source))


class SourcedMixin:
    # The document and its part, e.g. "Uitvoeringsagenda 2017-2020, figuur 3" (the seed loader cites).
    source: Mapped[str | None] = mapped_column(String(300))
