"""A report's tables as plain data: the PDF renders them, the Excel download writes them."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Column kinds: how a value is shown and how it is written to a spreadsheet cell.
TEXT = "text"
MONEY = "money"  # EUR, whole euros in the PDF, cents kept in Excel
NUMBER = "number"
PERCENT = "percent"  # a value of 0-100
DATE = "date"


@dataclass
class Column:
    title: str
    kind: str = TEXT


@dataclass
class ReportTable:
    """One table of a report: a title, typed columns and rows of values (None = empty)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    footer: list | None = None  # a totals row, if any

    def as_json(self) -> dict:
        """For the archive (JSON column): Decimals as strings, dates as ISO text."""
        def cell(value):
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, date):
                return value.isoformat()
            return value

        return {
            "key": self.key,
            "title": self.title,
            "columns": [{"title": c.title, "kind": c.kind} for c in self.columns],
            "rows": [[cell(v) for v in row] for row in self.rows],
            "footer": [cell(v) for v in self.footer] if self.footer else None,
        }
