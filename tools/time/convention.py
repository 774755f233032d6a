"""The storage convention for times: naive UTC in every table (tools.storage.base).

The product computes with aware times (proposals, clocks, command-line options); the database keeps
naive UTC so SQLite and PostgreSQL compare them alike. Every crossing between the two goes through
these three functions, so a zone is always converted and never just dropped.
"""

from datetime import UTC, datetime


def to_storage(moment: datetime) -> datetime:
    """`moment` as naive UTC: an aware time is converted to UTC first; a naive one is UTC already."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def from_storage(value: datetime) -> datetime:
    """A stored (naive UTC) time as an aware UTC one; an aware value is converted to UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, in the storage convention."""
    return datetime.now(UTC).replace(tzinfo=None)
