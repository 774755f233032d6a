"""Declarative base and column conventions shared by every table.

Conventions, chosen so the same code runs on SQLite and PostgreSQL:
- timestamps are naive UTC (`DateTime()` without time zone): asyncpg refuses aware values for
  `timestamp`, SQLite has no zone type, and one convention beats per-driver conversion;
- money is `Numeric(12, 2)` read back as float (SQLite has no decimal type, and floats are what
  numpy wants for set-based work);
- enumerations are short strings guarded by CHECK constraints, so a bad value fails in the
  database whichever client wrote it.
"""

from enum import StrEnum

from sqlalchemy import CheckConstraint, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

# Row ids are INTEGER: 32-bit on PostgreSQL. External ids (members, orders, SKUs) are String(64).
MAX_ROW_ID = 2**31 - 1
MAX_EXTERNAL_ID = 64

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


Money = Numeric(12, 2, asdecimal=False)
Rate = Numeric(8, 4, asdecimal=False)


def one_of(column: str, values: type[StrEnum] | list[str], name: str | None = None) -> CheckConstraint:
    """CHECK that `column` holds one of the enum's values."""
    allowed = [v.value if isinstance(v, StrEnum) else v for v in values]
    quoted = ", ".join(f"'{v}'" for v in allowed)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_valid")
