"""A behavioural event as it arrives from outside, validated at the boundary.

One model for every `EventType`, with what each type needs declared in `REQUIRED` (a view needs
a product or a category, a purchase a value, ...). Every string is bounded; free text the
customer typed (a search query, the payload) is stored as data and never interpreted.
"""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from policies.vocabulary import Channel, EventType
from tools.time import to_storage

DEFAULT_SKEW = timedelta(minutes=5)
MAX_PAYLOAD_BYTES = 4_096

_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
Key = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[\x21-\x7e]+$")]
Identifier = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=_PRINTABLE)
]
CategoryName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=_PRINTABLE)
]
SearchText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_PRINTABLE)
]
ChannelName = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,16}$")]
Id = Annotated[int, Field(gt=0, lt=2**31)]
Amount = Annotated[float, Field(ge=0, le=1_000_000)]

# For each type, groups of fields of which at least one must be given.
REQUIRED: dict[EventType, tuple[tuple[str, ...], ...]] = {
    EventType.VIEW: (("product_id", "sku", "category_id", "category"),),
    EventType.SEARCH: (("query",),),
    EventType.CART_ADD: (("product_id", "sku"),),
    EventType.CART_REMOVE: (("product_id", "sku"),),
    EventType.PURCHASE: (("value",),),
    EventType.MESSAGE_OPEN: (("channel",),),
    EventType.MESSAGE_CLICK: (("channel",),),
    EventType.UNSUBSCRIBE: (("channel",),),
    EventType.COMPLAINT: (("channel",),),
}
# Responses to our messages name one of our channels; other events may say where they happened.
MESSAGE_EVENTS = frozenset(
    {EventType.MESSAGE_OPEN, EventType.MESSAGE_CLICK, EventType.UNSUBSCRIBE, EventType.COMPLAINT}
)
_CHANNELS = frozenset(c.value for c in Channel)


class EventIn(BaseModel):
    """One event. The member is named by internal `customer_id` or by the retailer's
    `customer_external_id`; a product by `product_id` or `sku`; a category by `category_id` or
    name. Without an `idempotency_key` one is derived from the content, so a resent event is
    still recognised as a duplicate."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    idempotency_key: Key | None = None
    type: EventType
    occurred_at: AwareDatetime
    customer_id: Id | None = None
    customer_external_id: Identifier | None = None
    product_id: Id | None = None
    sku: Identifier | None = None
    category_id: Id | None = None
    category: CategoryName | None = None
    channel: ChannelName | None = None
    session_id: Identifier | None = None
    value: Amount | None = None
    query: SearchText | None = None
    payload: dict[str, JsonValue] | None = None

    @field_validator("occurred_at")
    @classmethod
    def _not_in_future(cls, moment: datetime, info: ValidationInfo) -> datetime:
        context = info.context or {}
        now: datetime = context.get("now") or datetime.now(UTC)
        skew: timedelta = context.get("skew", DEFAULT_SKEW)
        if moment > now + skew:
            raise ValueError(
                f"is in the future (more than {int(skew.total_seconds())} s after {now.isoformat()})"
            )
        return moment

    @field_validator("payload")
    @classmethod
    def _payload_bounded(cls, payload: dict[str, JsonValue] | None) -> dict[str, JsonValue] | None:
        if payload is not None and len(json.dumps(payload, separators=(",", ":"))) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"is larger than {MAX_PAYLOAD_BYTES} bytes as JSON")
        return payload

    @model_validator(mode="after")
    def _references(self) -> Self:
        if self.customer_id is None and self.customer_external_id is None:
            raise ValueError("the member is needed: give customer_id or customer_external_id")
        for first, second in (
            ("customer_id", "customer_external_id"),
            ("product_id", "sku"),
            ("category_id", "category"),
        ):
            if getattr(self, first) is not None and getattr(self, second) is not None:
                raise ValueError(f"give {first} or {second}, not both")
        for group in REQUIRED.get(self.type, ()):
            for name in group:
                if getattr(self, name) is not None:
                    break
            else:
                raise ValueError(f"a {self.type.value} event needs {' or '.join(group)}")
        if self.type in MESSAGE_EVENTS and self.channel not in _CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(sorted(_CHANNELS))} for {self.type.value}")
        return self

    @property
    def key(self) -> str:
        """The given idempotency key, or one derived from everything the event says."""
        if self.idempotency_key is not None:
            return self.idempotency_key
        content = self.model_dump(mode="json", exclude_none=True, exclude={"idempotency_key", "occurred_at"})
        content["occurred_at"] = to_storage(self.occurred_at).isoformat()  # 10:00+10:00 is 00:00Z
        digest = hashlib.sha256(
            json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        return f"evt:{digest[:40]}"

    def stored_payload(self) -> dict[str, Any] | None:
        """What lands in `events.payload`: the payload as given, plus the search query."""
        if self.query is None:
            return self.payload
        return {**(self.payload or {}), "query": self.query}
