"""The orchestrator's deterministic policy for the local model: specialist → guard → channels."""

import json
from typing import Any

from agents.messages import ModelResponse, ToolCall
from agents.models import LOCAL_MODEL_NAME, ModelRequest, call_id
from agents.orchestrator.guard_tool import REVIEW_TOOL
from agents.reading import content, first_user_json, json_object_in, last_result
from policies.vocabulary import UseCase

SEND_TOOL = "channels__send_approved_proposal"


def delegate_tool(use_case: UseCase) -> str:
    return f"delegate_to_{use_case.value}"


def _final(trigger: dict[str, Any], decision: str, detail: str, **extra: Any) -> ModelResponse:
    payload = {
        "decision": decision,
        "use_case": trigger.get("use_case"),
        "customer_id": trigger.get("customer_id"),
        "detail": detail,
        **extra,
    }
    return ModelResponse.from_text(json.dumps(payload), model_name=LOCAL_MODEL_NAME)


def _call(request: ModelRequest, name: str, arguments: dict[str, Any]) -> ModelResponse:
    return ModelResponse.from_calls(
        ToolCall(id=call_id(request, 0), name=name, arguments=arguments), model_name=LOCAL_MODEL_NAME
    )


class OrchestratorPolicy:
    def respond(self, request: ModelRequest) -> ModelResponse:
        trigger = first_user_json(request) or {}
        try:
            use_case = UseCase(trigger.get("use_case"))
        except ValueError:
            return ModelResponse.from_text(
                json.dumps(
                    {
                        "decision": "nothing",
                        "detail": "the local model handles triggers naming a member and "
                        "a use case; for ops requests use the chat commands",
                    }
                ),
                model_name=LOCAL_MODEL_NAME,
            )
        sent = last_result(request, SEND_TOOL)
        if sent is not None:
            if sent.is_error:
                return _final(trigger, "refused", f"the channels server refused: {sent.content}")
            receipt = content(sent)
            return _final(
                trigger,
                "sent",
                f"queued on {receipt.get('channel')} for {receipt.get('scheduled_at')}",
                contact_id=receipt.get("contact_id"),
            )
        review = last_result(request, REVIEW_TOOL)
        if review is not None:
            decision = content(review)
            if decision.get("approval_id"):
                return _call(
                    request,
                    SEND_TOOL,
                    {"proposal": decision["proposal"], "approval_id": decision["approval_id"]},
                )
            reasons = "; ".join(r.get("message", "") for r in decision.get("reasons", []))
            if decision.get("needs_review"):
                return _final(
                    trigger,
                    "review",
                    f"queued for human review: {reasons}",
                    review_id=decision.get("review_id"),
                )
            return _final(trigger, "rejected", f"the guard rejected it: {reasons}")
        delegated = last_result(request, delegate_tool(use_case))
        if delegated is None:
            return _call(request, delegate_tool(use_case), {"request": json.dumps(trigger)})
        answer = _specialist_answer(content(delegated))
        if answer.get("decision") != "propose" or not isinstance(answer.get("proposal"), dict):
            return _final(
                trigger,
                "nothing",
                answer.get("reason", "the specialist proposed nothing"),
                **{k: answer[k] for k in ("cause", "broken_rules") if k in answer},
            )
        return _call(request, REVIEW_TOOL, {"proposal": answer["proposal"]})


def _specialist_answer(result: dict[str, Any]) -> dict[str, Any]:
    # The one tolerant reader: a specialist on Claude may fence its JSON or put a sentence first.
    parsed = json_object_in(str(result.get("output") or ""))
    return (
        parsed
        if parsed is not None
        else {"decision": "nothing", "reason": "the specialist's answer was not JSON"}
    )
