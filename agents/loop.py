"""The one agent loop, for every agent and every model.

system prompt + messages + allow-listed tools → model → tool calls (concurrently) → results
appended → repeat, until the model answers without calling a tool or a limit ends the run.
Every step goes to the decision log under the run's trace id.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

import anyio
import structlog
from pydantic import JsonValue

from agents.agent import Agent
from agents.context import RunContext
from agents.decision_log import DecisionLog, StepKind
from agents.errors import (
    AnswerTruncated,
    MaxTurnsExceeded,
    ModelRefused,
    RunTerminated,
    RunTimeout,
    TerminationReason,
    ToolCallError,
    UsageLimitExceeded,
)
from agents.limits import Limits, RunBudget
from agents.messages import Message, ModelResponse, ToolCall, ToolResult, Usage, UserMessage
from agents.models import ModelRequest
from agents.transcript import Transcript

logger = structlog.get_logger()

# How long a cancelled run may still take to write its last decision-log entry.
_RECORD_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class RunResult:
    """How a run ended; everything is read from its transcript."""

    transcript: Transcript

    @property
    def output(self) -> str:
        return self.transcript.output

    @property
    def termination(self) -> TerminationReason:
        return self.transcript.termination

    @property
    def completed(self) -> bool:
        return self.transcript.termination is TerminationReason.COMPLETED

    @property
    def usage(self) -> Usage:
        return self.transcript.usage

    @property
    def degraded(self) -> bool:
        return self.transcript.degraded

    @property
    def detail(self) -> str:
        """Why a run that did not complete stopped (one line; "" when it completed)."""
        return self.transcript.detail

    @property
    def trace_id(self) -> str:
        return self.transcript.trace_id


async def run_agent(
    agent: Agent,
    prompt: str,
    *,
    log: DecisionLog,
    trace_id: str | None = None,
    history: Sequence[Message] = (),
) -> RunResult:
    """Run `agent` on `prompt`, after `history` (earlier turns of the same conversation)."""
    ctx = RunContext(
        trace_id=trace_id or uuid.uuid4().hex, agent=agent.name, log=log, budget=RunBudget.start(agent.limits)
    )
    return RunResult(await _AgentRun(agent, ctx, prompt, history).execute())


async def run_subagent(agent: Agent, prompt: str, *, parent: RunContext) -> RunResult:
    """Run `agent` for a parent run: same trace, within the parent's remaining budget.

    The sub-run's usage, degradation and transcript are folded into the parent's context.
    """
    ctx = RunContext(
        trace_id=parent.trace_id,
        agent=agent.name,
        log=parent.log,
        budget=RunBudget.start(agent.limits, parent=parent.budget),
        depth=parent.depth + 1,
        parent=parent,
    )
    return RunResult(await _AgentRun(agent, ctx, prompt).execute())


class _AgentRun:
    def __init__(self, agent: Agent, ctx: RunContext, prompt: str, history: Sequence[Message] = ()) -> None:
        self._agent = agent
        self._ctx = ctx
        self._prompt = prompt
        self._messages: list[Message] = [*history, UserMessage.text(prompt)]
        self._catalog = agent.catalog

    async def execute(self) -> Transcript:
        await self._record(
            StepKind.RUN_START,
            {
                "prompt": self._prompt,
                "model": self._agent.model.name,
                "depth": self._ctx.depth,
                "limits": _flat(self._agent.limits),
            },
        )
        output, termination, detail = "", TerminationReason.COMPLETED, ""
        try:
            with anyio.CancelScope(deadline=self._ctx.budget.deadline) as scope:
                output = await self._turns()
            if scope.cancelled_caught:
                raise RunTimeout(f"{self._agent.name} ran out of time on turn {self._ctx.turn}")
        except RunTerminated as stop:
            termination, detail = stop.reason, str(stop)
            logger.info(
                "agent.terminated",
                trace_id=self._ctx.trace_id,
                agent=self._agent.name,
                reason=stop.reason.value,
                detail=str(stop),
            )
        except anyio.get_cancelled_exc_class():
            # An enclosing scope is cancelling us: a parent run's deadline (which then reports the
            # timeout) or the caller. Record the partial run so the decision stays explainable,
            # then let the cancellation carry on.
            timed_out = anyio.current_time() >= self._ctx.budget.deadline
            with anyio.move_on_after(_RECORD_GRACE_SECONDS, shield=True):
                await self._finish(
                    output, TerminationReason.TIMEOUT if timed_out else TerminationReason.CANCELLED
                )
            raise
        return await self._finish(output, termination, detail)

    async def _finish(self, output: str, termination: TerminationReason, detail: str = "") -> Transcript:
        ctx = self._ctx
        transcript = Transcript(
            trace_id=ctx.trace_id,
            agent=self._agent.name,
            system_prompt=self._agent.system_prompt,
            messages=tuple(self._messages),
            output=output,
            termination=termination,
            usage=ctx.usage,
            degraded=ctx.degraded,
            delegations=tuple(ctx.delegations),
            detail=detail,
        )
        if ctx.parent is not None:
            ctx.parent.absorb(transcript)
        await self._record(
            StepKind.RUN_END,
            {
                "termination": termination.value,
                "detail": detail,
                "output": output,
                "degraded": transcript.degraded,
                "usage": _flat(transcript.usage),
            },
        )
        return transcript

    async def _turns(self) -> str:
        ctx, agent = self._ctx, self._agent
        while True:
            if ctx.budget.tokens_exhausted:
                raise UsageLimitExceeded(f"token budget spent before turn {ctx.turn + 1}")
            ctx.turn += 1
            request = ModelRequest(
                role=agent.name,
                system_prompt=agent.system_prompt,
                messages=tuple(self._messages),
                tools=tuple(agent.tools.definitions),
            )
            await self._record(
                StepKind.MODEL_REQUEST,
                {
                    "model": agent.model.name,
                    "messages": len(request.messages),
                    "tools": [t.name for t in request.tools],
                },
            )
            response = await agent.model.request(request)
            ctx.usage = ctx.usage + response.usage + Usage(requests=1)
            ctx.budget.charge(response.usage.total_tokens)
            ctx.degraded = ctx.degraded or response.degraded
            self._messages.append(response)
            await self._record(StepKind.MODEL_RESPONSE, _response_summary(response))
            _check_stop_reason(response, agent.name)

            calls = response.tool_calls
            if not calls:
                return response.text
            # Stop before running tools whose results no model turn would ever read.
            if ctx.turn >= agent.limits.max_turns:
                raise MaxTurnsExceeded(f"{agent.name} still calling tools after {ctx.turn} turns")
            if ctx.budget.tokens_exhausted:
                raise UsageLimitExceeded(f"token budget spent after turn {ctx.turn}")
            self._messages.append(UserMessage(parts=await self._call_tools(calls)))

    async def _call_tools(self, calls: Sequence[ToolCall]) -> tuple[ToolResult, ...]:
        results: dict[int, ToolResult] = {}
        failures: list[Exception] = []

        async def call_one(index: int, call: ToolCall) -> None:
            try:
                results[index] = await self._call_tool(call)
            except Exception as failure:
                # A tripwire (or a bug) halts the whole turn: the siblings are cancelled and the
                # failure is re-raised below unwrapped, so callers never see an ExceptionGroup.
                failures.append(failure)
                task_group.cancel_scope.cancel()

        async with anyio.create_task_group() as task_group:
            for index, call in enumerate(calls):
                task_group.start_soon(call_one, index, call)
        if failures:
            raise failures[0]
        return tuple(results[index] for index in range(len(calls)))

    async def _call_tool(self, call: ToolCall) -> ToolResult:
        await self._record(
            StepKind.TOOL_CALL, {"id": call.id, "name": call.name, "arguments": call.arguments}
        )
        try:
            self._catalog.check(call)
            result = await self._agent.tools.call(call, self._ctx)
        except ToolCallError as error:
            result = ToolResult(call.id, call.name, str(error), is_error=True)
        self._ctx.usage = self._ctx.usage + Usage(tool_calls=1)
        await self._record(
            StepKind.TOOL_RESULT,
            {"id": call.id, "name": call.name, "is_error": result.is_error, "content": result.content},
        )
        return result

    async def _record(self, kind: StepKind, payload: Mapping[str, JsonValue]) -> None:
        await self._ctx.log.record(self._ctx.trace_id, self._ctx.agent, self._ctx.turn, kind, payload)


def _check_stop_reason(response: ModelResponse, agent: str) -> None:
    """Fail closed on an answer that is not whole: a refusal, or a turn cut off at max_tokens (its
    text incomplete, a tool call's arguments possibly so: neither may be acted on)."""
    if response.stop_reason == "refusal":
        raise ModelRefused(f"the model declined to answer {agent}'s request")
    if response.stop_reason == "max_tokens":
        what = "a tool call" if response.tool_calls else "its answer"
        raise AnswerTruncated(
            f"{agent}'s model was cut off at max_tokens in {what}; nothing of it was acted on"
        )


def _response_summary(response: ModelResponse) -> dict[str, JsonValue]:
    return {
        "model": response.model_name,
        "stop_reason": response.stop_reason,
        "degraded": response.degraded,
        "text": response.text,
        "tool_calls": [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in response.tool_calls],
        "usage": _flat(response.usage),
    }


def _flat(value: Usage | Limits) -> dict[str, JsonValue]:
    """A dataclass of plain numbers as a dict: `dataclasses.asdict` deep-copies every field, and
    the loop logs these a dozen times a decision."""
    return {f.name: getattr(value, f.name) for f in fields(value)}
