"""Report periods: quarters ('2026-K3') for GS and factsheets, half years ('2026-H2') for PS."""
from dataclasses import dataclass
from datetime import date, timedelta

from programme.reports.models import KIND_PERIOD_MONTHS


ORDINALS = {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde"}


@dataclass(frozen=True)
class ReportPeriod:
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

    def previous(self) -> "ReportPeriod":
        months = _months(self)
        return period_containing(self.starts_on - timedelta(days=1), months)


def capfirst(text: str) -> str:
    """Upper-case only the first letter ('voortgangsrapportage GS' keeps its GS)."""
    return text[:1].upper() + text[1:]


def _months(period: ReportPeriod) -> int:
    return 6 if "-H" in period.code else 3


def period_containing(day: date, months: int) -> ReportPeriod:
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
    return ReportPeriod(code, label, start, end)


def period_for_kind(kind: str, day: date) -> ReportPeriod:
    return period_containing(day, KIND_PERIOD_MONTHS[kind])


def parse_period(code: str) -> ReportPeriod:
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
        return period_containing(date(year, 3 * number - 2, 1), 3)
    if part[0] == "H" and number in (1, 2):
        return period_containing(date(year, 1 if number == 1 else 7, 1), 6)
    raise ValueError(f"onbekende periode {code!r}")


def recent_periods(kind: str, today: date, count: int = 8) -> list[ReportPeriod]:
    """The current period of the kind and the ones before it, newest first (for choosing)."""
    current = period_for_kind(kind, today)
    out = [current]
    while len(out) < count:
        out.append(out[-1].previous())
    return out
