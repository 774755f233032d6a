"""Off-policy estimates recover a target policy's reward from decisions logged by another."""

import numpy as np
import pytest

from tools.nba.offline import LoggedDecision, evaluate, served_by, target_policy


def candidates(value_email: float, value_sms: float, p_email: float) -> list[dict]:
    return [
        {"do_nothing": True, "channel": None, "offer_type": "none", "value": 0.0, "choice_probability": 0.0},
        {
            "do_nothing": False,
            "channel": "email",
            "offer_type": "none",
            "value": value_email,
            "choice_probability": p_email,
        },
        {
            "do_nothing": False,
            "channel": "sms",
            "offer_type": "percent_off",
            "value": value_sms,
            "choice_probability": 1 - p_email,
        },
    ]


def logged(n: int, seed: int) -> list[LoggedDecision]:
    """The logging policy sends e-mail 70% of the time and a discount by SMS 30%; e-mail truly earns
    1.0 on average, the SMS discount 3.0 (which the predictions under-rate)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        cs = candidates(value_email=1.2, value_sms=0.5, p_email=0.7)
        chosen = 1 if rng.random() < 0.7 else 2
        reward = rng.normal(1.0 if chosen == 1 else 3.0, 0.5)
        out.append(LoggedDecision(str(i), cs, chosen, cs[chosen]["choice_probability"], reward))
    return out


def test_ips_and_dr_recover_each_policys_true_reward() -> None:
    decisions = logged(4000, seed=1)
    greedy = evaluate(decisions, 0, "greedy")  # e-mail: worth 1.0
    discount = evaluate(decisions, 0, "no_discount")  # also e-mail here
    nothing = evaluate(decisions, 0, "nothing")  # never logged: estimated at its model value, 0
    assert greedy.ips.low < 1.0 < greedy.ips.high and greedy.dr.low < 1.0 < greedy.dr.high
    assert abs(greedy.logged_reward.mean - (0.7 * 1.0 + 0.3 * 3.0)) < 0.1
    assert discount.agreeing == greedy.agreeing
    assert nothing.ips.mean == 0.0 and nothing.dr.mean == 0.0 and nothing.agreeing == 0


def test_unknown_policies_are_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match="unknown policy"):
        target_policy("everything")
    with pytest.raises(ValueError, match="needs a number"):
        target_policy("min_value:lots")
    assert target_policy("min_value:2")(candidates(1.2, 0.5, 0.7)) == 0


@pytest.mark.parametrize(
    ("policy", "served"),
    [
        ("greedy", [("email", "none"), ("sms", "percent_off"), (None, "none")]),
        ("no_discount", [("email", "none"), (None, "none")]),
        ("email_only", [("email", "none"), (None, "none")]),
        ("nothing", [(None, "none")]),
        ("min_value:2", [(None, "none"), ("email", "none"), ("sms", "percent_off")]),
    ],
)
def test_a_target_policy_is_served_as_its_choice_first_and_only_what_it_allows(
    policy: str, served: list[tuple[str | None, str]]
) -> None:
    """What the scoring tool hands the agents when the simulator runs a changed policy: they act
    on the first candidate, so its choice comes first, certain, and nothing it forbids is offered."""
    scored = candidates(value_email=1.2, value_sms=0.5, p_email=0.7)
    out = served_by(policy, scored, top=5)
    assert [(c["channel"], c["offer_type"]) for c in out] == served
    assert [c["choice_probability"] for c in out] == [1.0] + [0.0] * (len(out) - 1)
    assert target_policy(policy)(out) == 0  # the estimate's choice and the served one agree
    shortest = served_by(policy, scored, top=1)
    assert shortest[0] == out[0] and sum(c["do_nothing"] for c in shortest) == 1
