"""The re-check at the moment of sending: the rules whose facts can change between the guard's
approval and the send (other messages, consent, opt-outs), judged against the database as it is
now. The channels server and the ops review queue send through it alike."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from policies.engine import check
from policies.model import Policy
from policies.proposal import OfferProposal
from policies.rule_ids import RuleId
from tools.budgets import BudgetState
from tools.rule_facts.context import ProfileFacts, rule_context

SEND_TIME_RULES = frozenset(
    {
        RuleId.CONSENT_CHANNEL,
        RuleId.CONSENT_OPT_OUT,
        RuleId.FREQUENCY_DAILY_TOTAL,
        RuleId.FREQUENCY_WEEKLY_TOTAL,
        RuleId.FREQUENCY_CHANNEL_WEEKLY,
        RuleId.FREQUENCY_CHANNEL_GAP,
        RuleId.FATIGUE_BACKOFF,
        RuleId.DUPLICATE_CROSS_CHANNEL,
    }
)

# Stands in for the budget in a re-check that judges no money rule.
UNREAD_BUDGET = BudgetState(remaining=0.0, paused=False)


async def send_time_violations(
    session: AsyncSession,
    proposal: OfferProposal,
    policy: Policy,
    *,
    now: datetime,
    lookback: timedelta,
    ignore_window: timedelta,
) -> list[str]:
    """`rule_id: message` for each send-time rule the proposal breaks now."""
    # Only contact facts matter here; profile-level rules were judged by the guard (or on review).
    neutral = ProfileFacts(
        segments=frozenset(),
        stale=False,
        data_age_hours=0.0,
        basket_value=max(proposal.estimated_cost, 1.0),
        basket_margin=0.0,
    )
    # Only the send-time rules are judged, so the budget is not read: the send reserves it itself
    # (`tools.outbox`), under the same lock.
    context = await rule_context(
        session,
        proposal,
        neutral,
        now=now,
        lookback=lookback,
        ignore_window=ignore_window,
        budget=UNREAD_BUDGET,
    )
    result = check(proposal, context, policy, only=SEND_TIME_RULES)
    return [f"{v.rule_id}: {v.message}" for v in result.blocking]
