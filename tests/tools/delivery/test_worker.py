"""The outbox worker: nothing lost, nothing sent twice — through flaky gateways, fallbacks,
withdrawn consent, concurrent workers and a worker killed mid-batch."""

import asyncio
import json
import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from policies.vocabulary import Channel
from tests.tools.delivery.outbox_world import Failing, Recorder, contacts, queue_contacts
from tests.tools.events.world import NAIVE_NOW, add_members
from tools.delivery.dispatch import DeliveryConfig, deliver_due
from tools.delivery.files import JsonlSink
from tools.delivery.message import DeliveryResult, OutboundMessage
from tools.delivery.quiet_hours import outside_quiet_hours
from tools.outbox.deliver import dead_letters
from tools.storage.db import Database
from tools.storage.models import ChannelConsent, Customer
from tools.storage.runtime import DeliveryAttempt, DeliveryLease

FAST = DeliveryConfig(
    batch_size=20,
    concurrency=4,
    retry_wait=timedelta(0),
    tries_per_call=1,
    max_attempts=3,
    backoff=timedelta(minutes=1),
)


class Flaky:
    """A gateway that fails a fixed share of calls (seeded), before delivering anything."""

    def __init__(self, sink: JsonlSink, share: float, seed: int) -> None:
        self.sink, self.share, self.rng = sink, share, random.Random(seed)
        self.calls = 0

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        self.calls += 1
        if self.rng.random() < self.share:
            return DeliveryResult(status="transient", detail="503 from gateway")
        return await self.sink.send(message)


def keys_in(path: Path) -> Counter[str]:
    if not path.exists():
        return Counter()
    return Counter(json.loads(line)["idempotency_key"] for line in path.read_text().splitlines())


async def drain(
    db: Database, adapters, *, config: DeliveryConfig = FAST, step=timedelta(minutes=5), rounds=60
):
    now = NAIVE_NOW
    for _ in range(rounds):
        await deliver_due(db, adapters, now, worker_id="w", config=config)
        if not [c for c in await contacts(db) if c.status in ("queued", "sending")]:
            return
        now += step
    raise AssertionError("outbox did not drain")


async def test_flaky_gateways_deliver_everything_once_or_dead_letter(db: Database, tmp_path: Path) -> None:
    members = range(1, 41)
    await add_members(db, members, consents=(Channel.EMAIL, Channel.PUSH))
    await queue_contacts(db, members, channel=Channel.EMAIL)
    adapters = {
        Channel.EMAIL: Flaky(JsonlSink(tmp_path / "email.jsonl"), 0.6, seed=1),
        Channel.PUSH: Flaky(JsonlSink(tmp_path / "push.jsonl"), 0.6, seed=2),
    }
    await drain(db, adapters)
    delivered = keys_in(tmp_path / "email.jsonl") + keys_in(tmp_path / "push.jsonl")
    rows = await contacts(db)
    assert {c.status for c in rows} <= {"sent", "dead_letter"}
    sent = [c for c in rows if c.status == "sent"]
    assert sorted(delivered) == sorted(c.idempotency_key for c in sent) and set(delivered.values()) == {1}
    assert all(keys_in(tmp_path / f"{c.channel}.jsonl")[c.idempotency_key] == 1 for c in sent)
    # With 60% of calls failing, some fell back to push and some ran out of channels.
    assert any(c.channel == "push" for c in sent) and any(c.status == "dead_letter" for c in rows)


async def test_fallback_only_to_consented_channels(db: Database) -> None:
    await add_members(db, [1], consents=(Channel.EMAIL, Channel.IN_APP))  # push: no consent
    await add_members(db, [2], consents=(Channel.EMAIL,))
    await queue_contacts(db, [1, 2])
    in_app, push = Recorder(), Recorder()
    await drain(db, {Channel.EMAIL: Failing("permanent"), Channel.PUSH: push, Channel.IN_APP: in_app})
    first, second = await contacts(db)
    assert (first.status, first.channel) == ("sent", "in_app") and push.calls == Counter()
    assert in_app.calls == Counter({first.idempotency_key: 1})
    assert second.status == "dead_letter" and "no consented fallback" in (second.last_error or "")
    assert [d.contact_id for d in await dead_letters(db)] == [second.id]
    async with db.session() as s:
        attempts = (
            await s.execute(
                select(DeliveryAttempt.contact_id, DeliveryAttempt.channel, DeliveryAttempt.result).order_by(
                    DeliveryAttempt.id
                )
            )
        ).all()
    assert sorted(attempts) == [
        (first.id, "email", "permanent"),
        (first.id, "in_app", "sent"),
        (second.id, "email", "permanent"),
    ]


