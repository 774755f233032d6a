"""Queueing a proposal a person approved from the review queue, through the one door.

The channels server's send-time re-check (`tools.rule_facts.send_time_violations`) is used (consent, caps, fatigue, duplicates against
the database as it is now), so a message approved hours after it was proposed is judged as the
channels server would judge it.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from loyalty.wiring import Product
from policies.proposal import OfferProposal
from tools.outbox import SendReceipt, send_approved
from tools.rule_facts import send_time_violations


async def send_reviewed(
    product: Product, proposal: OfferProposal, approval_id: str, *, now: datetime
) -> SendReceipt:
    deps = product.deps

    async def recheck(session: AsyncSession, candidate: OfferProposal) -> list[str]:
        return await send_time_violations(
            session,
            candidate,
            product.policy,
            now=now,
            lookback=deps.contact_lookback,
            ignore_window=deps.ignore_window,
        )

    return await send_approved(product.db, proposal, approval_id, now=now, recheck=recheck)
