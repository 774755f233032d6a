"""Queueing a proposal a person approved from the review queue, through the one door.

The channels server's own send-time re-check is used (consent, caps, fatigue, duplicates against
the database as it is now), so a message approved hours after it was proposed is judged as the
channels server would judge it.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from loyalty.wiring import Product
from mcp_servers.channels.server import SEND_TIME_RULES
from policies.engine import check
from policies.proposal import OfferProposal
from tools.outbox import SendReceipt, send_approved
from tools.rule_facts import ProfileFacts, rule_context


async def send_reviewed(
    product: Product, proposal: OfferProposal, approval_id: str, *, now: datetime
) -> SendReceipt:
    deps = product.deps

    async def recheck(session: AsyncSession, candidate: OfferProposal) -> list[str]:
        # Only contact facts matter at send time; the profile-level rules were judged on review.
        neutral = ProfileFacts(
            segments=frozenset(),
            stale=False,
            data_age_hours=0.0,
            basket_value=max(candidate.estimated_cost, 1.0),
            basket_margin=0.0,
        )
        context = await rule_context(
            session,
            candidate,
            neutral,
            now=now,
            lookback=deps.contact_lookback,
            ignore_window=deps.ignore_window,
        )
        result = check(candidate, context, product.policy)
        return [f"{v.rule_id}: {v.message}" for v in result.blocking if v.rule_id in SEND_TIME_RULES]

    return await send_approved(product.db, proposal, approval_id, now=now, recheck=recheck)
