"""Delivery: the outbox worker and the channel adapters it sends through."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.delivery.adapters import ChannelSetup, build_adapters
    from tools.delivery.dispatch import DeliveryConfig, DeliveryReport, deliver_due
    from tools.delivery.mail import SmtpConfig
    from tools.delivery.message import DeliveryResult, OutboundMessage
    from tools.delivery.quiet_hours import outside_quiet_hours
    from tools.delivery.webhook import WebhookConfig

__all__ = [
    "ChannelSetup",
    "DeliveryConfig",
    "DeliveryReport",
    "DeliveryResult",
    "OutboundMessage",
    "SmtpConfig",
    "WebhookConfig",
    "build_adapters",
    "deliver_due",
    "outside_quiet_hours",
]

__getattr__ = lazy_exports(__name__)
