"""The guard's deterministic local policy: the rules server's checks plus `policies.judgement`.

Like Claude it sees only the request — the review request and the tool results so far — and acts
only through the guard's tools. Each turn it replays the conversation to find where it is:

    check the proposal → (check a revision) → record the verdict → answer

When its own judgement finds nothing, it records `approve` straight away instead of checking
first: the rules server re-runs every rule before it records anything, refuses an approval that a
blocking rule forbids, queues review-severity cases for a person, and returns the rules' findings
in its receipt. So the usual review is one tool call (record → answer), and a refused approval
falls back to the full sequence above (check → revise or reject → record).

A rules server that fails, or refuses to record, ends the review with a reject: the guard fails
closed.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, JsonValue

from agents.guard.agent import CHECK_TOOL, RECORD_TOOL
from agents.guard.answer import GuardAnswer, render_answer
from agents.guard.decision import GuardReason
from agents.guard.prompt import ReviewRequest, parse_request
from agents.guard.revise import revise
from agents.messages import Message, ModelResponse, ToolCall, ToolResult, UserMessage
from agents.models import LOCAL_MODEL_NAME, ModelRequest, call_id
from policies.judgement import DEFAULT_LIMITS, JudgementFinding, PlausibilityLimits, judge
from policies.proposal import OfferProposal
from policies.violation import Severity, Violation
from policies.vocabulary import Verdict

# How the rules server names the checks behind a refused approval ("blocking checks fail (a, b)").
_FAILED_CHECK = re.compile(r"\b(judgement\.[a-z_]+)\b")
APPROVED = GuardReason(
    code="guard.approved", message="Every rule passes; copy, targeting and value claims read well."
)


class CheckReportView(BaseModel):
    """The part of `rules__check_proposal`'s result (or of a verdict receipt) the guard reads."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    violations: tuple[Violation, ...]

    @property
    def blocking(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity is Severity.BLOCK)


@dataclass(frozen=True)
class CheckNext:
    proposal: OfferProposal


@dataclass(frozen=True)
class Conclusion:
    verdict: Verdict
    proposal: OfferProposal  # the revised proposal on revise
    reasons: tuple[GuardReason, ...]


def plan(
    original: OfferProposal, reports: Sequence[CheckReportView], limits: PlausibilityLimits = DEFAULT_LIMITS
) -> CheckNext | Conclusion:
    """The next step given the rules server's reports so far: on the original, then on a revision."""
    if not reports:
        return CheckNext(original)
    first = reports[0]
    found = tuple(_from_rule(v) for v in first.violations)
    if findings := judge(original, limits, retailer=None):
        return Conclusion(Verdict.REJECT, original, (*found, *map(_from_judgement, findings)))
    if not first.blocking:
        return Conclusion(Verdict.APPROVE, original, (APPROVED, *found))
    revision = revise(original, first.blocking)
    if revision is None:
        return Conclusion(Verdict.REJECT, original, found)
    if len(reports) == 1:
        return CheckNext(revision.proposal)
    second = reports[1]
    still = [str(v.rule_id) for v in second.blocking] + [
        str(f.judgement_id) for f in judge(revision.proposal, limits, retailer=None)
    ]
    if still:
        failed = GuardReason(
            code="guard.revision_failed",
            message=f"The simple fixes still leave {', '.join(still)}; change the proposal by hand.",
        )
        return Conclusion(Verdict.REJECT, original, (*found, failed))
    fixed = tuple(_from_rule(v) for v in first.blocking)
    reasons = (*fixed, *revision.changes, *map(_from_rule, second.violations))
    return Conclusion(Verdict.REVISE, revision.proposal, reasons)


class GuardPolicy:
    """The local model's policy for the guard role (register it as `GUARD_ROLE`)."""

    def __init__(self, limits: PlausibilityLimits = DEFAULT_LIMITS) -> None:
        self._limits = limits

    def respond(self, request: ModelRequest) -> ModelResponse:
        try:
            review = parse_request(request.last_user_text)
            original = OfferProposal.model_validate(review.proposal)
        except ValueError as error:  # also pydantic's ValidationError
            return _answer(
                Verdict.REJECT, GuardReason(code="guard.unparseable_proposal", message=str(error)[:2_000])
            )
        exchanges = _exchanges(request.messages)
        if not exchanges and not judge(original, self._limits, retailer=None):
            return _record(request, review, Conclusion(Verdict.APPROVE, original, (APPROVED,)))
        if exchanges and exchanges[0][0].name == RECORD_TOOL:  # the direct approval above
            receipt = exchanges[0][1]
            if not receipt.is_error:
                return _approved(original, receipt, self._limits)
            exchanges = exchanges[1:]  # refused: check, then decide as usual
        checks = [result for call, result in exchanges if call.name == CHECK_TOOL]
        records = [result for call, result in exchanges if call.name == RECORD_TOOL]
        try:
            reports = [_report(result) for result in checks]
        except ValueError as error:
            return _answer(
                Verdict.REJECT, GuardReason(code="guard.rules_unavailable", message=str(error)[:2_000])
            )
        step = plan(original, reports, self._limits)
        if isinstance(step, CheckNext):
            return _call(request, CHECK_TOOL, {"proposal": step.proposal.model_dump(mode="json")})
        if records:
            return _conclude(step, records[-1])
        return _record(request, review, step)


