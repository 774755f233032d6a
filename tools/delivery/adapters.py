"""Which adapter serves which channel: real gateways where configured, file sinks elsewhere."""

from pathlib import Path

import httpx2
from pydantic import BaseModel, ConfigDict, field_validator

from policies.vocabulary import Channel
from tools.delivery.files import InStoreExport, JsonlSink
from tools.delivery.mail import EmailAdapter, SmtpConfig
from tools.delivery.message import ChannelAdapter
from tools.delivery.webhook import WebhookAdapter, WebhookConfig

WEBHOOK_CHANNELS = (Channel.SMS, Channel.PUSH, Channel.IN_APP)


class ChannelSetup(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sender: str = "Loyalty <loyalty@example.com>"
    smtp: SmtpConfig | None = None
    webhooks: dict[Channel, WebhookConfig] = {}

    @field_validator("webhooks")
    @classmethod
    def _webhook_channels(cls, webhooks: dict[Channel, WebhookConfig]) -> dict[Channel, WebhookConfig]:
        if wrong := sorted(c.value for c in webhooks if c not in WEBHOOK_CHANNELS):
            raise ValueError(
                f"webhooks serve {', '.join(c.value for c in WEBHOOK_CHANNELS)}, not {', '.join(wrong)}"
            )
        return webhooks


def build_adapters(
    setup: ChannelSetup,
    outbox_dir: Path,
    client: httpx2.AsyncClient | None = None,
) -> dict[Channel, ChannelAdapter]:
    """Files land in `outbox_dir`: `email/*.eml`, `sms.jsonl`, `push.jsonl`, `in_app.jsonl` and
    `in_store.csv`. `client` is needed when any webhook is configured."""
    adapters: dict[Channel, ChannelAdapter] = {
        Channel.EMAIL: EmailAdapter(sender=setup.sender, eml_dir=outbox_dir / "email", smtp=setup.smtp),
        Channel.IN_STORE: InStoreExport(outbox_dir / "in_store.csv"),
    }
    for channel in WEBHOOK_CHANNELS:
        if channel in setup.webhooks:
            if client is None:
                raise ValueError(f"the {channel.value} webhook needs an HTTP client")
            adapters[channel] = WebhookAdapter(setup.webhooks[channel], client)
        else:
            adapters[channel] = JsonlSink(outbox_dir / f"{channel.value}.jsonl")
    return adapters
