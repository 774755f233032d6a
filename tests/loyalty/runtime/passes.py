"""What an always-on pass over the seeded world's whole base needs and leaves, for the tests that
compare two ways of deciding it."""

from typing import Any

from sqlalchemy import select

from tools.storage import Database
from tools.storage.models import Contact
from tools.triggers.rules import AlwaysOn, TriggerRules, load_trigger_rules


def whole_base_rule() -> TriggerRules:
    """The shipped always-on rule with a one-day cycle: every reachable member in one pass."""
    rule = next(r for r in load_trigger_rules().rules if isinstance(r, AlwaysOn))
    return TriggerRules(rules=(rule.model_copy(update={"cycle_days": 1}),))


async def queued_messages(db: Database) -> set[Any]:
    """Every queued message as (member, channel, offer, send time, body)."""
    async with db.session() as session:
        return set(
            (
                await session.execute(
                    select(
                        Contact.customer_id,
                        Contact.channel,
                        Contact.offer_code,
                        Contact.scheduled_at,
                        Contact.body,
                    ).where(Contact.status == "queued")
                )
            ).all()
        )
