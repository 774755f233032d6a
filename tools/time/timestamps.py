"""Timestamps as they leave the product: RFC 3339 with an offset, whatever the storage held.

Storage keeps naive UTC (tools.time.convention); a naive value serialised as-is
("2026-06-01T00:00:00") is not an RFC 3339 date-time, and clients that check `format: date-time`
(the TypeScript SDK, MCP Inspector) reject the whole result. Fields of this type keep their Python
value (naive or aware) for the code that computes with them and always serialise to JSON as aware UTC.
"""

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

from tools.time.convention import from_storage

# A naive value is taken to be UTC already (the storage convention); an aware one is converted.
as_utc = from_storage


def utc_text(value: datetime) -> str:
    return as_utc(value).isoformat()


UtcTimestamp = Annotated[
    datetime,
    PlainSerializer(utc_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
