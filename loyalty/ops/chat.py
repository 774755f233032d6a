"""Ops chat: one conversation with the product, through either front door.

- With the local model, a request is parsed with the fixed grammar (`agents.orchestrator.ops_grammar`) and the
  operation it names runs directly; anything else gets a plain "I can't do that" and the list of
  what it can do.
- With any other model (Claude), the request is free text: the orchestrator agent answers with the
  ops functions as its tools, reached through the in-process ops MCP server (`loyalty.ops.server`)
  like every agent's tools, keeping the conversation across turns. Each reply has a deadline and
  a token budget (settings); a reply a fallback model gave is marked degraded, and a refusal, a
  truncated answer or a rejected request is said in one line.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from mcp import Client
from pydantic import BaseModel, ValidationError

from agents.agent import Agent
from agents.decision_log import DecisionLog
from agents.errors import TerminationReason
from agents.limits import Limits
from agents.loop import RunResult, run_agent
from agents.messages import Message, ToolResult, UserMessage
from agents.models import LocalModel, Model
from agents.orchestrator import OPS_PROMPT, Command, Help, Unsupported, parse
from agents.toolbox import Toolbox
from agents.toolset import Toolset
from loyalty.ops.operations import NAMES, OPERATIONS
from loyalty.ops.server import OPS_SERVER, ops_server
from loyalty.ops.service import OpsService
from loyalty.settings import Settings
from loyalty.wiring import model_for, open_agents, open_product
from tools.errors import LoyaltyError

# Planning and executing a large campaign takes minutes; turns, a deadline and tokens bound a run
# that loops (the deadline and tokens come from settings).
OPS_LIMITS = Limits(max_turns=12, max_seconds=600.0)
DEGRADED_NOTE = "(degraded: Claude was unavailable, so the local model answered part of this)"


@dataclass(frozen=True)
class Reply:
    request: str
    ok: bool
    operation: str | None = None  # what the grammar ran (local model)
    value: BaseModel | None = None  # its typed result
    text: str | None = None  # help, a refusal, an error, or the model's answer
    operations: tuple[str, ...] = ()  # the tools the model called (Claude)
    trace_id: str | None = None  # the model's run, in the decision log
    degraded: bool = False  # a fallback model answered (part of) it
    termination: str | None = None  # how the model's run ended (Claude)

    def payload(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "ok": self.ok,
            "operation": self.operation,
            "result": self.value.model_dump(mode="json") if self.value is not None else None,
            "text": self.text,
            "operations": list(self.operations),
            "trace_id": self.trace_id,
            "degraded": self.degraded,
            "termination": self.termination,
        }


@dataclass
class ChatSession:
    service: OpsService
    model: Model
    log: DecisionLog
    tools: Toolset | None = None  # the ops server's tools (free text only)
    limits: Limits = OPS_LIMITS
    _history: tuple[Message, ...] = field(default=(), repr=False)

    @property
    def free_text(self) -> bool:
        return not isinstance(self.model, LocalModel)

    async def ask(self, text: str) -> Reply:
        if self.free_text:
            return await self._ask_model(text)
        return await self._ask_grammar(text)

    async def _ask_grammar(self, text: str) -> Reply:
        parsed = parse(text)
        if isinstance(parsed, Help):
            return Reply(text, ok=True, text=parsed.text)
        if isinstance(parsed, Unsupported):
            return Reply(text, ok=False, text=parsed.message)
        return await self._run(text, parsed)

    async def _run(self, text: str, command: Command) -> Reply:
        try:
            value = await OPERATIONS[command.operation].run(self.service, command.arguments)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            return Reply(text, ok=False, operation=command.operation, text=f"I can't do that: {problems}")
        except LoyaltyError as error:
            return Reply(text, ok=False, operation=command.operation, text=str(error))
        return Reply(text, ok=True, operation=command.operation, value=value)

    async def _ask_model(self, text: str) -> Reply:
        if self.tools is None:
            raise RuntimeError(
                "a free-text chat session needs the ops server's tools (open it with open_chat)"
            )
        agent = Agent(
            name="orchestrator",
            system_prompt=OPS_PROMPT,
            model=self.model,
            tools=self.tools,
            limits=self.limits,
        )
        earlier = len(self._history)
        result = await run_agent(agent, text, log=self.log, history=self._history)
        # What ran: calls that got a result (a call cut off at max_tokens never runs, so never counts).
        called = tuple(
            part.tool_name
            for message in result.transcript.messages[earlier:]
            if isinstance(message, UserMessage)
            for part in message.parts
            if isinstance(part, ToolResult)
        )
        if result.degraded and not called:
            # Claude was unavailable and the local model cannot read free text: answer with its
            # grammar instead (nothing ran yet, so nothing is done twice), marked degraded.
            fallback = await self._ask_grammar(text)
            note = f"{DEGRADED_NOTE[:-1]}; read with the local commands, 'help' lists them)"
            return replace(
                fallback,
                text="\n".join(filter(None, [fallback.text, note])),
                degraded=True,
                trace_id=result.trace_id,
                termination=result.termination.value,
            )
        if result.completed:  # a run cut short may end on a tool call no result answers
            self._history = result.transcript.messages
        answer = _answer(result)
        if result.degraded:
            answer = f"{answer}\n{DEGRADED_NOTE}"
        return Reply(
            text,
            ok=result.completed,
            text=answer,
            operations=called,
            trace_id=result.trace_id,
            degraded=result.degraded,
            termination=result.termination.value,
        )


def _answer(result: RunResult) -> str:
    """The model's answer, or one line saying why there is none."""
    match result.termination:
        case TerminationReason.COMPLETED:
            return result.output or "(the model gave an empty answer)"
        case TerminationReason.REFUSED:
            return "Claude declined to answer that request; nothing was done after its refusal."
        case TerminationReason.TRUNCATED:
            return (
                "Claude's answer was cut off (max_tokens) and not acted on; "
                "ask for less at once or raise LOYALTY_CLAUDE_MAX_TOKENS."
            )
        case TerminationReason.MODEL_ERROR | TerminationReason.MODEL_UNAVAILABLE:
            return result.detail
        case TerminationReason.TIMEOUT:
            return (
                "No answer within the reply's deadline (LOYALTY_CHAT_REPLY_SECONDS); nothing more was done."
            )
        case TerminationReason.USAGE_LIMIT:
            return "The reply's token budget (LOYALTY_TOKENS_PER_CHAT_REPLY) was spent before an answer."
        case _:
            return f"I could not finish that ({result.termination.value}): {result.detail}"


@asynccontextmanager
async def open_chat(
    settings: Settings, *, clock: Callable[[], datetime], model: Model | None = None
) -> AsyncIterator[ChatSession]:
    """The product, its agents and an ops session over them, open for the block."""
    chosen = model or model_for(settings)
    limits = Limits(
        max_turns=OPS_LIMITS.max_turns,
        max_seconds=settings.chat_reply_seconds,
        max_total_tokens=settings.tokens_per_chat_reply,
    )
    async with open_product(settings, clock=clock) as product, open_agents(product, chosen) as team:
        service = OpsService(product, team, clock=clock)
        async with Toolbox.open({OPS_SERVER: Client(ops_server(service))}, prefix_names=False) as toolbox:
            yield ChatSession(service, chosen, team.log, toolbox.restricted_to(NAMES), limits)
