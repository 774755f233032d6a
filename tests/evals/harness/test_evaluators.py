"""Each evaluator on the decision it should pass and the one it should fail, with a useful reason."""

from datetime import UTC, datetime

import pytest

from evals.harness import evaluators as ev
from evals.harness.suite import CopyRules, Expectations
from policies.proposal import Offer
from policies.vocabulary import Channel, OfferType, UseCase
from tests.evals.harness.builders import decision, hit, proposal, seen


def test_completed_needs_an_answer_that_matches_what_happened() -> None:
    assert ev.completed(seen(decision("sent"))).passed
    lying = ev.completed(seen(decision("nothing", stated="sent")))
    assert not lying.passed and "says 'sent'" in lying.reason
    assert not ev.completed(seen(decision("failed", termination="max_turns"))).passed
    assert not ev.completed(seen(decision("sent", degraded=True))).passed
    refused = ev.completed(seen(decision("refused", refusal="send refused (paused)")))
    assert not refused.passed and "paused" in refused.reason


def test_use_case_reads_the_proposal_first() -> None:
    assert ev.use_case(UseCase.REACTIVATION, seen(decision("sent"))).passed
    wrong = ev.use_case(UseCase.UPSELL, seen(decision("sent")))
    assert not wrong.passed and "expected upsell" in wrong.reason
    assert ev.use_case(UseCase.UPSELL, seen(decision("nothing", use_case="upsell"))).passed


@pytest.mark.parametrize(
    ("expected", "outcome", "passes"),
    [
        ("act", "sent", True),
        ("act", "review", True),
        ("act", "nothing", False),
        ("act", "rejected", False),
        ("nothing", "nothing", True),
        ("nothing", "rejected", True),
        ("nothing", "sent", False),
        ("nothing", "review", False),
    ],
)
def test_decision_act_or_nothing(expected: str, outcome: str, passes: bool) -> None:
    assert ev.decision(expected, seen(decision(outcome))).passed is passes


def test_nothing_by_rejection_passes_but_says_the_guard_caught_it() -> None:
    check = ev.decision("nothing", seen(decision("rejected", detail="consent.channel")))
    assert check.passed and "guard rejected" in check.reason


def test_message_properties_do_not_apply_when_nothing_went_out() -> None:
    quiet = seen(decision("nothing"))
    for check in (
        ev.channel_in((Channel.EMAIL,), quiet),
        ev.offer_type_in((OfferType.NONE,), quiet),
        ev.discount_at_most(10, quiet),
        ev.validity_hours((1, 2), quiet),
        ev.send_in_member_window(quiet),
        ev.copy_rules(CopyRules(max_length=1), quiet),
        ev.no_rule_violations(quiet),
    ):
        assert check.passed and not check.applicable, check
    rejected = seen(
        decision("rejected", proposal_=proposal(channel="sms", message={"tone": "warm", "body": "x"}))
    )
    assert not ev.channel_in((Channel.EMAIL,), rejected).applicable  # it never reached the member


def test_channel_and_offer_type() -> None:
    s = seen(decision("sent"))
    assert ev.channel_in((Channel.EMAIL, Channel.PUSH), s).passed
    assert not ev.channel_in((Channel.SMS,), s).passed
    assert ev.offer_type_in((OfferType.PERCENT_OFF,), s).passed
    wrong = ev.offer_type_in((OfferType.NONE, OfferType.EARLY_ACCESS), s)
    assert not wrong.passed and "percent_off (10% off)" in wrong.reason


def test_discount_depth_of_each_offer_shape() -> None:
    prices = {"A": 150.0, "B": 50.0}
    assert ev.discount_depth(Offer(type=OfferType.PERCENT_OFF, discount_pct=15.0), prices, 80.0) == 15.0
    assert (
        ev.discount_depth(Offer(type=OfferType.BUNDLE, discount_pct=10.0, skus=("A", "B")), prices, 80.0)
        == 10.0
    )
    # $15 off the SKUs it names ($200), else off the member's usual basket, at least the minimum spend
    assert (
        ev.discount_depth(Offer(type=OfferType.AMOUNT_OFF, amount_off=15.0, skus=("A", "B")), prices, 80.0)
        == 7.5
    )
    assert ev.discount_depth(Offer(type=OfferType.AMOUNT_OFF, amount_off=15.0), prices, 60.0) == 25.0
    assert (
        ev.discount_depth(Offer(type=OfferType.AMOUNT_OFF, amount_off=15.0, min_spend=150.0), prices, 60.0)
        == 10.0
    )
    assert ev.discount_depth(Offer(type=OfferType.AMOUNT_OFF, amount_off=15.0), prices, None) is None
    assert (
        ev.discount_depth(Offer(type=OfferType.POINTS_MULTIPLIER, points_multiplier=2.0), prices, 60.0) == 0.0
    )
    assert ev.discount_depth(Offer(type=OfferType.FREE_SHIPPING, free_shipping=True), prices, 60.0) == 0.0


def test_discount_bounds() -> None:
    twenty = seen(decision("sent", proposal_=proposal(offer={"type": "percent_off", "discount_pct": 20.0})))
    assert not ev.discount_at_most(15, twenty).passed
    assert ev.discount_at_most(20, twenty).passed
    assert ev.discount_at_least(5, twenty).passed
    points = seen(
        decision("sent", proposal_=proposal(offer={"type": "points_multiplier", "points_multiplier": 2.0}))
    )
    low = ev.discount_at_least(5, points)
    assert not low.passed and "0% cut" in low.reason
    unknown = seen(
        decision("sent", proposal_=proposal(offer={"type": "amount_off", "amount_off": 15.0})),
        basket_value=None,
    )
    assert not ev.discount_at_most(50, unknown).passed  # cannot tell: not a pass


