"""Constrained field types shared by the boundary models (proposal, context, policy)."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, Strict, StringConstraints


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# A naive time is ambiguous by up to a day across members' zones, so only aware times are taken;
# storing them in UTC makes equal instants compare, serialise and hash the same.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]

# A short identifier-like label (SKU, category, segment, template code): one line, no control characters.
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")
]

Money = Annotated[float, Strict(), Field(ge=0, le=1_000_000)]
