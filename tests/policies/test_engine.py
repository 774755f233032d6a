from policies.engine import PROPOSAL_RULES, check
from policies.model import Policy
from policies.rule_ids import RuleId
from policies.violation import Severity
from tests.policies.builders import customised, make_context, make_proposal, make_sms, rule_ids


def test_compliant_proposals_pass_with_the_policy_version(policy: Policy) -> None:
    for proposal in (make_proposal(), make_sms()):
        result = check(proposal, make_context(), policy)
        assert result.violations == ()
        assert result.passed and not result.needs_review
        assert result.policy_version == "2026.11.0"


def test_every_violation_is_reported_not_just_the_first(policy: Policy) -> None:
    proposal = make_sms(offer={"discount_pct": 40.0}, message={"body": "40% off today!"}, estimated_cost=16.0)
    context = make_context(
        segments=["discount_seeker"], opted_out=["sms"], data_age_hours=100.0, budget_remaining=10.0
    )
    result = check(proposal, context, policy)
    assert rule_ids(result) == {
        RuleId.CONSENT_OPT_OUT,
        RuleId.SMS_OPT_OUT_TEXT,
        RuleId.DATA_FRESHNESS,
        RuleId.MAX_DISCOUNT_SEGMENT,
        RuleId.BUDGET_REMAINING,
        RuleId.MARGIN_FLOOR,  # 40% off SKU-1, whose own margin is 40%, leaves nothing
    }
    assert all(v.severity is Severity.BLOCK for v in result.violations)
    assert len(result.blocking) == 6 and not result.passed


def test_only_judges_the_named_rules_and_finds_what_a_full_check_finds_of_them(policy: Policy) -> None:
    proposal = make_sms(offer={"discount_pct": 40.0}, message={"body": "40% off today!"}, estimated_cost=16.0)
    context = make_context(
        segments=["discount_seeker"], opted_out=["sms"], data_age_hours=100.0, budget_remaining=10.0
    )
    named = {RuleId.CONSENT_OPT_OUT, RuleId.BUDGET_REMAINING, RuleId.QUIET_HOURS_LOCAL}
    full = check(proposal, context, policy)
    only = check(proposal, context, policy, only=named)
    assert only.violations == tuple(v for v in full.violations if v.rule_id in named)
    assert rule_ids(only) == {RuleId.CONSENT_OPT_OUT, RuleId.BUDGET_REMAINING}


def test_violations_come_in_rule_order(policy: Policy) -> None:
    order = [rule_id for rule_id, _ in PROPOSAL_RULES]
    context = make_context(opted_out=["email"], budget_remaining=0.0, profile_stale=True)
    found = [v.rule_id for v in check(make_proposal(), context, policy).violations]
    assert found == sorted(found, key=order.index)


def test_every_per_proposal_rule_is_registered_once() -> None:
    registered = [rule_id for rule_id, _ in PROPOSAL_RULES]
    assert sorted(registered) == sorted(set(RuleId) - {RuleId.FAIRNESS_DISCOUNT_DEPTH})


def test_severity_and_message_come_from_the_policy(policy: Policy) -> None:
    lenient = customised(policy, "budget.remaining.severity", "warn")
    lenient = customised(
        lenient, "budget.remaining.message", "Over budget by design: {cost:.1f} > {budget_remaining:.1f}"
    )
    lenient = customised(lenient, "version", "lenient-1")
    result = check(make_proposal(), make_context(budget_remaining=1.0), lenient)
    [violation] = result.violations
    assert violation.severity is Severity.WARN
    assert violation.message == "Over budget by design: 4.0 > 1.0"
    assert result.passed and result.policy_version == "lenient-1"


def test_a_disabled_rule_is_not_checked(policy: Policy) -> None:
    relaxed = customised(policy, "data.freshness.enabled", False)
    assert check(make_proposal(), make_context(profile_stale=True), relaxed).passed
