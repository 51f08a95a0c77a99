"""Declarative base with a constraint naming convention, shared column groups, association tables and UTC time.

`VersionedMixin` (optimistic lock) and `CreatedMixin` (when a row was made) are column groups that mean
the same thing on every model that has them; `format_repr` makes each model's `__repr__` one line,
`label_of` each label of a stored code, `known_values` each check that a code is one of its list."""
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, MetaData, Numeric, Table, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

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


def sql_in(column: str, values) -> str:
    """`kind IN ('a', 'b')`: SQL text for a check constraint or a partial index."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def known_values(column: str, values) -> CheckConstraint:
    """The check that a code column holds one of `values`, named `<column>_known` (ck_<table>_<column>_known)."""
    return CheckConstraint(sql_in(column, values), name=f"{column}_known")


def format_repr(obj, *attrs: str) -> str:
    """`<Action(id=3, name='Huiswerk')>`: a model's repr from the names of the attributes that tell it
    apart (after Indico's `indico.util.string.format_repr`)."""
    return f"<{type(obj).__name__}({', '.join(f'{name}={getattr(obj, name)!r}' for name in attrs)})>"


def label_of(attr: str, labels: dict[str, str]) -> property:
    """`kind_label = label_of("kind", KIND_LABELS)`: what a user reads for a stored code, the code itself
    where it has no label (an old or unknown value stays visible)."""
    return property(lambda self: labels.get(getattr(self, attr), getattr(self, attr)),
                    doc=f"The label of `{attr}`.")


class CreatedMixin:
    """When the row was made, in UTC."""

    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps `version`, so a stale edit form (or a lost race,
    StaleDataError) is refused instead of overwriting what someone else saved."""

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def link_table(name: str, metadata: MetaData, left: str, right: str, *, index_right: bool = False) -> Table:
    """An association table of a many-to-many relationship: `left` and `right` are the referred
    columns ('initiatives.id'); the link columns are named after the tables ('initiative_id') and
    together form the primary key. `index_right` also indexes the right column on its own, for
    lookups from that side."""
    def column(target: str, index: bool = False) -> Column:
        table = target.split(".")[0]
        singular = table[:-1] if table.endswith("s") else table
        return Column(f"{singular}_id", ForeignKey(target), primary_key=True, index=index)

    return Table(name, metadata, column(left), column(right, index_right))
