"""SQL pieces the trigger queries share: whole UTC day numbers, and a queued trigger's key.

Day numbers (days since 1970-01-01 UTC) are plain integers on both dialects, so gaps between
purchase days, medians and windows are integer arithmetic and compare directly with the Python
side's `day_of(now)`.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Integer, String, cast, exists, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from tools.storage import QueuedTrigger

_EPOCH = datetime(1970, 1, 1)


class day_number(FunctionElement[int]):
    """Whole UTC days since 1970-01-01 of a naive-UTC timestamp column."""

    type = Integer()
    inherit_cache = True


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler: SQLCompiler, **kw: object) -> str:
    return f"(CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER) / 86400)"


@compiles(day_number, "postgresql")
def _day_number_postgresql(element: day_number, compiler: SQLCompiler, **kw: object) -> str:
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) / 86400) AS INTEGER)"


def day_of(moment: datetime) -> int:
    """The Python twin of `day_number` for a naive-UTC datetime."""
    return (moment - _EPOCH).days


def date_of_day(day: int) -> date:
    return (_EPOCH + timedelta(days=day)).date()


def key_for(rule: str, customer_id: int, cause: str) -> str:
    """A queued trigger's idempotency key: the rule, the member and what caused it."""
    return f"{rule}:{customer_id}:{cause}"


def key_expr(rule: str, customer_id: ColumnElement[int], cause: ColumnElement[object]) -> ColumnElement[str]:
    """`key_for` computed in SQL; the cause is cast to text so integers render as Python's str()."""
    return literal(f"{rule}:") + cast(customer_id, String) + literal(":") + cast(cause, String)


def not_queued(key: ColumnElement[str]) -> ColumnElement[bool]:
    """Skips causes already in the queue, so a re-evaluation returns only what is new."""
    return ~exists().where(QueuedTrigger.idempotency_key == key)
