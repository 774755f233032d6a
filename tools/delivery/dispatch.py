"""The outbox worker: claim what is due, send it through the channel's adapter, record the result.

Within one call a transient failure is retried a few times with a short exponential wait
(tenacity); across calls a message that still fails is re-queued with a longer backoff, moved to
a fallback channel the member consented to after `max_attempts`, and dead-lettered when no such
channel is left. Each result is recorded as soon as its send returns, so a worker killed mid-batch
leaves only its in-flight messages to be re-sent — under the same idempotency key.
"""

import asyncio
import math
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta

import structlog
from pydantic import BaseModel, ConfigDict, Field
from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt, wait_exponential

from policies.vocabulary import Channel
from tools.delivery.message import ChannelAdapter, DeliveryResult, OutboundMessage
from tools.outbox.deliver import RetryPolicy, claim_contacts, record_result
from tools.storage import Database

log = structlog.get_logger(__name__)

# SMS is never a fallback by default: it has its own length and opt-out-text rules, which content
# approved for another channel was not checked against.
DEFAULT_FALLBACKS: dict[Channel, tuple[Channel, ...]] = {
    Channel.EMAIL: (Channel.PUSH, Channel.IN_APP),
    Channel.SMS: (Channel.PUSH, Channel.IN_APP, Channel.EMAIL),
    Channel.PUSH: (Channel.IN_APP, Channel.EMAIL),
    Channel.IN_APP: (Channel.PUSH, Channel.EMAIL),
    Channel.IN_STORE: (),
}


class DeliveryConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    batch_size: int = Field(50, ge=1, le=10_000)
    concurrency: int = Field(5, ge=1, le=256)
    min_lease: timedelta = timedelta(minutes=10)
    send_timeout: timedelta = timedelta(seconds=30)
    tries_per_call: int = Field(3, ge=1, le=10)
    retry_wait: timedelta = timedelta(milliseconds=500)
    max_attempts: int = Field(3, ge=1, le=50)
    backoff: timedelta = timedelta(minutes=2)
    max_backoff: timedelta = timedelta(hours=1)
    fallbacks: dict[Channel, tuple[Channel, ...]] = DEFAULT_FALLBACKS

    @property
    def lease(self) -> timedelta:
        """How long a claimed batch is held: at least twice the longest the batch can take (each
        send ends or times out within `send_timeout`), so no other worker re-sends a message this
        one is still sending."""
        worst = self.send_timeout * math.ceil(self.batch_size / self.concurrency)
        return max(self.min_lease, 2 * worst)


class DeliveryReport(BaseModel):
    claimed: int = 0
    sent: int = 0
    duplicates: int = 0
    retried: int = 0
    fell_back: int = 0
    dead_lettered: int = 0
    cancelled: int = 0
    lease_lost: int = 0


async def deliver_due(
    db: Database,
    adapters: Mapping[Channel, ChannelAdapter],
    now: datetime,
    *,
    worker_id: str,
    config: DeliveryConfig = DeliveryConfig(),
) -> DeliveryReport:
    """Deliver one batch of due messages; returns what happened to them."""
    claim = await claim_contacts(db, worker_id, now=now, limit=config.batch_size, lease=config.lease)
    if not claim.messages:
        return DeliveryReport(cancelled=claim.cancelled)
    policy = RetryPolicy(
        max_attempts=config.max_attempts,
        backoff=config.backoff,
        max_backoff=config.max_backoff,
        fallbacks=config.fallbacks,
        usable=frozenset(adapters),
    )
    gate = asyncio.Semaphore(config.concurrency)
    outcomes: Counter[str] = Counter()

    async def deliver(message: OutboundMessage) -> None:
        async with gate:
            result = await _send(adapters.get(message.channel), message, config)
            outcomes[await record_result(db, worker_id, message, result, now=now, policy=policy)] += 1

    async with asyncio.TaskGroup() as group:
        for message in claim.messages:
            group.create_task(deliver(message))
    report = DeliveryReport(
        claimed=len(claim.messages),
        sent=outcomes["sent"],
        duplicates=outcomes["duplicate"],
        retried=outcomes["retry"],
        fell_back=outcomes["fallback"],
        dead_lettered=outcomes["dead_letter"],
        cancelled=claim.cancelled,
        lease_lost=outcomes["lease_lost"],
    )
    log.info("outbox.delivered", worker=worker_id, **report.model_dump())
    return report


async def _send(
    adapter: ChannelAdapter | None, message: OutboundMessage, config: DeliveryConfig
) -> DeliveryResult:
    if adapter is None:
        return DeliveryResult(status="permanent", detail=f"no adapter for {message.channel.value}")
    retrying = AsyncRetrying(
        stop=stop_after_attempt(config.tries_per_call),
        wait=wait_exponential(
            multiplier=config.retry_wait.total_seconds(), max=config.retry_wait.total_seconds() * 8
        ),
        retry=retry_if_result(lambda result: result.status == "transient"),
        retry_error_callback=_last_result,
    )
    try:
        async with asyncio.timeout(config.send_timeout.total_seconds()):
            result: DeliveryResult = await retrying(_guarded, adapter, message)
    except TimeoutError:
        return DeliveryResult(
            status="transient", detail=f"no answer within {config.send_timeout.total_seconds():g} s"
        )
    return result


async def _guarded(adapter: ChannelAdapter, message: OutboundMessage) -> DeliveryResult:
    """An adapter that raises is a bug, but one message must not take the batch down with it:
    the error is logged with its traceback and the send counts as a transient failure."""
    try:
        return await adapter.send(message)
    except Exception as exc:
        log.exception("outbox.adapter_error", contact_id=message.contact_id, channel=message.channel.value)
        return DeliveryResult(status="transient", detail=f"adapter error: {type(exc).__name__}: {exc}")


def _last_result(state: RetryCallState) -> DeliveryResult:
    assert state.outcome is not None
    result: DeliveryResult = state.outcome.result()
    return result
