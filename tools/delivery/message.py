"""What a channel adapter is given and what it answers, and the one method every adapter has."""

from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from policies.vocabulary import Channel

DeliveryStatus = Literal["sent", "duplicate", "transient", "permanent"]


class OutboundMessage(BaseModel):
    """One outbox message ready to go. `idempotency_key` is the contact's: every adapter passes it
    on (file name, header, field) so a message sent again after a crash is recognised."""

    model_config = ConfigDict(frozen=True)

    contact_id: int
    idempotency_key: str
    channel: Channel
    customer_id: int
    customer_external_id: str
    email: str | None
    phone: str | None
    subject: str | None
    body: str
    offer_code: str | None
    use_case: str | None
    campaign: str | None
    scheduled_at: datetime

    def record(self) -> dict[str, Any]:
        """The message as the webhook and file sinks carry it."""
        return {
            "idempotency_key": self.idempotency_key,
            "contact_id": self.contact_id,
            "channel": self.channel.value,
            "member": self.customer_external_id,
            "phone": self.phone if self.channel is Channel.SMS else None,
            "subject": self.subject,
            "body": self.body,
            "offer_code": self.offer_code,
            "use_case": self.use_case,
            "campaign": self.campaign,
            "scheduled_at": self.scheduled_at.isoformat(),
        }


class DeliveryResult(BaseModel):
    """`sent`; `duplicate` (the receiving end already had this key: delivered earlier);
    `transient` (worth retrying); `permanent` (this channel will not take it: fall back)."""

    model_config = ConfigDict(frozen=True)

    status: DeliveryStatus
    detail: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status in ("sent", "duplicate")


class ChannelAdapter(Protocol):
    async def send(self, message: OutboundMessage) -> DeliveryResult: ...
