"""The rules engine: every violation of a policy by a proposal, or by a whole campaign.

Pure and deterministic: the verdict depends only on the proposals, their contexts and the policy,
and records the policy's version. A single check is a batch of one, so single and campaign checks
run the same code and cannot drift apart; rules run vectorised over the batch (see
`policies.frame`). Violations come in the fixed order below: legal and consent rules first, then
contact pressure, discount depth, money, stock, timing and human review.
"""

from collections.abc import Collection, Sequence

from policies.context import RuleContext
from policies.frame import build_frame
from policies.model import Policy
from policies.proposal import OfferProposal
from policies.rule_config import RuleConfig
from policies.rule_ids import RuleId
from policies.rules import (
    Hit,
    RuleFn,
    consent,
    contact_pressure,
    discount,
    duplicate,
    fairness,
    freshness,
    inventory,
    money,
    sms,
    timing,
)
from policies.violation import CheckResult, Violation

PROPOSAL_RULES: tuple[tuple[RuleId, RuleFn], ...] = (
    (RuleId.CONSENT_CHANNEL, consent.consent_channel),
    (RuleId.CONSENT_OPT_OUT, consent.consent_opt_out),
    (RuleId.QUIET_HOURS_LOCAL, consent.quiet_hours_local),
    (RuleId.SMS_LENGTH, sms.sms_length_rule),
    (RuleId.SMS_OPT_OUT_TEXT, sms.sms_opt_out_text),
    (RuleId.DATA_FRESHNESS, freshness.data_freshness),
    (RuleId.FREQUENCY_DAILY_TOTAL, contact_pressure.frequency_total_cap),
    (RuleId.FREQUENCY_WEEKLY_TOTAL, contact_pressure.frequency_total_cap),
    (RuleId.FREQUENCY_CHANNEL_WEEKLY, contact_pressure.frequency_channel_weekly),
    (RuleId.FREQUENCY_CHANNEL_GAP, contact_pressure.frequency_channel_gap),
    (RuleId.FATIGUE_BACKOFF, contact_pressure.fatigue_backoff),
    (RuleId.DUPLICATE_CROSS_CHANNEL, duplicate.duplicate_cross_channel),
    (RuleId.MAX_DISCOUNT_SEGMENT, discount.max_discount_segment),
    (RuleId.MAX_DISCOUNT_CATEGORY, discount.max_discount_category),
    (RuleId.MAX_DISCOUNT_FULL_PRICE, discount.max_discount_full_price),
    (RuleId.MARGIN_FLOOR, money.margin_floor),
    (RuleId.POINTS_TOP_TIER, discount.points_top_tier),
    (RuleId.CART_FIRST_MESSAGE_DISCOUNT, discount.cart_first_message_discount),
    (RuleId.COST_UNDERSTATED, money.cost_understated),
    (RuleId.BUDGET_REMAINING, money.budget_remaining),
    (RuleId.INVENTORY_AVAILABLE, inventory.inventory_available),
    (RuleId.VALIDITY_BOUNDS, timing.validity_bounds),
    (RuleId.SCHEDULE_HORIZON, timing.schedule_horizon),
    (RuleId.REVIEW_HIGH_VALUE, money.review_high_value),
)


def check(
    proposal: OfferProposal,
    context: RuleContext,
    policy: Policy,
    *,
    only: Collection[RuleId] | None = None,
) -> CheckResult:
    """Every violation of `policy` by one proposal, given the facts about its member."""
    return check_batch([proposal], [context], policy, only=only)[0]


def check_batch(
    proposals: Sequence[OfferProposal],
    contexts: Sequence[RuleContext],
    policy: Policy,
    *,
    only: Collection[RuleId] | None = None,
) -> list[CheckResult]:
    """`check` for many proposals at once; `contexts[i]` describes the member of `proposals[i]`.

    Each proposal is judged on its own context: the batch adds no campaign-level limits (see
    `check_fairness` for those). Raises `ValueError` if the two sequences do not pair up.
    `only`: judge just these rules (a re-check of the facts that can change, say); all by default.
    """
    frame = build_frame(proposals, contexts, policy.valuation)
    found: list[list[Violation]] = [[] for _ in range(frame.size)]
    for rule_id, evaluate in PROPOSAL_RULES:
        config = policy.rule(rule_id)
        if config.enabled and (only is None or rule_id in only):
            for hit in evaluate(frame, config):
                found[hit.row].append(_violation(rule_id, config, hit))
    return [CheckResult(policy_version=policy.version, violations=tuple(violations)) for violations in found]


def check_fairness(
    proposals: Sequence[OfferProposal], contexts: Sequence[RuleContext], policy: Policy
) -> CheckResult:
    """Campaign-level fairness of discount depth across member groups; one violation per attribute."""
    config = policy.fairness.discount_depth
    if not config.enabled:
        return CheckResult(policy_version=policy.version)
    frame = build_frame(proposals, contexts, policy.valuation)
    violations = tuple(
        Violation(
            rule_id=RuleId.FAIRNESS_DISCOUNT_DEPTH,
            severity=config.severity,
            message=config.render(facts),
            facts=dict(facts),
        )
        for facts in fairness.discount_depth_gaps(frame, config)
    )
    return CheckResult(policy_version=policy.version, violations=violations)


def _violation(rule_id: RuleId, config: RuleConfig, hit: Hit) -> Violation:
    return Violation(
        rule_id=rule_id,
        severity=config.severity,
        message=config.render(hit.facts),
        field=hit.field,
        facts=dict(hit.facts),
    )
