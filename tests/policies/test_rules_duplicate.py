from policies.engine import check
from policies.model import Policy
from policies.proposal import Offer
from policies.rule_ids import RuleId
from tests.policies.builders import contact, make_context, make_proposal, rule_ids, violation_of

DUPLICATE = RuleId.DUPLICATE_CROSS_CHANNEL


def _same_offer(**changes: object) -> Offer:
    return make_proposal(offer=changes).offer


def _email_after(policy: Policy, *recent: dict):
    return check(make_proposal(), make_context(recent_contacts=list(recent)), policy)


def test_same_offer_on_another_channel_fires(policy: Policy) -> None:
    violation = violation_of(_email_after(policy, contact("sms", 48, offer=_same_offer())), DUPLICATE)
    assert violation.facts == {
        "other_channel": "sms",
        "other_sent_at": "2026-03-08T15:00:00Z",
        "window_hours": 168.0,
    }
    assert violation.field == "offer"


def test_a_new_coupon_code_does_not_make_it_a_new_offer(policy: Policy) -> None:
    assert DUPLICATE in rule_ids(
        _email_after(policy, contact("push", 48, offer=_same_offer(template_code="PUSH10")))
    )


def test_a_scheduled_duplicate_counts_too(policy: Policy) -> None:
    assert DUPLICATE in rule_ids(_email_after(policy, contact("push", -24, offer=_same_offer())))


def test_different_offer_same_channel_or_outside_window_pass(policy: Policy) -> None:
    assert DUPLICATE not in rule_ids(
        _email_after(policy, contact("sms", 48, offer=_same_offer(discount_pct=15.0)))
    )
    assert DUPLICATE not in rule_ids(_email_after(policy, contact("email", 200, offer=_same_offer())))
    assert DUPLICATE not in rule_ids(_email_after(policy, contact("sms", 168, offer=_same_offer())))
    assert DUPLICATE in rule_ids(_email_after(policy, contact("sms", 167, offer=_same_offer())))
