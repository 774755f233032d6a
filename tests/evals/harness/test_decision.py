"""Reading a decision from a run: the outcome comes from tool results, not from the model's words."""

import json
from typing import Any

from agents.decision_log import LogEntry, StepKind
from agents.errors import TerminationReason
from agents.loop import RunResult
from agents.messages import ModelResponse, ToolCall, ToolResult, Usage, UserMessage
from agents.transcript import Transcript
from evals.harness.decision import CHECK_TOOL, read_decision
from policies.proposal import content_hash
from tests.evals.harness.builders import proposal

PROPOSAL = proposal().model_dump(mode="json")
APPROVED = {
    "verdict": "approve",
    "reasons": [{"code": "guard.approved", "message": "fine"}],
    "proposal": PROPOSAL,
    "approval_id": "a1",
    "review_id": None,
    "failed_closed": False,
}


def run(
    steps: list[tuple[str, dict[str, Any], Any, bool]],
    answer: dict[str, Any],
    termination: TerminationReason = TerminationReason.COMPLETED,
) -> RunResult:
    """An orchestrator run: each step is (tool, arguments, result content, is_error)."""
    messages: list[Any] = [UserMessage.text('{"customer_id": 401, "use_case": "reactivation"}')]
    for index, (tool, arguments, content, is_error) in enumerate(steps):
        messages.append(
            ModelResponse.from_calls(
                ToolCall(id=f"c{index}", name=tool, arguments=arguments), model_name="test"
            )
        )
        messages.append(UserMessage(parts=(ToolResult(f"c{index}", tool, content, is_error=is_error),)))
    output = json.dumps(answer)
    messages.append(ModelResponse.from_text(output, model_name="test"))
    return RunResult(
        Transcript(
            trace_id="t",
            agent="orchestrator",
            system_prompt="",
            messages=tuple(messages),
            output=output,
            termination=termination,
            usage=Usage(requests=len(steps) + 1, tool_calls=len(steps)),
            degraded=False,
        )
    )


def check_entry(violations: list[dict[str, str]], digest: str | None = None) -> LogEntry:
    report = {
        "content_hash": digest or content_hash(proposal()),
        "passed": not violations,
        "violations": violations,
    }
    return LogEntry(
        "t", "guard", 1, StepKind.TOOL_RESULT, {"name": CHECK_TOOL, "is_error": False, "content": report}
    )


def test_a_send_receipt_makes_it_sent_whatever_the_answer_says() -> None:
    result = run(
        [
            ("review_with_guard", {"proposal": PROPOSAL}, APPROVED, False),
            (
                "channels__send_approved_proposal",
                {"proposal": PROPOSAL, "approval_id": "a1"},
                {"contact_id": 9, "channel": "email", "scheduled_at": "2026-06-26T09:00:00"},
                False,
            ),
        ],
        {"decision": "nothing", "detail": "changed my mind"},
    )
    d = read_decision(result, [check_entry([])])
    assert d.outcome == "sent" and d.stated == "nothing"
    assert d.proposal is not None and d.proposal.channel.value == "email"
    assert d.guard is not None and d.guard.label == "approve"
    assert d.content_checked and d.violations == ()
    assert d.scheduled_at is not None and d.scheduled_at.hour == 9


def test_violations_are_those_of_the_exact_content_that_went_out() -> None:
    result = run(
        [
            ("review_with_guard", {"proposal": PROPOSAL}, APPROVED, False),
            (
                "channels__send_approved_proposal",
                {"proposal": PROPOSAL, "approval_id": "a1"},
                {"contact_id": 9},
                False,
            ),
        ],
        {"decision": "sent"},
    )
    breach = [{"rule_id": "consent.channel", "severity": "block", "message": "no consent"}]
    other = check_entry([{"rule_id": "sms.length", "severity": "block", "message": "long"}], digest="another")
    d = read_decision(result, [check_entry(breach), other])
    assert [v.rule_id for v in d.violations] == ["consent.channel"]


def test_review_rejection_refusal_and_nothing() -> None:
    queued = APPROVED | {"approval_id": None, "review_id": 3}
    assert (
        read_decision(
            run([("review_with_guard", {"proposal": PROPOSAL}, queued, False)], {"decision": "review"}), []
        ).outcome
        == "review"
    )
    rejected = APPROVED | {"verdict": "reject", "approval_id": None}
    d = read_decision(
        run(
            [("review_with_guard", {"proposal": PROPOSAL}, rejected, False)],
            {"decision": "rejected", "detail": "consent"},
        ),
        [],
    )
    assert d.outcome == "rejected" and d.proposal is not None and d.detail == "consent"
    refused = read_decision(
        run(
            [
                ("review_with_guard", {"proposal": PROPOSAL}, APPROVED, False),
                ("channels__send_approved_proposal", {"proposal": PROPOSAL}, "send refused (paused)", True),
            ],
            {"decision": "refused"},
        ),
        [],
    )
    assert refused.outcome == "refused" and refused.refusal is not None and "paused" in refused.refusal
    nothing = read_decision(run([], {"decision": "nothing", "reason": "stale"}), [])
    assert nothing.outcome == "nothing" and nothing.detail == "stale" and nothing.proposal is None


def test_a_run_cut_short_has_failed_unless_something_was_sent() -> None:
    d = read_decision(run([], {}, termination=TerminationReason.MAX_TURNS), [])
    assert d.outcome == "failed" and d.termination == "max_turns" and d.stated is None
