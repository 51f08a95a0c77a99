"""The marker of example data: every row that `flask example-data` created, so that removal is exact."""

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from programme.core.db import CreatedMixin, format_repr
from programme.core.extensions import db


class ExampleRecord(CreatedMixin, db.Model):
    """One row created by the example data: its table and primary key. While any exists, every page
    and report says "Voorbeeldgegevens"."""

    __tablename__ = "example_records"
    __table_args__ = (UniqueConstraint("table_name", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int]

    def __repr__(self) -> str:
        return format_repr(self, "table_name", "record_id")
