"""What a claimed trigger becomes for the orchestrator, and how a retry knows it was decided.

A decision is idempotent by trigger: its run's trace id is the trigger's (`trigger_trace`), and a
trigger whose decision already queued a message (`already_sent`) is never decided again, whatever
went wrong after the send.
"""

from typing import Any

from sqlalchemy import select

from tools.catalogue import trigger_anchor
from tools.storage import Contact, Database, Proposal
from tools.triggers.queue import ClaimedTrigger


def trigger_trace(trigger_id: int) -> str:
    """The trace id of a trigger's decision: the same on every attempt, so a retry can see what an
    earlier attempt queued."""
    return f"trigger-{trigger_id}"


async def already_sent(db: Database, trace_id: str) -> bool:
    """Whether a decision under `trace_id` queued (or sent) a message."""
    async with db.session() as session:
        found = await session.scalar(
            select(Contact.id)
            .join(Proposal, Proposal.id == Contact.proposal_id)
            .where(Proposal.trace_id == trace_id)
            .limit(1)
        )
    return found is not None


async def trigger_request(db: Database, trigger: ClaimedTrigger) -> dict[str, Any]:
    """The JSON a trigger becomes for the orchestrator: member, use case and what happened, with
    catalogue ids turned into the SKUs and category names the agents' tools speak."""
    payload = trigger.payload or {}
    context: dict[str, Any] = {}
    async with db.session() as session:
        anchor = await trigger_anchor(
            session, product_id=payload.get("product_id"), category_id=payload.get("category_id")
        )
    if anchor is not None:
        context["anchor_category"] = anchor.category
        if anchor.sku is not None and trigger.kind == "cart_abandoned":
            context["cart_skus"] = [anchor.sku]
    if trigger.kind == "cart_abandoned" and payload.get("value"):
        context["cart_value"] = float(payload["value"])
    if payload.get("discount_pct") is not None:
        context["competitor_discount_pct"] = float(payload["discount_pct"])
    return {
        "customer_id": trigger.customer_id,
        "use_case": trigger.use_case,
        "trigger": trigger.rule,
        "context": context,
    }
