import pytest

from policies.engine import check
from policies.model import Policy
from policies.rule_ids import RuleId
from tests.policies.builders import make_context, make_proposal, make_sms, rule_ids, violation_of

LENGTH = RuleId.SMS_LENGTH
OPT_OUT = RuleId.SMS_OPT_OUT_TEXT
STOP = "Reply STOP to opt out"


def _sms(body: str, policy: Policy, **message: str):
    return check(make_sms(message={"body": body, **message}), make_context(), policy)


def _padded(length: int, filler: str = "a") -> str:
    return filler * (length - len(STOP) - 1) + " " + STOP


def test_exactly_160_gsm7_characters_pass(policy: Policy) -> None:
    assert not rule_ids(_sms(_padded(160), policy))


def test_161_characters_fire(policy: Policy) -> None:
    violation = violation_of(_sms(_padded(161), policy), LENGTH)
    assert violation.facts == {"length": 161, "max_length": 160, "encoding": "GSM-7"}
    assert violation.field == "message.body"


def test_extension_characters_count_twice(policy: Policy) -> None:
    body = _padded(159).replace("a", "€", 1)  # 159 characters, 160 units
    assert LENGTH not in rule_ids(_sms(body, policy))
    assert LENGTH in rule_ids(_sms(_padded(160).replace("a", "€", 1), policy))


@pytest.mark.parametrize(("length", "fires"), [(70, False), (71, True)])
def test_a_single_emoji_drops_the_limit_to_70(policy: Policy, length: int, fires: bool) -> None:
    body = _padded(length - 1).replace("a", "🎉", 1)  # the emoji takes two UTF-16 units
    result = _sms(body, policy)
    assert (LENGTH in rule_ids(result)) is fires
    if fires:
        assert violation_of(result, LENGTH).facts == {"length": 71, "max_length": 70, "encoding": "UCS-2"}


def test_the_call_to_action_counts(policy: Policy) -> None:
    assert LENGTH in rule_ids(_sms(_padded(150), policy, cta="shop.example/x"))


def test_opt_out_text_is_required(policy: Policy) -> None:
    violation = violation_of(_sms("Your snacks are back, 10% off this week.", policy), OPT_OUT)
    assert 'end the body with "Reply STOP to opt out"' in violation.message


def test_opt_out_text_matches_regardless_of_case_and_spacing(policy: Policy) -> None:
    assert OPT_OUT not in rule_ids(_sms("Snacks are back! reply stop\nto  opt out", policy))


def test_other_channels_are_not_held_to_sms_rules(policy: Policy) -> None:
    long_email = make_proposal(message={"body": "x" * 400})
    assert not {LENGTH, OPT_OUT} & rule_ids(check(long_email, make_context(), policy))
