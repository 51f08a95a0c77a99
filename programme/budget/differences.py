"""What a money difference means: one definition of every reconciliation difference.

Each has its sign and its Dutch words, used alike by the dashboard, the budget pages, the report (PDF) and its Excel.

Every difference is `measured - reference`: what was allocated, reserved, stated or assigned minus
what it is compared with. A plus always means "more ... than", a minus "less ... than"."""
from dataclasses import dataclass
from decimal import Decimal

from programme.core.formatting import money, signed_money

ALLOCATED = "allocated"  # ZET/Zorgbelang: allocated to prestaties against their annual budget
RESERVED = "reserved"    # a reserve in a decision (Statenvoorstel) against the agenda's budget
STATED = "stated"        # a total as a source states it against the sum of the lines
ASSIGNED = "assigned"    # initiatives' budget lines of a prestatie against the prestatie's budget


@dataclass(frozen=True)
class Meaning:
    measured: str   # what the compared amount is called
    reference: str  # what it is compared with
    more: str       # words for a positive difference
    less: str       # words for a negative difference
    less_is_normal: bool = False  # a shortfall is expected (money not yet assigned), not a warning


MEANINGS = {
    ALLOCATED: Meaning("Toegewezen", "Begroot", "meer toegewezen dan begroot", "minder toegewezen dan begroot"),
    RESERVED: Meaning("Gereserveerd", "Begroot", "meer gereserveerd dan begroot", "minder gereserveerd dan begroot"),
    STATED: Meaning("Volgens de bron", "Berekend", "meer volgens de bron dan berekend",
                    "minder volgens de bron dan berekend"),
    ASSIGNED: Meaning("Toegekend aan initiatieven", "Begroot", "meer aan initiatieven toegekend dan begroot",
                      "nog niet aan initiatieven toegekend", less_is_normal=True),
}
NO_DIFFERENCE = "geen verschil"


@dataclass
class Difference:
    kind: str
    subject: str
    period: str
    measured: Decimal
    reference: Decimal
    source: str = ""

    @property
    def meaning(self) -> Meaning:
        return MEANINGS[self.kind]

    @property
    def value(self) -> Decimal:
        return self.measured - self.reference

    @property
    def agrees(self) -> bool:
        return self.value == 0

    @property
    def needs_attention(self) -> bool:
        """Shown as a warning on screens and listed in reports."""
        return self.value > 0 or (self.value < 0 and not self.meaning.less_is_normal)

    @property
    def label(self) -> str:
        return f"{self.subject} ({self.period})"

    @property
    def signed(self) -> str:
        """'+ € 33.979', '- € 54.372' or '€ 0'."""
        return signed_money(self.value)

    @property
    def words(self) -> str:
        """'meer toegewezen dan begroot', without the amount."""
        if self.agrees:
            return NO_DIFFERENCE
        return self.meaning.more if self.value > 0 else self.meaning.less

    @property
    def sentence(self) -> str:
        """'€ 33.979 meer toegewezen dan begroot'."""
        if self.agrees:
            return NO_DIFFERENCE
        return f"{money(abs(self.value))} {self.words}"

    @property
    def explanation(self) -> str:
        """How the figure is computed, for a note under a table."""
        return f"Verschil = {self.meaning.measured.lower()} min {self.meaning.reference.lower()}."
