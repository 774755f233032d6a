"""Reviewing proposals: run the guard agent, then believe only what the rules server recorded.

FAIL CLOSED. Whatever goes wrong — an input that is not a proposal, a model that raises, times out
or runs out of turns, an answer that does not parse, an answer claiming a verdict the rules server
never recorded for that exact content — the decision is a reject with `failed_closed` set and a
`guard.*` reason saying why, and it carries no approval id. Approval ids are copied from the rules
server's receipts in the transcript, never from the model's text.

A campaign is first judged as a whole for fairness (`policies.engine.check_fairness`): an unfair
campaign is rejected outright, before any proposal of it can be approved.
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import anyio
import structlog
from pydantic import BaseModel, ConfigDict, ValidationError

from agents.agent import Agent
from agents.decision_log import DecisionLog
from agents.guard.agent import GUARD_ROLE, RECORD_TOOL, GuardConfig, guard_agent
from agents.guard.answer import UnreadableAnswer, parse_answer
from agents.guard.decision import GuardDecision, GuardReason
from agents.guard.prompt import ReviewRequest, render_request
from agents.loop import RunResult, run_agent
from agents.messages import ModelResponse, ToolResult, UserMessage
from agents.models import Model
from agents.toolbox import Toolbox
from policies.context import RuleContext
from policies.engine import check_fairness
from policies.model import Policy
from policies.proposal import OfferProposal, content_hash
from policies.violation import Severity
from policies.vocabulary import Verdict

logger = structlog.get_logger()

ProposalInput = OfferProposal | Mapping[str, Any] | str | bytes
_UNEXPLAINED = GuardReason(code="guard.no_reason", message="The guard gave no reason.")
_MAX_MESSAGE = 2_000


class VerdictReceiptView(BaseModel):
    """The part of `rules__record_guard_verdict`'s result the decision is built from."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    verdict: Verdict
    content_hash: str
    approval_id: str | None
    approval_expires_at: datetime | None
    review_id: int | None


