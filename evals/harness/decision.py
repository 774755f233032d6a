"""What the team decided for a case, read from what happened rather than from what it says.

The outcome comes from the tool results in the run: a channels-server receipt means something
was queued for the member, whatever the model's closing words; a guard decision with a review id
means it waits for a person. The model's own answer (`stated`, `detail`) is kept beside it, so an
evaluator can check the two agree. Works for any model: it reads tool calls by name, in order.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from agents.decision_log import LogEntry, StepKind
from agents.loop import RunResult
from agents.messages import ModelResponse, ToolCall, ToolResult, UserMessage
from agents.orchestrator import REVIEW_TOOL, SEND_TOOL
from agents.reading import json_object_in
from agents.transcript import Transcript
from policies.proposal import OfferProposal, content_hash

CHECK_TOOL = "rules__check_proposal"
RECORD_TOOL = "rules__record_guard_verdict"

Outcome = Literal["sent", "review", "rejected", "refused", "nothing", "failed"]


class RuleHit(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str
    severity: str
    message: str


class GuardView(BaseModel):
    """The guard's decision on the proposal, as the orchestrator received it."""

    model_config = ConfigDict(frozen=True)

    verdict: str
    codes: tuple[str, ...]
    reasons: tuple[str, ...]
    needs_review: bool
    failed_closed: bool

    @property
    def label(self) -> str:
        return "review" if self.needs_review else self.verdict


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    stated: str | None  # the decision the orchestrator's answer names
    detail: str  # its reason, in its own words
    use_case: str | None
    termination: str
    degraded: bool
    proposal: OfferProposal | None  # sent, queued for review, or (rejected) what the guard saw
    guard: GuardView | None
    scheduled_at: datetime | None  # from the channels server's receipt
    refusal: str | None
    violations: tuple[RuleHit, ...]  # what the rules server found wrong with `proposal`'s exact content
    content_checked: bool  # the rules server checked `proposal`'s exact content at least once
    model_requests: int  # every model call of the decision, the guard's included
    tool_calls: int
    tokens: int = 0
    cost_usd: float = 0.0
    unpriced_requests: int = 0  # calls to a model with no known price (cost_usd is then a lower bound)


def read_decision(result: RunResult, log: Sequence[LogEntry]) -> Decision:
    """The decision of one run; `log` is the decision log of its trace (guard runs included)."""
    transcript = result.transcript
    pairs = list(_tool_pairs(transcript))
    sends = [(call, res) for call, res in pairs if call.name == SEND_TOOL]
    reviews = [res for call, res in pairs if call.name == REVIEW_TOOL and not res.is_error]
    stated = json_object_in(result.output) or {}
    sent = next(((call, res) for call, res in reversed(sends) if not res.is_error), None)
    guard_raw = reviews[-1].content if reviews and isinstance(reviews[-1].content, dict) else None
    guard = _guard_view(guard_raw)
    proposal: OfferProposal | None = None
    if sent is not None:
        proposal = _proposal(sent[0].arguments.get("proposal"))
    elif guard_raw is not None:
        proposal = _proposal(guard_raw.get("proposal"))
    refused = next((res for _, res in reversed(sends) if res.is_error), None) if sent is None else None
    if not result.completed:
        outcome: Outcome = "sent" if sent else "failed"
    elif sent is not None:
        outcome = "sent"
    elif guard is not None and guard.needs_review:
        outcome = "review"
    elif refused is not None:
        outcome = "refused"
    elif guard is not None:
        outcome = "rejected" if guard.verdict == "reject" else "nothing"
    else:
        outcome = "nothing"
    receipt = sent[1].content if sent is not None and isinstance(sent[1].content, dict) else {}
    violations, checked = _violations(proposal, log, transcript)
    return Decision(
        outcome=outcome,
        stated=stated.get("decision"),
        detail=str(stated.get("detail") or stated.get("reason") or ""),
        use_case=stated.get("use_case") or (proposal.use_case.value if proposal else None),
        termination=result.termination.value,
        degraded=result.degraded,
        proposal=proposal,
        guard=guard,
        scheduled_at=_datetime(receipt.get("scheduled_at")),
        refusal=str(refused.content)[:500] if refused is not None else None,
        violations=violations,
        content_checked=checked,
        model_requests=result.usage.requests,
        tool_calls=result.usage.tool_calls,
        tokens=result.usage.total_tokens,
        cost_usd=result.usage.cost_usd,
        unpriced_requests=result.usage.unpriced_requests,
    )


def _tool_pairs(transcript: Transcript) -> Iterator[tuple[ToolCall, ToolResult]]:
    calls: dict[str, ToolCall] = {}
    for message in transcript.messages:
        if isinstance(message, ModelResponse):
            calls.update({call.id: call for call in message.tool_calls})
        elif isinstance(message, UserMessage):
            for part in message.parts:
                if isinstance(part, ToolResult) and part.call_id in calls:
                    yield calls[part.call_id], part


def _proposal(raw: object) -> OfferProposal | None:
    if not isinstance(raw, dict):
        return None
    try:
        return OfferProposal.model_validate(raw)
    except ValidationError:
        return None


def _guard_view(raw: dict[str, Any] | None) -> GuardView | None:
    if raw is None or "verdict" not in raw:
        return None
    reasons = [r for r in raw.get("reasons") or [] if isinstance(r, dict)]
    return GuardView(
        verdict=str(raw["verdict"]),
        codes=tuple(str(r.get("code", "")) for r in reasons),
        reasons=tuple(f"{r.get('code')}: {r.get('message')}" for r in reasons),
        needs_review=raw.get("review_id") is not None,
        failed_closed=bool(raw.get("failed_closed")),
    )


def _violations(
    proposal: OfferProposal | None, log: Sequence[LogEntry], transcript: Transcript
) -> tuple[tuple[RuleHit, ...], bool]:
    """Violations the rules server reported for the proposal's exact content, from every check of
    the trace (specialist and guard); and whether any check saw that content at all."""
    if proposal is None:
        return (), False
    digest = content_hash(proposal)
    reports = [
        entry.payload.get("content")
        for entry in log
        if entry.kind is StepKind.TOOL_RESULT
        and entry.payload.get("name") in (CHECK_TOOL, RECORD_TOOL)
        and not entry.payload.get("is_error")
    ]
    reports += [
        part.content for part in _all_results(transcript) if part.tool_name in (CHECK_TOOL, RECORD_TOOL)
    ]
    matching = [r for r in reports if isinstance(r, dict) and r.get("content_hash") == digest]
    hits = {
        (str(v.get("rule_id")), str(v.get("severity")), str(v.get("message"))): None
        for report in matching
        for v in report.get("violations") or []
        if isinstance(v, dict)
    }
    return tuple(RuleHit(rule_id=r, severity=s, message=m) for r, s, m in hits), bool(matching)


def _all_results(transcript: Transcript) -> Iterator[ToolResult]:
    for message in transcript.messages:
        if isinstance(message, UserMessage):
            yield from (p for p in message.parts if isinstance(p, ToolResult) and not p.is_error)
    for sub in transcript.delegations:
        yield from _all_results(sub)


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
