"""Declarative base with a constraint naming convention, association tables and UTC time helpers."""
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Column, DateTime, ForeignKey, MetaData, Numeric, Table, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names on SQLite and PostgreSQL, so migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given where UTC is required")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Money(TypeDecorator):
    """Euro amounts as Decimal with cents, never float."""

    impl = Numeric(14, 2)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(Decimal("0.01"))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def link_table(name: str, metadata: MetaData, left: str, right: str) -> Table:
    """An association table of a many-to-many relationship: `left` and `right` are the referred
    columns ('initiatives.id'); the link columns are named after the tables ('initiative_id') and
    together form the primary key."""
    def column(target: str) -> Column:
        table = target.split(".")[0]
        singular = table[:-1] if table.endswith("s") else table
        return Column(f"{singular}_id", ForeignKey(target), primary_key=True)

    return Table(name, metadata, column(left), column(right))
