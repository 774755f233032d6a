"""The batch door: every guarantee of `send_approved`, for many items at a fixed number of
statements per chunk, all or nothing per chunk, and safe to run again after a crash."""

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from policies.vocabulary import Channel, Verdict
from tests.tools.proposals import NOW, add_member, proposal
from tools.decisions.approvals import record_verdict
from tools.errors import StorageError
from tools.outbox import SendReceipt, SendRefused, send_approved
from tools.outbox.accept_many import BatchItem, send_approved_many
from tools.storage.db import Database
from tools.storage.models import Budget, Contact, GuardVerdict, Proposal
from tools.storage.statements import counting

TTL = timedelta(hours=2)


async def approved(db: Database, members: Sequence[int], **kw) -> list[BatchItem]:
    items = []
    for member in members:
        p = proposal(member, **kw)
        record = await record_verdict(
            db,
            p,
            verdict=Verdict.APPROVE,
            reasons=[],
            policy_version="t1",
            guard_model="local",
            trace_id="trace-1",
            now=NOW,
            approval_ttl=TTL,
        )
        assert record.approval_id is not None
        items.append(BatchItem(p, record.approval_id))
    return items


async def members(db: Database, n: int, *, budget: float = 1000.0) -> None:
    for member in range(1, n + 1):
        await add_member(db, member, budget=budget)


async def contact_count(db: Database) -> int:
    async with db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(Contact)) or 0)


async def spent(db: Database) -> float:
    async with db.session() as s:
        return float(await s.scalar(select(Budget.spent).where(Budget.use_case == "reactivation")) or 0.0)


async def test_queues_every_item_once_consuming_each_approval(db: Database) -> None:
    await members(db, 6)
    items = await approved(db, range(1, 7))
    result = await send_approved_many(db, items, now=NOW, chunk_size=4)
    assert result.queued == list(range(6)) and not result.refused and not result.replayed
    receipts = [o for o in result.outcomes if isinstance(o, SendReceipt)]
    assert len({r.contact_id for r in receipts}) == 6
    async with db.session() as s:
        keys = set((await s.scalars(select(Contact.idempotency_key))).all())
        assert keys == {f"approval:{i.approval_id}" for i in items}
        assert (
            await s.scalar(
                select(func.count())
                .select_from(GuardVerdict)
                .where(GuardVerdict.approval_used_at.is_not(None))
            )
            == 6
        )
        assert set((await s.scalars(select(Proposal.status))).all()) == {"sent"}
    assert await spent(db) == pytest.approx(6 * 15.0)
    # Approvals are single-use whichever door is tried next.
    with pytest.raises(SendRefused) as refused:
        await send_approved(db, items[0].proposal, items[0].approval_id, now=NOW)
    assert refused.value.code == "approval_used"


async def test_statements_per_chunk_do_not_grow_with_its_size(db: Database) -> None:
    await members(db, 40)
    small, large = await approved(db, range(1, 4)), await approved(db, range(4, 41))
    with counting(db) as few:
        await send_approved_many(db, small, now=NOW)
    with counting(db) as many:
        await send_approved_many(db, large, now=NOW)
    assert len(many) == len(few)
    assert await contact_count(db) == 40


async def test_each_item_is_judged_like_the_single_path(db: Database) -> None:
    await members(db, 5)
    good, changed, expired, unknown = await approved(db, [1, 2, 3, 4])
    async with db.session() as s, s.begin():
        await s.execute(
            update(GuardVerdict)
            .where(GuardVerdict.approval_id == expired.approval_id)
            .values(approval_expires_at=NOW.replace(tzinfo=None) - timedelta(minutes=1))
        )
    items = [
        good,
        BatchItem(proposal(2, discount=40), changed.approval_id),
        expired,
        BatchItem(proposal(99), unknown.approval_id),
        BatchItem(proposal(5), "made-up-approval"),
    ]
    result = await send_approved_many(db, items, now=NOW)
    codes = [o.code if isinstance(o, SendRefused) else "queued" for o in result.outcomes]
    assert codes == ["queued", "content_changed", "approval_expired", "unknown_member", "no_approval"]
    assert await contact_count(db) == 1


async def test_budget_is_reserved_in_the_database_in_the_order_given(db: Database) -> None:
    await members(db, 10, budget=45.0)
    items = await approved(db, range(1, 11))
    result = await send_approved_many(db, items, now=NOW, chunk_size=4)
    assert result.queued == [0, 1, 2]
    assert {result.outcomes[i].code for i in result.refused} == {"budget"}
    assert await spent(db) == pytest.approx(45.0)
    assert await contact_count(db) == 3