def _record(request: ModelRequest, review: ReviewRequest, step: Conclusion) -> ModelResponse:
    return _call(
        request,
        RECORD_TOOL,
        {
            "proposal": step.proposal.model_dump(mode="json"),
            "verdict": step.verdict.value,
            "reasons": [reason.line() for reason in step.reasons][:20],
            "guard_model": _recorded_model(review.guard_model),
            "trace_id": review.trace_id,
        },
    )


def _recorded_model(requested: str) -> str:
    """This policy's own name: it records the verdict, also when it answers as Claude's fallback
    (the request then names the Claude model that could not)."""
    if requested == LOCAL_MODEL_NAME:
        return LOCAL_MODEL_NAME
    return f"{LOCAL_MODEL_NAME} (fallback for {requested})"[:60]


def _approved(original: OfferProposal, receipt: ToolResult, limits: PlausibilityLimits) -> ModelResponse:
    """Answer a recorded direct approval, with the rules' findings from the receipt as reasons.

    The receipt's violations are the server's own re-run of the rules, so the answer reads exactly
    as it would after a separate check. Should they block after all (they cannot: the server
    refuses such an approval), the guard rejects and the approval is never used.
    """
    try:
        step = plan(original, [_report(receipt)], limits)
    except ValueError as error:
        return _answer(
            Verdict.REJECT, GuardReason(code="guard.rules_unavailable", message=str(error)[:2_000])
        )
    if not isinstance(step, Conclusion) or step.verdict is not Verdict.APPROVE:
        return _answer(
            Verdict.REJECT,
            GuardReason(
                code="guard.inconsistent_receipt",
                message="The rules server recorded an approval its own findings block.",
            ),
        )
    return _conclude(step, receipt)


def _report(result: ToolResult) -> CheckReportView:
    if result.is_error:
        raise ValueError(f"the rules check failed: {result.content}")
    return CheckReportView.model_validate(result.content)


def _conclude(step: Conclusion, record: ToolResult) -> ModelResponse:
    if record.is_error:
        refused = GuardReason(
            code="guard.record_refused",
            message=f"The rules server refused the verdict: {record.content}"[:2_000],
        )
        # The server names the checks that failed; the ones only it can judge (the retailer's own
        # domains and contact details) become reasons of their own.
        named = tuple(
            GuardReason(code=code, message=f"The rules server found {code} on this proposal.")
            for code in dict.fromkeys(_FAILED_CHECK.findall(str(record.content)))
        )
        return _answer(
            Verdict.REJECT, refused, *named, *(reason for reason in step.reasons if reason != APPROVED)
        )
    revised = step.proposal.model_dump(mode="json") if step.verdict is Verdict.REVISE else None
    # The server judged with the retailer's own domains and contact details, which this policy does
    # not know: what it found beyond the guard's own reasons is added to them.
    known = {reason.code for reason in step.reasons}
    server = tuple(
        GuardReason(
            code=str(f["judgement_id"]),
            message=str(f["message"])[:2_000],
            field=str(f["field"]) if f.get("field") else None,
        )
        for f in _findings(record)
        if str(f.get("judgement_id")) not in known
    )
    return ModelResponse.from_text(
        render_answer(
            GuardAnswer(verdict=step.verdict, reasons=(*step.reasons, *server), revised_proposal=revised)
        ),
        model_name=LOCAL_MODEL_NAME,
    )


def _findings(record: ToolResult) -> list[dict[str, JsonValue]]:
    content = record.content
    found = content.get("findings") if isinstance(content, dict) else None
    return (
        [f for f in found if isinstance(f, dict) and "judgement_id" in f] if isinstance(found, list) else []
    )


def _answer(verdict: Verdict, *reasons: GuardReason) -> ModelResponse:
    text = render_answer(GuardAnswer(verdict=verdict, reasons=reasons))
    return ModelResponse.from_text(text, model_name=LOCAL_MODEL_NAME)


def _call(request: ModelRequest, tool: str, arguments: dict[str, JsonValue]) -> ModelResponse:
    return ModelResponse.from_calls(
        ToolCall(call_id(request, 0), tool, arguments), model_name=LOCAL_MODEL_NAME
    )


def _exchanges(messages: Sequence[Message]) -> list[tuple[ToolCall, ToolResult]]:
    calls = {call.id: call for m in messages if isinstance(m, ModelResponse) for call in m.tool_calls}
    return [
        (calls[part.call_id], part)
        for m in messages
        if isinstance(m, UserMessage)
        for part in m.parts
        if isinstance(part, ToolResult) and part.call_id in calls
    ]


def _from_rule(violation: Violation) -> GuardReason:
    return GuardReason(code=str(violation.rule_id), message=violation.message, field=violation.field)


def _from_judgement(finding: JudgementFinding) -> GuardReason:
    return GuardReason(code=str(finding.judgement_id), message=finding.message, field=finding.field)
