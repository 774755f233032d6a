"""Workers claim members from the trigger queue: one member, one worker, at any moment; a crashed
worker's members come back after its lease; failures back off, then fail for good."""

import asyncio
import random
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from tests.tools.events.world import NAIVE_NOW, add_members
from tools.storage.db import Database
from tools.storage.runtime import MemberLease, QueuedTrigger
from tools.triggers import claim, complete, due_members, fail, queue_counts, renew

LEASE = timedelta(minutes=1)


async def queue(db: Database, members: range, *, per_member: int = 1, due=NAIVE_NOW, tag: str = "") -> None:
    async with db.session() as s, s.begin():
        for member in members:
            for n in range(per_member):
                s.add(
                    QueuedTrigger(
                        idempotency_key=f"test:{member}:{n}{tag}",
                        rule="test",
                        kind="purchase",
                        customer_id=member,
                        use_case="upsell",
                        arm="treatment",
                        payload={"n": n},
                        status="pending",
                        attempts=0,
                        created_at=NAIVE_NOW,
                        due_at=due,
                    )
                )


async def test_claim_takes_all_due_triggers_of_each_member(db: Database) -> None:
    await add_members(db, range(1, 4))
    await queue(db, range(1, 4), per_member=2)
    await queue(db, range(3, 4), due=NAIVE_NOW + timedelta(hours=1), tag="later")  # not due yet
    claimed = await claim(db, "w1", limit=2, now=NAIVE_NOW, lease=LEASE)
    assert sorted({t.customer_id for t in claimed}) == [1, 2] and len(claimed) == 4
    assert {t.attempts for t in claimed} == {1}
    assert {t.lease_expires_at for t in claimed} == {NAIVE_NOW + LEASE}
    rest = await claim(db, "w2", limit=10, now=NAIVE_NOW, lease=LEASE)
    assert [t.customer_id for t in rest] == [3, 3]  # only member 3's due ones


async def test_due_members_are_those_a_batch_of_decisions_will_read(db: Database) -> None:
    await add_members(db, range(1, 6))
    await queue(db, range(1, 4), per_member=2)
    await queue(db, range(4, 5), due=NAIVE_NOW + timedelta(hours=1), tag="later")  # not due yet
    await queue(db, range(5, 6))
    finished = await claim(db, "w1", limit=1, now=NAIVE_NOW, lease=LEASE)  # member 1, decided
    await complete(db, "w1", [t.id for t in finished], now=NAIVE_NOW)
    assert sorted(await due_members(db, NAIVE_NOW)) == [2, 3, 5]
    assert sorted(await due_members(db, NAIVE_NOW + timedelta(hours=2))) == [2, 3, 4, 5]


async def test_concurrent_claimers_never_share_a_member(db: Database) -> None:
    members = range(1, 31)
    await add_members(db, members)
    await queue(db, members, per_member=3)
    holding: dict[int, str] = {}
    done: Counter[int] = Counter()
    rng = random.Random(7)

    async def worker(name: str) -> None:
        idle = 0
        while idle < 3:
            claimed = await claim(db, name, limit=4, now=NAIVE_NOW, lease=timedelta(minutes=5))
            if not claimed:
                idle += 1
                await asyncio.sleep(0.01)
                continue
            for member in {t.customer_id for t in claimed}:
                assert member not in holding, f"{name} got member {member} held by {holding[member]}"
                holding[member] = name
            await asyncio.sleep(rng.random() * 0.01)  # deciding
            for member in {t.customer_id for t in claimed}:
                del holding[member]
            assert await complete(db, name, [t.id for t in claimed], now=NAIVE_NOW) == len(claimed)
            done.update(t.id for t in claimed)

    await asyncio.gather(*(worker(f"w{i}") for i in range(6)))
    assert len(done) == 90 and set(done.values()) == {1}  # every trigger, exactly once
    assert await queue_counts(db) == {"done": 90}
    async with db.session() as s:
        assert (await s.scalars(select(MemberLease))).all() == []


