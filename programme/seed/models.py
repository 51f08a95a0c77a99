"""The marker of example data: every row that `flask example-data` created, so that removal is exact."""
from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from programme.core.db import UTCDateTime, utcnow
from programme.core.extensions import db


class ExampleRecord(db.Model):
    """One row created by the example data: its table and primary key. While any exists, every page
    and report says "Voorbeeldgegevens"."""

    __tablename__ = "example_records"
    __table_args__ = (UniqueConstraint("table_name", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int]
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ExampleRecord {self.table_name}:{self.record_id}>"
