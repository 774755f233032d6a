"""The specialists' local policy answers plainly when the scorer says the use case does not apply."""

import json

from agents.messages import ModelResponse, ToolCall, ToolResult, UserMessage
from agents.models.base import ModelRequest
from agents.specialists.local_policy import PROFILE, SCORE, SpecialistPolicy
from policies.vocabulary import UseCase

NOT_LAPSED = "the member is not lapsed: last order 5 days ago, within their usual 15-day rhythm; no win-back needed"


def scored(not_applicable: str | None) -> ModelRequest:
    trigger = UserMessage.text(json.dumps({"customer_id": 7, "use_case": "reactivation", "trigger": "rhythm_lapse"}))
    calls = ModelResponse.from_calls(ToolCall("r-0-0", PROFILE, {"customer_id": 7}),
                                     ToolCall("r-0-1", SCORE, {"customer_id": 7, "use_case": "reactivation"}),
                                     model_name="local")
    do_nothing = {"action": "do_nothing", "do_nothing": True, "value": 0.0, "rationale": "Do nothing: ..."}
    results = UserMessage(parts=(
        ToolResult("r-0-0", PROFILE, {"customer_id": 7, "freshness": {"stale": False}}),
        ToolResult("r-0-1", SCORE, {"customer_id": 7, "not_applicable": not_applicable, "candidates": [do_nothing]}),
    ))
    return ModelRequest(role="reactivation", system_prompt="sys", messages=(trigger, calls, results))


def test_a_use_case_that_does_not_apply_ends_in_nothing_with_the_scorers_reason() -> None:
    answer = json.loads(SpecialistPolicy(UseCase.REACTIVATION).respond(scored(NOT_LAPSED)).text)
    assert answer == {"decision": "nothing", "reason": f"nothing to do: {NOT_LAPSED}"}


def test_otherwise_nothing_is_explained_by_the_value_model() -> None:
    answer = json.loads(SpecialistPolicy(UseCase.REACTIVATION).respond(scored(None)).text)
    assert answer["decision"] == "nothing" and answer["reason"].startswith("no action beats doing nothing")
