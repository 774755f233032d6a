"""The specialists' local policy: the best candidate is checked alone first, the next ones only if
it breaks a blocking rule, and the proposal is the most valuable candidate that passes; and
a use case the scorer says does not apply ends plainly in nothing."""

import json
from typing import Any

from agents.messages import Message, ModelResponse, ToolCall, ToolResult, UserMessage
from agents.models.base import ModelRequest
from agents.specialists.local_policy import CHECK, PROFILE, SCORE, SpecialistPolicy
from policies.vocabulary import UseCase

PROFILE_RESULT = {"customer_id": 7, "first_name": "Sarah", "time_zone": "UTC", "freshness": {"stale": False}}


def candidate(value: float, channel: str = "email") -> dict[str, Any]:
    return {
        "channel": channel,
        "offer_type": "percent_off",
        "discount_pct": 10,
        "send_at": "2026-03-10T09:00:00Z",
        "valid_until": "2026-03-17T09:00:00Z",
        "rationale": f"worth {value}",
        "propensity": 0.2,
        "uplift": 0.05,
        "expected_margin": 30.0,
        "cost": 1.0,
        "fatigue_penalty": 0.1,
        "value": value,
        "cost_if_redeemed": 5.0,
    }


SCORING = {
    "candidates": [
        candidate(9.0),
        candidate(7.0, "sms"),
        candidate(5.0, "push"),
        candidate(3.0, "in_app"),
        candidate(1.0),
    ]
}
PASS = {"passed": True, "needs_review": False, "violations": []}


def blocked(rule: str) -> dict[str, Any]:
    return {
        "passed": False,
        "needs_review": False,
        "violations": [{"rule_id": rule, "severity": "block", "message": "no"}],
    }


class Conversation:
    """Plays the tools for the policy: each check call gets the next scripted report."""

    def __init__(self, *reports: dict[str, Any]) -> None:
        self.policy = SpecialistPolicy(UseCase.REACTIVATION)
        self.messages: list[Message] = [UserMessage.text(json.dumps({"customer_id": 7}))]
        self.reports = list(reports)
        self.check_batches: list[int] = []

    def run(self) -> dict[str, Any]:
        while True:
            response = self.policy.respond(ModelRequest("reactivation", "", tuple(self.messages)))
            self.messages.append(response)
            if not response.tool_calls:
                return json.loads(response.text)
            results = []
            for call in response.tool_calls:
                content = {PROFILE: PROFILE_RESULT, SCORE: SCORING}.get(call.name) or self.reports.pop(0)
                results.append(ToolResult(call.id, call.name, content))
            if response.tool_calls[0].name == CHECK:
                self.check_batches.append(len(response.tool_calls))
            self.messages.append(UserMessage(parts=tuple(results)))

    def checked(self) -> list[str]:
        return [
            str(call.arguments["proposal"]["channel"])  # type: ignore[index]
            for m in self.messages
            if isinstance(m, ModelResponse)
            for call in m.tool_calls
            if call.name == CHECK
        ]


def test_when_the_best_candidate_passes_it_is_the_only_one_checked() -> None:
    talk = Conversation(PASS)
    answer = talk.run()
    assert answer["decision"] == "propose" and answer["proposal"]["channel"] == "email"
    assert talk.check_batches == [1]


def test_a_blocked_best_candidate_has_the_next_three_checked_together_and_the_best_passing_one_wins() -> None:
    talk = Conversation(blocked("frequency.channel_gap"), blocked("consent.channel"), PASS, PASS)
    answer = talk.run()
    assert talk.check_batches == [1, 3] and talk.checked() == ["email", "sms", "push", "in_app"]
    assert answer["decision"] == "propose" and answer["proposal"]["channel"] == "push"


def test_when_every_checked_candidate_is_blocked_nothing_is_done_and_every_broken_rule_is_named() -> None:
    talk = Conversation(
        blocked("frequency.channel_gap"),
        blocked("consent.channel"),
        blocked("quiet_hours"),
        blocked("consent.channel"),
    )
    answer = talk.run()
    assert talk.check_batches == [1, 3]  # the fifth candidate is never checked
    assert answer["decision"] == "nothing"
    assert "consent.channel, frequency.channel_gap, quiet_hours" in answer["reason"]


NOT_LAPSED = (
    "the member is not lapsed: last order 5 days ago, within their usual 15-day rhythm; no win-back needed"
)


def scored(not_applicable: str | None) -> ModelRequest:
    trigger = UserMessage.text(
        json.dumps({"customer_id": 7, "use_case": "reactivation", "trigger": "rhythm_lapse"})
    )
    calls = ModelResponse.from_calls(
        ToolCall("r-0-0", PROFILE, {"customer_id": 7}),
        ToolCall("r-0-1", SCORE, {"customer_id": 7, "use_case": "reactivation"}),
        model_name="local",
    )
    do_nothing = {"action": "do_nothing", "do_nothing": True, "value": 0.0, "rationale": "Do nothing: ..."}
    results = UserMessage(
        parts=(
            ToolResult("r-0-0", PROFILE, {"customer_id": 7, "freshness": {"stale": False}}),
            ToolResult(
                "r-0-1",
                SCORE,
                {"customer_id": 7, "not_applicable": not_applicable, "candidates": [do_nothing]},
            ),
        )
    )
    return ModelRequest(role="reactivation", system_prompt="sys", messages=(trigger, calls, results))


def test_a_use_case_that_does_not_apply_ends_in_nothing_with_the_scorers_reason() -> None:
    answer = json.loads(SpecialistPolicy(UseCase.REACTIVATION).respond(scored(NOT_LAPSED)).text)
    assert answer == {
        "decision": "nothing",
        "cause": "use case does not apply",
        "reason": f"nothing to do: {NOT_LAPSED}",
    }


def test_otherwise_nothing_is_explained_by_the_value_model() -> None:
    answer = json.loads(SpecialistPolicy(UseCase.REACTIVATION).respond(scored(None)).text)
    assert answer["decision"] == "nothing" and answer["reason"].startswith("no action beats doing nothing")
    assert answer["cause"] == "no action beats doing nothing"