async def test_budget_holds_when_batches_and_single_sends_race(db: Database) -> None:
    # Budget for five sends of 15.00; two batches and five single sends race for it.
    await members(db, 15, budget=75.0)
    items = await approved(db, range(1, 16))
    singles = [send_approved(db, i.proposal, i.approval_id, now=NOW) for i in items[10:]]
    results = await asyncio.gather(
        send_approved_many(db, items[:5], now=NOW, chunk_size=2),
        send_approved_many(db, items[5:10], now=NOW, chunk_size=3),
        *singles,
        return_exceptions=True,
    )
    assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, SendRefused)], (
        results
    )
    assert await contact_count(db) == 5
    assert await spent(db) == pytest.approx(75.0)


async def test_paused_or_missing_budget_is_refused(db: Database) -> None:
    await members(db, 2)
    items = await approved(db, [1, 2])
    async with db.session() as s, s.begin():
        await s.execute(update(Budget).where(Budget.use_case == "reactivation").values(paused=True))
    result = await send_approved_many(db, items, now=NOW)
    assert [o.code for o in result.outcomes if isinstance(o, SendRefused)] == ["paused", "paused"]
    async with db.session() as s, s.begin():
        await s.execute(
            update(Budget)
            .where(Budget.use_case == "reactivation")
            .values(paused=False, period_end=NOW.replace(tzinfo=None))
        )
    result = await send_approved_many(db, items, now=NOW)
    assert [o.code for o in result.outcomes if isinstance(o, SendRefused)] == ["no_budget", "no_budget"]
    assert await contact_count(db) == 0


async def test_failed_recheck_leaves_the_approval_usable(db: Database) -> None:
    await members(db, 2)
    items = await approved(db, [1, 2])

    async def member_two_capped(_session, proposals) -> list[list[str]]:
        return [["frequency.channel_weekly: capped"] if p.customer_id == 2 else [] for p in proposals]

    result = await send_approved_many(db, items, now=NOW, recheck=member_two_capped)
    assert result.queued == [0] and result.outcomes[1].code == "rules"
    assert await spent(db) == pytest.approx(15.0)
    again = await send_approved_many(db, items, now=NOW)
    assert again.replayed == {0} and again.queued == [1]
    assert await contact_count(db) == 2


async def test_a_members_second_item_is_rechecked_after_the_first(db: Database) -> None:
    await members(db, 2)
    first, other = await approved(db, [1, 2])
    second = (await approved(db, [1], channel=Channel.SMS, body="Back in stock."))[0]

    async def one_live_message(session, proposals) -> list[list[str]]:
        live = set((await session.scalars(select(Contact.customer_id))).all())
        return [["already contacted"] if p.customer_id in live else [] for p in proposals]

    result = await send_approved_many(db, [first, second, other], now=NOW, recheck=one_live_message)
    assert result.queued == [0, 2]
    assert result.outcomes[1].code == "rules"


async def test_a_crash_mid_batch_loses_and_duplicates_nothing(db: Database) -> None:
    await members(db, 9)
    items = await approved(db, range(1, 10))
    calls = 0

    async def crash_on_second_chunk(_session, proposals) -> list[list[str]]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("worker killed")
        return [[] for _ in proposals]

    with pytest.raises(RuntimeError):
        await send_approved_many(db, items, now=NOW, recheck=crash_on_second_chunk, chunk_size=4)
    # The first chunk is in whole; the second left nothing behind: no message, no spend, no approval used.
    assert await contact_count(db) == 4
    assert await spent(db) == pytest.approx(60.0)
    async with db.session() as s:
        assert (
            await s.scalar(
                select(func.count())
                .select_from(GuardVerdict)
                .where(GuardVerdict.approval_used_at.is_not(None))
            )
            == 4
        )
    result = await send_approved_many(db, items, now=NOW, chunk_size=4)
    assert result.replayed == {0, 1, 2, 3} and result.queued == [4, 5, 6, 7, 8]
    assert await contact_count(db) == 9
    assert await spent(db) == pytest.approx(9 * 15.0)


async def test_a_chunk_that_keeps_conflicting_is_written_not_at_all(db: Database) -> None:
    await members(db, 2)
    items = await approved(db, [1, 2])

    async def use_an_approval_behind_the_lock(session, proposals) -> list[list[str]]:
        # Stands in for a writer that slipped past the locks: the conditional UPDATE must notice.
        await session.execute(
            update(GuardVerdict)
            .where(GuardVerdict.approval_id == items[1].approval_id)
            .values(approval_used_at=NOW.replace(tzinfo=None))
        )
        return [[] for _ in proposals]

    with pytest.raises(StorageError):
        await send_approved_many(db, items, now=NOW, recheck=use_an_approval_behind_the_lock)
    assert await contact_count(db) == 0
    assert await spent(db) == 0.0
