"""The specialists' deterministic policy for the local model (DESIGN §5 on the tools' results).

Turn 1: read the member's profile and the scored candidate actions, in parallel.
Turn 2+: propose the best candidate that beats doing nothing, checking it against the rules; on a
blocking violation try the next one (at most `MAX_ATTEMPTS`); otherwise do nothing and say why.
The answer is JSON: {"decision": "propose", "proposal": {...}} or {"decision": "nothing", "reason": ...}.
"""

import json
from typing import Any

from agents.messages import ModelResponse, ToolCall
from agents.models.base import ModelRequest
from agents.models.local import LOCAL_MODEL_NAME, call_id
from agents.reading import calls_made, content, first_user_json, last_result, tool_results
from agents.specialists.proposal_builder import build_proposal
from policies.vocabulary import UseCase

PROFILE = "customer_data__get_member_profile"
SCORE = "offers__score_candidate_actions"
CHECK = "rules__check_proposal"
MAX_ATTEMPTS = 3
CONTEXT_KEYS = ("cart_value", "cart_skus", "anchor_category", "competitor_discount_pct", "sequence_step")


def blocking(report: dict[str, Any]) -> set[str]:
    return {v["rule_id"] for v in report.get("violations", []) if v.get("severity") == "block"}


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
        if profile.get("stale"):
            return answer({"decision": "nothing",
                           "reason": f"profile data is stale ({profile.get('freshness_note', 'sources out of date')}); "
                                     "no action on stale data"})
        checks = tool_results(request, CHECK)
        if checks and (report := content(checks[-1])) and not blocking(report):
            proposed = calls_made(request, CHECK)[-1].arguments["proposal"]
            return answer({"decision": "propose", "proposal": proposed, "needs_review": report.get("needs_review", False)})
        candidates = [c for c in scoring.get("candidates", []) if not c.get("do_nothing") and c["value"] > 0]
        if len(checks) >= min(MAX_ATTEMPTS, len(candidates)):
            return answer({"decision": "nothing", "reason": self._why_nothing(scoring, checks)})
        proposal = build_proposal(candidates[len(checks)], profile, scoring, self.use_case)
        return ModelResponse.from_calls(
            ToolCall(id=call_id(request, 0), name=CHECK, arguments={"proposal": proposal}),
            model_name=LOCAL_MODEL_NAME,
        )

    def _gather(self, request: ModelRequest, trigger: dict[str, Any]) -> ModelResponse:
        member = trigger["customer_id"]
        context = {k: v for k, v in (trigger.get("context") or {}).items() if k in CONTEXT_KEYS}
        return ModelResponse.from_calls(
            ToolCall(id=call_id(request, 0), name=PROFILE, arguments={"customer_id": member}),
            ToolCall(id=call_id(request, 1), name=SCORE,
                     arguments={"customer_id": member, "use_case": self.use_case.value, **context}),
            model_name=LOCAL_MODEL_NAME,
        )

    @staticmethod
    def _why_nothing(scoring: dict[str, Any], checks: list[Any]) -> str:
        if checks:
            broken = sorted(blocking(content(checks[-1])))
            return f"no candidate passed the rules (last one broke {', '.join(broken) or 'a rule'}); doing nothing"
        best = (scoring.get("candidates") or [{}])[0]
        return f"no action beats doing nothing for this member: {best.get('rationale', 'no positive value')}"