async def test_a_member_held_by_one_worker_waits_for_it(db: Database) -> None:
    await add_members(db, range(1, 2))
    await queue(db, range(1, 2))
    first = await claim(db, "w1", limit=5, now=NAIVE_NOW, lease=LEASE)
    await queue(db, range(1, 2), tag="new")  # a new trigger for the same member arrives
    assert await claim(db, "w2", limit=5, now=NAIVE_NOW, lease=LEASE) == []
    await complete(db, "w1", [t.id for t in first], now=NAIVE_NOW)
    assert [t.idempotency_key for t in await claim(db, "w2", limit=5, now=NAIVE_NOW, lease=LEASE)] == [
        "test:1:0new"
    ]


async def test_crashed_workers_members_are_reclaimed_after_the_lease(db: Database) -> None:
    await add_members(db, range(1, 3))
    await queue(db, range(1, 3))
    crashed = await claim(db, "w1", limit=5, now=NAIVE_NOW, lease=LEASE)
    assert len(crashed) == 2  # ... and w1 dies here
    assert await claim(db, "w2", limit=5, now=NAIVE_NOW + LEASE / 2, lease=LEASE) == []
    again = await claim(db, "w2", limit=5, now=NAIVE_NOW + LEASE, lease=LEASE)
    assert sorted(t.id for t in again) == sorted(t.id for t in crashed)
    assert {t.attempts for t in again} == {2}
    # w1 wakes up: it no longer holds anything, so its completion changes nothing.
    assert await complete(db, "w1", [t.id for t in crashed], now=NAIVE_NOW + LEASE) == 0
    assert await complete(db, "w2", [t.id for t in again], now=NAIVE_NOW + LEASE) == 2


async def test_a_trigger_that_kills_every_worker_ends_failed(db: Database) -> None:
    await add_members(db, range(1, 2))
    await queue(db, range(1, 2))
    now = NAIVE_NOW
    for _ in range(2):
        assert len(await claim(db, "w", limit=1, now=now, lease=LEASE, max_attempts=2)) == 1
        now += LEASE
    assert await claim(db, "w", limit=1, now=now, lease=LEASE, max_attempts=2) == []
    async with db.session() as s:
        trigger = await s.scalar(select(QueuedTrigger))
    assert (
        trigger is not None and trigger.status == "failed" and "lease expired" in (trigger.last_error or "")
    )


async def test_failures_back_off_then_fail(db: Database) -> None:
    await add_members(db, range(1, 2))
    await queue(db, range(1, 2))
    now = NAIVE_NOW
    statuses = []
    for waited in (timedelta(0), timedelta(minutes=1), timedelta(minutes=2)):
        now += waited
        if waited:  # not before the backoff has passed
            assert await claim(db, "w", limit=1, now=now - timedelta(seconds=1), lease=LEASE) == []
        (trigger,) = await claim(db, "w", limit=1, now=now, lease=LEASE)
        statuses.append(await fail(db, "w", trigger.id, "model timed out", now=now, max_attempts=3))
    assert statuses == ["pending", "pending", "failed"]
    assert await claim(db, "w", limit=1, now=now + timedelta(days=1), lease=LEASE) == []
    assert await fail(db, "w", trigger.id, "again", now=now) is None  # no longer held


async def test_renewed_lease_keeps_the_member(db: Database) -> None:
    await add_members(db, range(1, 2))
    await queue(db, range(1, 2))
    (trigger,) = await claim(db, "w1", limit=1, now=NAIVE_NOW, lease=LEASE)
    assert await renew(db, "w1", [1], now=NAIVE_NOW + LEASE / 2, lease=LEASE) == [1]
    assert await claim(db, "w2", limit=1, now=NAIVE_NOW + LEASE, lease=LEASE) == []
    assert len(await claim(db, "w2", limit=1, now=NAIVE_NOW + 2 * LEASE, lease=LEASE)) == 1
    assert await renew(db, "w1", [1], now=NAIVE_NOW + 2 * LEASE, lease=LEASE) == []  # lost: not revived
    assert trigger.customer_id == 1