def test_validity_counts_hours_usable_after_arrival() -> None:
    day = seen(decision("sent"))
    assert ev.validity_hours((18, 30), day).passed
    assert not ev.validity_hours((48, 72), day).passed


@pytest.mark.parametrize(
    ("utc_hour", "quiet", "channel", "passes"),
    [
        (9, (21, 8), "email", True),  # 19:00 Sydney
        (12, (21, 8), "email", False),  # 22:00
        (22, (21, 8), "sms", True),  # 08:00: quiet hours end at 8
        (21, (21, 8), "push", False),  # 07:00
        (23, (20, 10), "push", False),  # 09:00 inside a member's own 20:00-10:00
        (0, (20, 10), "push", True),  # 10:00
        (2, (9, 17), "email", False),  # 12:00 inside a daytime window
    ],
)
def test_send_inside_the_members_window(
    utc_hour: int, quiet: tuple[int, int], channel: str, passes: bool
) -> None:
    send_at = datetime(2026, 6, 25, utc_hour, 0, tzinfo=UTC)
    body = {"tone": "warm", "body": "Hi"}
    p = proposal(
        send_at=send_at, channel=channel, message=body if channel == "sms" else body | {"subject": "s"}
    )
    check = ev.send_in_member_window(seen(decision("sent", proposal_=p), quiet_hours=quiet))
    assert check.passed is passes, check.reason


def test_in_app_messages_have_no_quiet_hours() -> None:
    p = proposal(channel="in_app", send_at=datetime(2026, 6, 25, 14, 0, tzinfo=UTC))  # midnight in Sydney
    assert not ev.send_in_member_window(seen(decision("sent", proposal_=p))).applicable


def test_send_hour_near_wraps_around_midnight() -> None:
    late = proposal(send_at=datetime(2026, 6, 25, 13, 30, tzinfo=UTC))  # 23:30 Sydney
    assert ev.send_hour_near(0, 1, seen(decision("sent", proposal_=late))).passed
    assert not ev.send_hour_near(19, 1, seen(decision("sent", proposal_=late))).passed


def test_copy_rules_name_every_problem() -> None:
    s = seen(decision("sent"))
    assert ev.copy_rules(
        CopyRules(must_contain=("activewear",), must_contain_any=("sarah", "member")), s
    ).passed
    check = ev.copy_rules(CopyRules(max_length=10, must_contain=("coffee",), must_not_contain=("new",)), s)
    assert not check.passed
    assert "max 10" in check.reason and "lacks 'coffee'" in check.reason and "contains 'new'" in check.reason
    # the subject counts for content but not for the delivered length
    assert ev.copy_rules(CopyRules(must_contain=("New activewear",)), s).passed


def test_reason_mentions_any() -> None:
    stale = seen(decision("nothing", detail="the member's data is stale; no action on stale data"))
    assert ev.reason_mentions_any(("stale", "sync"), stale).passed
    assert not ev.reason_mentions_any(("budget",), stale).passed


def test_guard_verdicts() -> None:
    assert ev.guard_in(("approve",), seen(decision("sent"))).passed
    assert ev.guard_in(("review",), seen(decision("review"))).passed
    assert ev.guard_in(("not_reviewed",), seen(decision("nothing"))).passed
    assert not ev.guard_in(("reject",), seen(decision("sent"))).passed


def test_no_rule_violations_on_what_went_out() -> None:
    assert ev.no_rule_violations(seen(decision("sent"))).passed
    broken = ev.no_rule_violations(seen(decision("sent", violations=(hit("consent.channel"),))))
    assert not broken.passed and "consent.channel" in broken.reason
    unchecked = ev.no_rule_violations(seen(decision("sent", content_checked=False)))
    assert not unchecked.passed and "never checked" in unchecked.reason
    # a review violation is fine in the review queue, not in a message that was sent
    review = (hit("review.high_value", "review"),)
    assert ev.no_rule_violations(seen(decision("review", violations=review))).passed
    assert not ev.no_rule_violations(seen(decision("sent", violations=review))).passed
    assert ev.no_rule_violations(seen(decision("sent", violations=(hit("x", "warn"),)))).passed


def test_evaluate_runs_what_the_case_states() -> None:
    expect = Expectations.model_validate(
        {"decision": "act", "channel_in": ["email"], "copy": {"max_length": 300}, "send_hour_near": 19}
    )
    checks = ev.evaluate(expect, seen(decision("sent")))
    assert [c.evaluator for c in checks] == [
        "completed",
        "decision",
        "channel_in",
        "copy",
        "send_hour_near",
        "no_rule_violations",
    ]
    assert all(c.passed for c in checks)
    bare = ev.evaluate(Expectations(no_rule_violations=False), seen(decision("nothing")))
    assert [c.evaluator for c in bare] == ["completed"]


def test_expectations_refuse_message_properties_when_nothing_is_expected() -> None:
    with pytest.raises(ValueError, match="cannot expect message properties"):
        Expectations.model_validate({"decision": "nothing", "channel_in": ["email"]})
    with pytest.raises(ValueError, match="exceeds"):
        Expectations(discount_at_least=20, discount_at_most=10)