@dataclass(frozen=True)
class Guard:
    """The guard agent wired to its tools (a toolbox holding the rules server as `rules`)."""

    toolbox: Toolbox
    model: Model
    log: DecisionLog
    config: GuardConfig = field(default_factory=GuardConfig)

    @cached_property
    def agent(self) -> Agent:
        """Built on first use and kept: its tool checks are compiled once, not per review."""
        return guard_agent(self.toolbox, self.model, self.config)

    async def review_proposal(
        self,
        proposal: ProposalInput,
        *,
        trace_id: str | None = None,
        on_run: Callable[[RunResult], None] | None = None,
    ) -> GuardDecision:
        """Audit one proposal and record the verdict. Never raises for a bad proposal or a failing
        model (see the module doc); a toolbox without the rules tools is a `ConfigurationError`.
        `on_run` is handed the guard's run (its usage, its degradation) for the caller to count."""
        agent = self.agent
        trace_id = trace_id or uuid.uuid4().hex
        try:
            parsed = _read(proposal)
        except ValueError as error:  # pydantic's ValidationError included
            return self._failed(
                None, trace_id, "guard.unparseable_proposal", f"not a valid proposal: {_describe(error)}"
            )
        request = ReviewRequest(
            trace_id=trace_id,
            guard_model=self.model.model_id(agent.name)[:60],
            proposal=parsed.model_dump(mode="json"),
        )
        try:
            result = await run_agent(agent, render_request(request), log=self.log, trace_id=trace_id)
            if on_run is not None:
                on_run(result)
        except Exception as error:  # anything the model or the loop raises: no approval
            logger.warning("guard.model_failed", trace_id=trace_id, model=self.model.name, exc_info=True)
            return self._failed(parsed, trace_id, "guard.model_error", f"the guard model failed: {error!r}")
        decision = self._decide(parsed, result)
        logger.info(
            "guard.decision",
            trace_id=trace_id,
            customer_id=parsed.customer_id,
            verdict=decision.verdict.value,
            approved=decision.approved,
            needs_review=decision.needs_review,
            failed_closed=decision.failed_closed,
            codes=sorted(decision.codes),
        )
        return decision

    async def review_campaign(
        self, proposals: Sequence[OfferProposal], contexts: Sequence[RuleContext], policy: Policy
    ) -> tuple[GuardDecision, ...]:
        """Judge the campaign's fairness, then (if fair) every proposal; `contexts[i]` is the rule
        context of `proposals[i]`. Decisions come back in the proposals' order."""
        try:
            fairness = check_fairness(proposals, contexts, policy)
        except ValueError as error:  # contexts that do not pair up with the proposals
            return tuple(
                self._failed(p, uuid.uuid4().hex, "guard.unreadable_campaign", str(error)) for p in proposals
            )
        unfair = tuple(
            GuardReason(code=str(v.rule_id), message=v.message)
            for v in fairness.violations
            if v.severity is not Severity.WARN
        )
        if unfair:
            logger.warning(
                "guard.campaign_unfair", proposals=len(proposals), reasons=[r.message for r in unfair]
            )
            return tuple(
                GuardDecision(
                    verdict=Verdict.REJECT,
                    reasons=unfair,
                    proposal=p,
                    trace_id=uuid.uuid4().hex,
                    guard_model=self.model.model_id(GUARD_ROLE),
                )
                for p in proposals
            )
        decisions: dict[int, GuardDecision] = {}
        limiter = anyio.CapacityLimiter(self.config.campaign_concurrency)

        async def review_one(index: int, proposal: OfferProposal) -> None:
            async with limiter:
                decisions[index] = await self.review_proposal(proposal)

        async with anyio.create_task_group() as group:
            for index, proposal in enumerate(proposals):
                group.start_soon(review_one, index, proposal)
        return tuple(decisions[index] for index in range(len(proposals)))

    def _decide(self, original: OfferProposal, result: RunResult) -> GuardDecision:
        trace_id = result.trace_id
        if not result.completed:
            return self._failed(
                original,
                trace_id,
                f"guard.{result.termination.value}",
                f"the guard run ended without a verdict ({result.termination.value})",
                result.degraded,
            )
        try:
            answer = parse_answer(result.output)
        except UnreadableAnswer as error:
            return self._failed(original, trace_id, "guard.unparseable_answer", str(error), result.degraded)
        reasons = answer.reasons or (_UNEXPLAINED,)
        if answer.verdict is Verdict.REJECT:
            return GuardDecision(
                verdict=Verdict.REJECT,
                reasons=reasons,
                proposal=original,
                trace_id=trace_id,
                guard_model=self._answered_by(result),
                degraded=result.degraded,
            )
        target = original
        if answer.verdict is Verdict.REVISE:
            try:
                target = OfferProposal.model_validate(answer.revised_proposal)
            except ValidationError as error:
                return self._failed(
                    original,
                    trace_id,
                    "guard.unparseable_revision",
                    f"the revised proposal is not valid: {_describe(error)}",
                    result.degraded,
                )
        digest = content_hash(target)
        receipt = next(
            (
                r
                for r in reversed(_receipts(result))
                if r.verdict is answer.verdict and r.content_hash == digest
            ),
            None,
        )
        if receipt is None:
            return self._failed(
                original,
                trace_id,
                "guard.unrecorded_verdict",
                f"the guard answered {answer.verdict.value} but the rules server recorded no such "
                "verdict for that content",
                result.degraded,
            )
        return GuardDecision(
            verdict=answer.verdict,
            reasons=reasons,
            proposal=target,
            approval_id=receipt.approval_id,
            approval_expires_at=receipt.approval_expires_at,
            review_id=receipt.review_id,
            trace_id=trace_id,
            guard_model=self._answered_by(result),
            degraded=result.degraded,
        )

    def _answered_by(self, result: RunResult) -> str:
        """The models that actually answered the review, fallbacks included (not the configured one)."""
        configured = self.model.model_id(GUARD_ROLE)
        names = list(
            dict.fromkeys(m.model_name for m in result.transcript.messages if isinstance(m, ModelResponse))
        )
        if not names:
            return configured[:60]
        if result.degraded and configured not in names:
            return f"{'+'.join(names)} (fallback for {configured})"[:60]
        return "+".join(names)[:60]

    def _failed(
        self, proposal: OfferProposal | None, trace_id: str, code: str, message: str, degraded: bool = False
    ) -> GuardDecision:
        logger.warning("guard.failed_closed", trace_id=trace_id, code=code, detail=message)
        reason = GuardReason(code=code, message=message[:_MAX_MESSAGE])
        return GuardDecision(
            verdict=Verdict.REJECT,
            reasons=(reason,),
            proposal=proposal,
            failed_closed=True,
            trace_id=trace_id,
            guard_model=self.model.model_id(GUARD_ROLE),
            degraded=degraded,
        )


def _read(proposal: ProposalInput) -> OfferProposal:
    if isinstance(proposal, OfferProposal):
        return proposal
    if isinstance(proposal, str | bytes):
        return OfferProposal.model_validate_json(proposal)
    return OfferProposal.model_validate(dict(proposal))


def _describe(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in error.errors()[:10]
        )
    return str(error)


def _receipts(result: RunResult) -> list[VerdictReceiptView]:
    receipts = []
    for message in result.transcript.messages:
        if not isinstance(message, UserMessage):
            continue
        for part in message.parts:
            if isinstance(part, ToolResult) and part.tool_name == RECORD_TOOL and not part.is_error:
                try:
                    receipts.append(VerdictReceiptView.model_validate(part.content))
                except ValidationError:
                    continue  # not a receipt: it proves nothing
    return receipts