async def test_transient_failures_retry_with_backoff_then_fall_back(db: Database) -> None:
    await add_members(db, [1])
    await queue_contacts(db, [1])
    email, push = Failing("transient"), Recorder()
    adapters = {Channel.EMAIL: email, Channel.PUSH: push}
    report = await deliver_due(db, adapters, NAIVE_NOW, worker_id="w", config=FAST)
    (row,) = await contacts(db)
    assert (
        report.retried == 1
        and row.status == "queued"
        and row.scheduled_at == NAIVE_NOW + timedelta(minutes=1)
    )
    assert (
        await deliver_due(db, adapters, NAIVE_NOW + timedelta(seconds=59), worker_id="w", config=FAST)
    ).claimed == 0
    await deliver_due(db, adapters, NAIVE_NOW + timedelta(minutes=1), worker_id="w", config=FAST)
    (row,) = await contacts(db)
    assert row.scheduled_at == NAIVE_NOW + timedelta(minutes=3)  # 1, then 2 minutes
    report = await deliver_due(db, adapters, NAIVE_NOW + timedelta(minutes=3), worker_id="w", config=FAST)
    assert report.fell_back == 1 and email.calls == 3
    await deliver_due(db, adapters, NAIVE_NOW + timedelta(minutes=3), worker_id="w", config=FAST)
    (row,) = await contacts(db)
    assert (row.status, row.channel) == ("sent", "push") and "email failed after 3" in (row.last_error or "")


async def test_in_call_retries_absorb_a_blip() -> None:
    from tools.delivery.dispatch import _send

    class Blip:
        calls = 0

        async def send(self, message: OutboundMessage) -> DeliveryResult:
            self.calls += 1
            return DeliveryResult(status="transient" if self.calls < 3 else "sent")

    blip = Blip()
    config = DeliveryConfig(tries_per_call=3, retry_wait=timedelta(0))
    result = await _send(blip, _message(), config)
    assert result.status == "sent" and blip.calls == 3


async def test_withdrawn_consent_cancels_instead_of_sending(db: Database) -> None:
    await add_members(db, [1, 2])
    await queue_contacts(db, [1, 2])
    async with db.session() as s, s.begin():
        await s.execute(
            update(ChannelConsent)
            .where(ChannelConsent.customer_id == 2, ChannelConsent.channel == "email")
            .values(granted=False, opted_out_at=NAIVE_NOW)
        )
    recorder = Recorder()
    report = await deliver_due(db, {Channel.EMAIL: recorder}, NAIVE_NOW, worker_id="w", config=FAST)
    assert (report.sent, report.cancelled) == (1, 1)
    assert list(recorder.calls) == ["approval:1-email"]
    assert [c.status for c in await contacts(db)] == ["sent", "cancelled"]


async def test_concurrent_workers_never_send_one_message_twice(db: Database) -> None:
    members = range(1, 61)
    await add_members(db, members)
    await queue_contacts(db, members)
    recorder = Recorder()
    config = DeliveryConfig(batch_size=7, concurrency=3)

    async def worker(name: str) -> None:
        while (
            await deliver_due(db, {Channel.EMAIL: recorder}, NAIVE_NOW, worker_id=name, config=config)
        ).claimed:
            pass

    await asyncio.gather(*(worker(f"w{i}") for i in range(5)))
    assert len(recorder.calls) == 60 and set(recorder.calls.values()) == {1}
    assert {c.status for c in await contacts(db)} == {"sent"}


class Stalling:
    """Writes to the sink, then hangs on the n-th message: a worker dying after the gateway took
    the message but before the outbox recorded it."""

    def __init__(self, sink: JsonlSink, stall_on: int) -> None:
        self.sink, self.stall_on, self.calls = sink, stall_on, 0
        self.stalled = asyncio.Event()

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        self.calls += 1
        result = await self.sink.send(message)
        if self.calls == self.stall_on:
            self.stalled.set()
            await asyncio.Event().wait()
        return result


