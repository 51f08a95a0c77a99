"""Mixin for records seeded from the source documents: they keep where they came from."""
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class SourcedMixin:
    # Seed file and section or table, e.g. "002_da661cf59c2e13d2.txt, Figuur 3".
    source: Mapped[str | None] = mapped_column(String(300))
