"""The specialists' deterministic policy for the local model (DESIGN §5 on the tools' results).

Turn 1: read the member's profile and the scored candidate actions, in parallel.
Turn 2: check the best candidate that beats doing nothing against the rules.
Turn 3: if it broke a blocking rule, check the next few (up to CANDIDATES_CHECKED in all) in parallel.
Then: propose the most valuable candidate that passed; otherwise do nothing and say why.
The best candidate usually passes (the scorer already prices offers as the rules do), so checking
it alone first saves the other checks without changing which candidate is proposed.
The answer is JSON: {"decision": "propose", "proposal": {...}} or {"decision": "nothing", "reason": ...}.
"""

import json
from typing import Any

from agents.messages import ModelResponse, ToolCall, ToolResult
from agents.models import LOCAL_MODEL_NAME, ModelRequest, call_id
from agents.reading import calls_made, content, first_user_json, last_result, tool_results
from agents.specialists.proposal_builder import build_proposal
from policies.vocabulary import UseCase

PROFILE = "customer_data__get_member_profile"
SCORE = "offers__score_candidate_actions"
CHECK = "rules__check_proposal"
CANDIDATES_CHECKED = 4
CONTEXT_KEYS = ("cart_value", "cart_skus", "anchor_category", "competitor_discount_pct", "sequence_step")


def blocking(report: dict[str, Any]) -> set[str]:
    return {v["rule_id"] for v in report.get("violations", []) if v.get("severity") == "block"}


def _first_passing(checks: list[ToolResult]) -> ToolResult | None:
    """The first check (in the order asked: best value first) that came back without a blocking rule."""
    return next((result for result in checks if (report := content(result)) and not blocking(report)), None)


def answer(payload: dict[str, Any]) -> ModelResponse:
    return ModelResponse.from_text(json.dumps(payload), model_name=LOCAL_MODEL_NAME)


class SpecialistPolicy:
    def __init__(self, use_case: UseCase) -> None:
        self.use_case = use_case

    def respond(self, request: ModelRequest) -> ModelResponse:
        trigger = first_user_json(request)
        if not trigger or not isinstance(trigger.get("customer_id"), int):
            return answer({"decision": "nothing", "reason": "no member id in the request"})
        if last_result(request, SCORE) is None:
            return self._gather(request, trigger)
        profile, scoring = content(last_result(request, PROFILE)), content(last_result(request, SCORE))
        if not profile or not scoring:
            return answer({"decision": "nothing", "reason": "could not read the member's profile or scores"})
        freshness = profile.get("freshness") or {}
        if freshness.get("stale"):
            return answer(
                {
                    "decision": "nothing",
                    "cause": "stale data",
                    "reason": "the member's data is stale (newest record "
                    f"{freshness.get('data_age_hours') or 0:.0f} h old or upstream sync out of date); "
                    "no action on stale data",
                }
            )
        if scoring.get("not_applicable"):  # the use case does not fit this member now (e.g. not lapsed)
            return answer(
                {
                    "decision": "nothing",
                    "cause": "use case does not apply",
                    "reason": f"nothing to do: {scoring['not_applicable']}",
                }
            )
        candidates = [c for c in scoring.get("candidates", []) if not c.get("do_nothing") and c["value"] > 0]
        if not candidates:
            best = (scoring.get("candidates") or [{}])[0]
            unreachable = scoring.get("unreachable")  # no channel could carry any action
            return answer(
                {
                    "decision": "nothing",
                    "cause": unreachable or "no action beats doing nothing",
                    "reason": f"{unreachable}: doing nothing"
                    if unreachable
                    else f"no action beats doing nothing: {best.get('rationale', 'no positive value')}",
                }
            )
        checks = tool_results(request, CHECK)
        if _first_passing(checks) is None and len(checks) < min(len(candidates), CANDIDATES_CHECKED):
            batch = candidates[len(checks) : 1 if not checks else CANDIDATES_CHECKED]
            return ModelResponse.from_calls(
                *(
                    ToolCall(
                        id=call_id(request, i),
                        name=CHECK,
                        arguments={"proposal": build_proposal(c, profile, scoring, self.use_case)},
                    )
                    for i, c in enumerate(batch)
                ),
                model_name=LOCAL_MODEL_NAME,
            )
        return self._conclude(request, checks)

    def _gather(self, request: ModelRequest, trigger: dict[str, Any]) -> ModelResponse:
        member = trigger["customer_id"]
        context = {k: v for k, v in (trigger.get("context") or {}).items() if k in CONTEXT_KEYS}
        return ModelResponse.from_calls(
            ToolCall(id=call_id(request, 0), name=PROFILE, arguments={"customer_id": member}),
            ToolCall(
                id=call_id(request, 1),
                name=SCORE,
                arguments={"customer_id": member, "use_case": self.use_case.value, **context},
            ),
            model_name=LOCAL_MODEL_NAME,
        )

    @staticmethod
    def _conclude(request: ModelRequest, checks: list[ToolResult]) -> ModelResponse:
        proposals = {call.id: call.arguments["proposal"] for call in calls_made(request, CHECK)}
        passed = _first_passing(checks)
        if passed is not None:
            return answer(
                {
                    "decision": "propose",
                    "proposal": proposals[passed.call_id],
                    "needs_review": bool(content(passed).get("needs_review")),
                }
            )
        broken = set().union(*(blocking(content(result)) for result in checks))
        return answer(
            {
                "decision": "nothing",
                "broken_rules": sorted(broken),
                "reason": "no candidate that beats doing nothing passes the rules "
                f"(they broke {', '.join(sorted(broken)) or 'the rules'}); doing nothing",
            }
        )
