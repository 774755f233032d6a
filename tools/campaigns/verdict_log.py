"""Reading the guard's verdicts back: recent rejections by rule, and what a trace decided.

Verdict reasons are stored in the shape each writer gives them — `{"rule_id": ..., "message": ...}`
from the rules engine, campaigns and people, `{"reason": "code: message"}` from the guard's own
words — so reading takes the code from either.
"""

from collections import Counter
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from policies.proposal import OfferProposal
from tools.errors import NotFound
from tools.storage import Database, GuardVerdict, Proposal

APPROVED_CODE = "guard.approved"


class RuleCount(BaseModel):
    rule_id: str
    rejections: int
    example: str  # the message of the newest rejection for this rule


class Rejection(BaseModel):
    at: datetime
    proposal_id: str
    trace_id: str
    customer_id: int
    use_case: str
    channel: str
    guard_model: str
    rule_ids: list[str]


class RejectionReport(BaseModel):
    verdicts: int  # rejected verdicts read (the newest `limit`)
    by_rule: list[RuleCount]  # most frequent first; a verdict counts once per rule it names
    recent: list[Rejection]  # newest first


class TracedVerdict(BaseModel):
    proposal_id: str
    customer_id: int
    use_case: str
    channel: str
    status: str
    verdict: str
    guard_model: str
    reasons: list[dict[str, Any]]
    content: dict[str, Any]
    at: datetime


def reason_code(reason: dict[str, Any]) -> tuple[str, str]:
    """(code, message) of one stored reason, whichever writer stored it."""
    if reason.get("rule_id"):
        return str(reason["rule_id"]), str(reason.get("message", ""))
    code, _, message = str(reason.get("reason", "")).partition(":")
    return (code.strip() or "guard.unexplained"), message.strip()


async def recent_rejections(db: Database, *, limit: int = 200, shown: int = 10) -> RejectionReport:
    async with db.session() as session:
        rows = (
            await session.execute(
                select(GuardVerdict, Proposal)
                .join(Proposal, Proposal.id == GuardVerdict.proposal_id)
                .where(GuardVerdict.verdict == "reject")
                .order_by(GuardVerdict.created_at.desc(), GuardVerdict.id.desc())
                .limit(limit)
            )
        ).all()
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    recent: list[Rejection] = []
    for verdict, proposal in rows:
        codes: dict[str, str] = {}
        for reason in verdict.reasons or []:
            code, message = reason_code(reason)
            if code != APPROVED_CODE:
                codes.setdefault(code, message)
        for code, message in codes.items():
            counts[code] += 1
            examples.setdefault(code, message)
        if len(recent) < shown:
            recent.append(
                Rejection(
                    at=verdict.created_at,
                    proposal_id=proposal.id,
                    trace_id=proposal.trace_id,
                    customer_id=proposal.customer_id,
                    use_case=proposal.use_case,
                    channel=proposal.channel,
                    guard_model=verdict.guard_model,
                    rule_ids=list(codes),
                )
            )
    return RejectionReport(
        verdicts=len(rows),
        by_rule=[
            RuleCount(rule_id=code, rejections=n, example=examples[code][:300])
            for code, n in counts.most_common()
        ],
        recent=recent,
    )


async def verdicts_for_trace(db: Database, trace_id: str) -> list[TracedVerdict]:
    """Every proposal recorded under a trace, with each verdict on it, oldest first."""
    async with db.session() as session:
        rows = (
            await session.execute(
                select(GuardVerdict, Proposal)
                .join(Proposal, Proposal.id == GuardVerdict.proposal_id)
                .where(Proposal.trace_id == trace_id)
                .order_by(GuardVerdict.created_at, GuardVerdict.id)
            )
        ).all()
    return [
        TracedVerdict(
            proposal_id=p.id,
            customer_id=p.customer_id,
            use_case=p.use_case,
            channel=p.channel,
            status=p.status,
            verdict=v.verdict,
            guard_model=v.guard_model,
            reasons=list(v.reasons or []),
            content=p.content,
            at=v.created_at,
        )
        for v, p in rows
    ]


async def recorded_proposal(db: Database, proposal_id: str) -> OfferProposal:
    """The proposal exactly as it was recorded (and hashed) with its verdict."""
    async with db.session() as session:
        row = await session.get(Proposal, proposal_id)
    if row is None:
        raise NotFound(f"no proposal {proposal_id}")
    return OfferProposal.model_validate(row.content)
