"""SMS, push and in-app through a JSON webhook (the retailer's messaging gateway).

The message goes out as JSON with an `Idempotency-Key` header; a gateway that already has the key
may answer 409, which counts as delivered. Timeouts, 408/425/429 and 5xx are worth retrying;
any other 4xx means this gateway will not take the message.
"""

import httpx2
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from policies.vocabulary import Channel
from tools.delivery.message import DeliveryResult, OutboundMessage

RETRYABLE = frozenset({408, 425, 429})


class WebhookConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(pattern=r"^https?://\S+$")
    token: SecretStr | None = None
    timeout_seconds: float = Field(10, gt=0, le=120)


class WebhookAdapter:
    def __init__(self, config: WebhookConfig, client: httpx2.AsyncClient) -> None:
        self.config = config
        self.client = client

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        if message.channel is Channel.SMS and not message.phone:
            return DeliveryResult(status="permanent", detail="no phone number on file")
        headers = {"Idempotency-Key": message.idempotency_key}
        if self.config.token is not None:
            headers["Authorization"] = f"Bearer {self.config.token.get_secret_value()}"
        try:
            response = await self.client.post(
                self.config.url, json=message.record(), headers=headers, timeout=self.config.timeout_seconds
            )
        except httpx2.TimeoutException:
            return DeliveryResult(
                status="transient", detail=f"timed out after {self.config.timeout_seconds} s"
            )
        except httpx2.TransportError as exc:
            return DeliveryResult(status="transient", detail=f"cannot reach gateway: {exc}")
        code = response.status_code
        if 200 <= code < 300:
            return DeliveryResult(status="sent", detail=f"HTTP {code}")
        if code == 409:
            return DeliveryResult(status="duplicate", detail="gateway already has this key")
        status = "transient" if code in RETRYABLE or code >= 500 else "permanent"
        return DeliveryResult(status=status, detail=f"HTTP {code}: {response.text[:200]}")
