"""The channels door: only an unused, unexpired approval for exactly this content gets through,
and budgets hold when sends race."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from policies.vocabulary import Verdict
from tests.tools.proposals import NOW, add_member, approve, proposal
from tools.decisions.approvals import decide_review, pending_reviews, record_verdict
from tools.outbox import SendRefused, send_approved
from tools.storage.db import Database
from tools.storage.models import Budget, Contact

TTL = timedelta(hours=2)


async def contacts(db: Database) -> int:
    async with db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(Contact)) or 0)


async def test_approved_proposal_is_queued_once(db: Database) -> None:
    await add_member(db)
    p = proposal()
    record = await approve(db, p)
    receipt = await send_approved(db, p, record.approval_id, now=NOW)
    assert receipt.status == "queued" and receipt.channel == "email"
    with pytest.raises(SendRefused) as refused:
        await send_approved(db, p, record.approval_id, now=NOW)
    assert refused.value.code == "approval_used"
    assert await contacts(db) == 1


async def test_send_without_approval_is_refused(db: Database) -> None:
    await add_member(db)
    with pytest.raises(SendRefused) as refused:
        await send_approved(db, proposal(), "made-up-approval", now=NOW)
    assert refused.value.code == "no_approval"
    assert await contacts(db) == 0


async def test_changed_content_is_refused(db: Database) -> None:
    await add_member(db)
    record = await approve(db, proposal(discount=10))
    with pytest.raises(SendRefused) as refused:
        await send_approved(db, proposal(discount=40), record.approval_id, now=NOW)
    assert refused.value.code == "content_changed"
    assert await contacts(db) == 0


async def test_expired_approval_is_refused(db: Database) -> None:
    await add_member(db)
    p = proposal()
    record = await approve(db, p)
    with pytest.raises(SendRefused) as refused:
        await send_approved(db, p, record.approval_id, now=NOW + TTL + timedelta(seconds=1))
    assert refused.value.code == "approval_expired"


async def test_rejected_proposal_has_no_approval(db: Database) -> None:
    await add_member(db)
    record = await record_verdict(
        db,
        proposal(),
        verdict=Verdict.REJECT,
        reasons=[{"rule_id": "x"}],
        policy_version="t1",
        guard_model="local",
        trace_id="t",
        now=NOW,
        approval_ttl=TTL,
    )
    assert record.approval_id is None


async def test_failed_recheck_leaves_approval_usable(db: Database) -> None:
    await add_member(db)
    p = proposal()
    record = await approve(db, p)

    async def caps_reached(_session, _proposal) -> list[str]:
        return ["frequency.channel_weekly: 1 e-mail already this week"]

    with pytest.raises(SendRefused) as refused:
        await send_approved(db, p, record.approval_id, now=NOW, recheck=caps_reached)
    assert refused.value.code == "rules"
    assert (await send_approved(db, p, record.approval_id, now=NOW)).status == "queued"


async def test_budget_holds_under_concurrent_sends(db: Database) -> None:
    # Budget for three sends of 15.00; ten members race for it.
    for member in range(1, 11):
        await add_member(db, member, budget=45.0)
    approved = [(proposal(m), (await approve(db, proposal(m))).approval_id) for m in range(1, 11)]
    results = await asyncio.gather(
        *(send_approved(db, p, a, now=NOW) for p, a in approved), return_exceptions=True
    )
    sent = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, SendRefused)]
    assert len(sent) == 3 and len(refused) == 7, results
    assert {r.code for r in refused} == {"budget"}
    async with db.session() as s:
        assert await s.scalar(select(Budget.spent).where(Budget.use_case == "reactivation")) == pytest.approx(
            45.0
        )


async def test_high_value_waits_for_a_person(db: Database) -> None:
    await add_member(db)
    p = proposal()
    record = await approve(db, p, review_reason="discount value above 100.00")
    assert record.approval_id is None and record.review_id is not None
    queue = await pending_reviews(db)
    assert [q["review_id"] for q in queue] == [record.review_id]
    decided = await decide_review(
        db, record.review_id, approve=True, by="ops@retailer", now=NOW, approval_ttl=TTL
    )
    assert (await send_approved(db, p, decided.approval_id, now=NOW)).status == "queued"
    assert await pending_reviews(db) == []
