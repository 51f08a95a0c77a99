"""The span of time a report covers: quarters ('2026-K3') for GS and factsheets, half years ('2026-H2') for PS.

A ReportSpan is a value, not a table (stored as its code on builds and issued reports). Not to be
confused with a progress round (the period an initiative's progress update is about) or a budget period."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from programme.core.formatting import AMSTERDAM
from programme.reports.kinds import KIND_SPAN_MONTHS


ORDINALS = {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde"}


@dataclass(frozen=True)
class ReportSpan:
    """A quarter or half year, with its code, its Dutch label and its first and last day."""

    code: str
    # As it reads after a comma in a title: 'vierde kwartaal 2026'.
    label: str
    starts_on: date
    ends_on: date

    @property
    def display(self) -> str:
        """On its own (a table cell, a choice): 'Vierde kwartaal 2026'."""
        return capfirst(self.label)

    @property
    def in_sentence(self) -> str:
        """After a preposition: 'over het vierde kwartaal 2026' (kwartaal and halfjaar are het-words)."""
        return f"het {self.label}"

    def has_ended(self, today: date) -> bool:
        """True from the first day after the period: only then is a (final) report honest."""
        return today > self.ends_on

    def previous(self) -> "ReportSpan":
        months = _months(self)
        return span_containing(self.starts_on - timedelta(days=1), months)


def capfirst(text: str) -> str:
    """Upper-case only the first letter ('voortgangsrapportage GS' keeps its GS)."""
    return text[:1].upper() + text[1:]


def _months(span: ReportSpan) -> int:
    return 6 if "-H" in span.code else 3


def span_containing(day: date, months: int) -> ReportSpan:
    """The quarter (months=3) or half year (months=6) that contains the day."""
    if months == 3:
        number = (day.month - 1) // 3 + 1
        start = date(day.year, 3 * number - 2, 1)
        code, label = f"{day.year}-K{number}", f"{ORDINALS[number]} kwartaal {day.year}"
    elif months == 6:
        number = 1 if day.month <= 6 else 2
        start = date(day.year, 1 if number == 1 else 7, 1)
        code, label = f"{day.year}-H{number}", f"{ORDINALS[number]} halfjaar {day.year}"
    else:
        raise ValueError(f"unsupported period length {months}")
    end_month = start.month + months
    end = (date(start.year + 1, 1, 1) if end_month > 12 else date(start.year, end_month, 1)) - timedelta(days=1)
    return ReportSpan(code, label, start, end)


def span_for_kind(kind: str, day: date) -> ReportSpan:
    return span_containing(day, KIND_SPAN_MONTHS[kind])


def parse_span(code: str) -> ReportSpan:
    """'2026-K3' or '2026-H2' back to its period; ValueError on anything else."""
    try:
        year_text, part = code.split("-")
        year = int(year_text)
        number = int(part[1:])
    except ValueError:
        raise ValueError(f"onbekende periode {code!r}") from None
    if not 2000 <= year <= 2100:
        raise ValueError(f"onbekende periode {code!r}")
    if part[0] == "K" and 1 <= number <= 4:
        return span_containing(date(year, 3 * number - 2, 1), 3)
    if part[0] == "H" and number in (1, 2):
        return span_containing(date(year, 1 if number == 1 else 7, 1), 6)
    raise ValueError(f"onbekende periode {code!r}")


def recent_spans(kind: str, today: date, count: int = 8) -> list[ReportSpan]:
    """The current period of the kind and the ones before it, newest first (for choosing)."""
    current = span_for_kind(kind, today)
    out = [current]
    while len(out) < count:
        out.append(out[-1].previous())
    return out


def today_in_amsterdam() -> date:
    """The programme's day: whether a span has ended is decided on Amsterdam's calendar."""
    return datetime.now(AMSTERDAM).date()