async def test_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    db: Database, tmp_path: Path
) -> None:
    members = range(1, 13)
    await add_members(db, members)
    await queue_contacts(db, members)
    path = tmp_path / "email.jsonl"
    stalling = Stalling(JsonlSink(path), stall_on=5)
    config = DeliveryConfig(batch_size=12, concurrency=1)
    assert config.lease == timedelta(minutes=12)  # twice 12 sends of at most 30 s
    task = asyncio.create_task(
        deliver_due(db, {Channel.EMAIL: stalling}, NAIVE_NOW, worker_id="doomed", config=config)
    )
    await stalling.stalled.wait()
    task.cancel()  # the kill
    with pytest.raises(asyncio.CancelledError):
        await task
    rows = await contacts(db)
    assert Counter(c.status for c in rows) == Counter({"sent": 4, "sending": 8})

    # A restart within the lease leaves the dead worker's messages alone...
    fresh = {Channel.EMAIL: JsonlSink(path)}
    early = await deliver_due(db, fresh, NAIVE_NOW + timedelta(minutes=11), worker_id="new", config=config)
    assert early.claimed == 0
    # ...and takes them once the lease has expired; the one the gateway already had is a duplicate.
    report = await deliver_due(db, fresh, NAIVE_NOW + config.lease, worker_id="new", config=config)
    assert (report.claimed, report.sent, report.duplicates) == (8, 7, 1)
    assert {c.status for c in await contacts(db)} == {"sent"}
    assert sorted(keys_in(path)) == sorted(c.idempotency_key for c in rows) and set(
        keys_in(path).values()
    ) == {1}
    async with db.session() as s:
        assert (await s.scalars(select(DeliveryLease))).all() == []


async def test_a_send_that_hangs_or_raises_is_a_transient_failure(db: Database) -> None:
    await add_members(db, [1, 2])
    await queue_contacts(db, [1], channel=Channel.PUSH)
    await queue_contacts(db, [2], channel=Channel.IN_APP)

    class Hangs:
        async def send(self, message: OutboundMessage) -> DeliveryResult:
            await asyncio.sleep(60)
            raise AssertionError("unreachable")

    class Raises:
        async def send(self, message: OutboundMessage) -> DeliveryResult:
            raise RuntimeError("adapter bug")

    config = DeliveryConfig(
        send_timeout=timedelta(milliseconds=50), tries_per_call=1, retry_wait=timedelta(0)
    )
    report = await deliver_due(
        db, {Channel.PUSH: Hangs(), Channel.IN_APP: Raises()}, NAIVE_NOW, worker_id="w", config=config
    )
    assert report.retried == 2
    errors = sorted(c.last_error or "" for c in await contacts(db))
    assert errors == ["in_app: adapter error: RuntimeError: adapter bug", "push: no answer within 0.05 s"]


async def test_retries_wait_out_the_members_quiet_hours(db: Database) -> None:
    await add_members(db, [1])
    async with db.session() as s, s.begin():
        await s.execute(
            update(Customer).values(time_zone="Australia/Sydney", quiet_start_hour=21, quiet_end_hour=8)
        )
    late = NAIVE_NOW.replace(hour=9, minute=30)  # 20:30 in Sydney (UTC+11 in March)
    await queue_contacts(db, [1], at=late)
    await deliver_due(
        db,
        {Channel.EMAIL: Failing("transient")},
        late,
        worker_id="w",
        config=FAST.model_copy(update={"backoff": timedelta(hours=1)}),
    )
    (row,) = await contacts(db)
    assert row.status == "queued" and row.scheduled_at == NAIVE_NOW.replace(hour=21, minute=0)  # 08:00 Sydney


def test_quiet_hours_wrapping_midnight() -> None:
    day = NAIVE_NOW.replace(hour=0)
    assert outside_quiet_hours(day.replace(hour=12), "UTC", 21, 8) == day.replace(hour=12)
    assert outside_quiet_hours(day.replace(hour=22), "UTC", 21, 8) == day.replace(hour=8) + timedelta(days=1)
    assert outside_quiet_hours(day.replace(hour=3), "UTC", 21, 8) == day.replace(hour=8)
    assert outside_quiet_hours(day.replace(hour=3), "UTC", 1, 5) == day.replace(hour=5)
    assert outside_quiet_hours(day.replace(hour=3), "Not/AZone", 8, 8) == day.replace(hour=3)


def test_the_lease_outlasts_the_slowest_possible_batch() -> None:
    assert DeliveryConfig().lease == timedelta(minutes=10)
    assert DeliveryConfig(batch_size=100, concurrency=1).lease == timedelta(minutes=100)


def _message() -> OutboundMessage:
    return OutboundMessage(
        contact_id=1,
        idempotency_key="k",
        channel=Channel.EMAIL,
        customer_id=1,
        customer_external_id="M1",
        email="s@e.com",
        phone=None,
        subject="s",
        body="b",
        offer_code=None,
        use_case=None,
        campaign=None,
        scheduled_at=NAIVE_NOW,
    )
