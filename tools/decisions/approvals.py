"""Guard verdicts and the approvals they issue.

An approval is a random id bound to the SHA-256 of the exact content the guard judged, valid for a
limited time and usable once. The channels server accepts nothing else (see `tools.outbox`).
High-value decisions get no approval from the guard: they wait in the review queue until a person
approves them, which issues the approval then.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select

from policies.proposal import OfferProposal, content_hash
from policies.vocabulary import Verdict
from tools.errors import InvalidInput, NotFound
from tools.storage import Customer, Database, GuardVerdict, Proposal, ReviewItem
from tools.time import to_storage


@dataclass(frozen=True)
class VerdictRecord:
    proposal_id: str
    verdict: Verdict
    content_hash: str
    approval_id: str | None
    approval_expires_at: datetime | None
    review_id: int | None


# The member's id alone: whether they exist is all a verdict needs of them (built once).
_MEMBER_EXISTS = select(Customer.id).where(Customer.id == bindparam("id"))
_NEW_PROPOSAL = insert(Proposal)
_NEW_VERDICT = insert(GuardVerdict)


async def record_verdict(
    db: Database,
    proposal: OfferProposal,
    *,
    verdict: Verdict,
    reasons: list[dict[str, Any]],
    policy_version: str,
    guard_model: str,
    trace_id: str,
    now: datetime,
    approval_ttl: timedelta,
    review_reason: str | None = None,
) -> VerdictRecord:
    """Store the proposal and the guard's verdict on it. For `approve` or `revise` (the proposal
    given is then the revised one) an approval is issued, unless `review_reason` sends the
    decision to a person first."""
    approved = verdict in (Verdict.APPROVE, Verdict.REVISE)
    digest = content_hash(proposal)
    # Statements built once, on the session's connection, for the rows every verdict writes: they
    # are never read back here, so the ORM's unit of work would be overhead on every approval.
    async with db.session() as session, session.begin():
        conn = await session.connection()
        if (await conn.execute(_MEMBER_EXISTS, {"id": proposal.customer_id})).first() is None:
            raise NotFound(f"no member with id {proposal.customer_id}")
        proposal_id = str(uuid.uuid4())
        await conn.execute(
            _NEW_PROPOSAL,
            {
                "id": proposal_id,
                "trace_id": trace_id,
                "customer_id": proposal.customer_id,
                "use_case": proposal.use_case.value,
                "channel": proposal.channel.value,
                "content": proposal.model_dump(mode="json"),
                "content_hash": digest,
                "estimated_cost": proposal.estimated_cost,
                "expected_value": proposal.value.expected_value,
                "status": "rejected" if not approved else ("in_review" if review_reason else "approved"),
                "created_at": to_storage(now),
            },
        )
        issue = approved and review_reason is None
        record = VerdictRecord(
            proposal_id=proposal_id,
            verdict=verdict,
            content_hash=digest,
            approval_id=secrets.token_urlsafe(24) if issue else None,
            approval_expires_at=to_storage(now + approval_ttl) if issue else None,
            review_id=None,
        )
        await conn.execute(
            _NEW_VERDICT,
            {
                "proposal_id": proposal_id,
                "verdict": verdict.value,
                "reasons": reasons,
                "policy_version": policy_version,
                "content_hash": digest,
                "approval_id": record.approval_id,
                "approval_expires_at": record.approval_expires_at,
                "approval_used_at": None,
                "guard_model": guard_model,
                "created_at": to_storage(now),
            },
        )
        if approved and review_reason:
            review = ReviewItem(
                proposal_id=proposal_id, reason=review_reason, status="pending", created_at=to_storage(now)
            )
            session.add(review)
            await session.flush()
            record = VerdictRecord(proposal_id, verdict, digest, None, None, review.id)
    return record


async def decide_review(
    db: Database, review_id: int, *, approve: bool, by: str, now: datetime, approval_ttl: timedelta
) -> VerdictRecord:
    """A person approves or rejects a queued decision; approval issues a fresh, single-use approval."""
    if not by.strip():
        raise InvalidInput("a review decision needs the reviewer's name")
    async with db.session() as session, session.begin():
        item = await session.get(ReviewItem, review_id)
        if item is None:
            raise NotFound(f"no review item {review_id}")
        if item.status != "pending":
            raise InvalidInput(f"review item {review_id} was already {item.status}")
        proposal = await session.get(Proposal, item.proposal_id)
        assert proposal is not None  # foreign key
        item.status, item.decided_by, item.decided_at = (
            ("approved" if approve else "rejected"),
            by,
            to_storage(now),
        )
        proposal.status = "approved" if approve else "rejected"
        approval_id = secrets.token_urlsafe(24) if approve else None
        expires = to_storage(now + approval_ttl) if approve else None
        verdict = Verdict.APPROVE if approve else Verdict.REJECT
        session.add(
            GuardVerdict(
                proposal_id=proposal.id,
                verdict=verdict.value,
                reasons=[{"rule_id": "review.human", "message": f"{item.status} by {by}"}],
                policy_version="human-review",
                content_hash=proposal.content_hash,
                approval_id=approval_id,
                approval_expires_at=expires,
                guard_model=f"human:{by}",
                created_at=to_storage(now),
            )
        )
    return VerdictRecord(proposal.id, verdict, proposal.content_hash, approval_id, expires, review_id)


async def pending_reviews(db: Database, limit: int = 50) -> list[dict[str, Any]]:
    async with db.session() as session:
        rows = await session.execute(
            select(ReviewItem, Proposal)
            .join(Proposal, Proposal.id == ReviewItem.proposal_id)
            .where(ReviewItem.status == "pending")
            .order_by(ReviewItem.created_at)
            .limit(limit)
        )
        return [
            {
                "review_id": item.id,
                "proposal_id": proposal.id,
                "customer_id": proposal.customer_id,
                "use_case": proposal.use_case,
                "channel": proposal.channel,
                "estimated_cost": proposal.estimated_cost,
                "reason": item.reason,
                "created_at": item.created_at.isoformat(),
                "proposal": proposal.content,
            }
            for item, proposal in rows
        ]
