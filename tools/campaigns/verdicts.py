"""Recording the verdicts a campaign's members inherit from their variant's guard review.

Each member still gets their own proposal row and their own verdict, bound to the SHA-256 of
exactly the content they will receive, with a single-use approval that expires — the rows
`tools.decisions.approvals.record_verdict` writes, so the channels server and the review queue cannot tell
them apart. The only difference is cost: thousands are written in one transaction instead of one
transaction each. Inherited verdicts never need a person (flagged members are reviewed on their
own), so no review items are written here.
"""

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from policies.proposal import OfferProposal, content_hash
from policies.vocabulary import Verdict
from tools.decisions.approvals import VerdictRecord
from tools.storage import Database, GuardVerdict, Proposal
from tools.time import to_storage

CHUNK = 2_000  # rows per INSERT batch: two JSON columns each, well inside parameter limits


@dataclass(frozen=True)
class Inherited:
    proposal: OfferProposal
    verdict: Verdict  # approve, or reject
    reasons: list[dict[str, Any]]
    trace_id: str  # the trace of the review it inherits, so explaining it shows that review
    # The member's own decision trace, when they have one: the proposal is recorded under it (the
    # decision log and `loyalty eval offline` match a decision's send by its trace).
    proposal_trace: str | None = None


async def record_inherited(
    db: Database,
    verdicts: Sequence[Inherited],
    *,
    policy_version: str,
    guard_model: str,
    now: datetime,
    approval_ttl: timedelta,
) -> list[VerdictRecord]:
    moment = to_storage(now)
    expires = to_storage(now + approval_ttl)
    records: list[VerdictRecord] = []
    proposals: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for item in verdicts:
        if item.verdict not in (Verdict.APPROVE, Verdict.REJECT):
            raise ValueError(f"a campaign member inherits approve or reject, not {item.verdict.value}")
        approved = item.verdict is Verdict.APPROVE
        p, digest, proposal_id = item.proposal, content_hash(item.proposal), str(uuid.uuid4())
        approval = secrets.token_urlsafe(24) if approved else None
        proposals.append(
            {
                "id": proposal_id,
                "trace_id": item.proposal_trace or item.trace_id,
                "customer_id": p.customer_id,
                "use_case": p.use_case.value,
                "channel": p.channel.value,
                "content": p.model_dump(mode="json"),
                "content_hash": digest,
                "estimated_cost": p.estimated_cost,
                "expected_value": p.value.expected_value,
                "status": "approved" if approved else "rejected",
                "created_at": moment,
            }
        )
        rows.append(
            {
                "proposal_id": proposal_id,
                "verdict": item.verdict.value,
                "reasons": item.reasons,
                "policy_version": policy_version,
                "content_hash": digest,
                "approval_id": approval,
                "approval_expires_at": expires if approved else None,
                "guard_model": guard_model,
                "created_at": moment,
            }
        )
        records.append(
            VerdictRecord(proposal_id, item.verdict, digest, approval, expires if approved else None, None)
        )
    async with db.session() as session, session.begin():
        for start in range(0, len(rows), CHUNK):
            await session.execute(insert(Proposal), proposals[start : start + CHUNK])
            await session.execute(insert(GuardVerdict), rows[start : start + CHUNK])
    return records
