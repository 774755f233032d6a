"""Ops chat: one conversation with the product, through either front door.

- With the local model, a request is parsed with the fixed grammar (`loyalty.ops.grammar`) and the
  operation it names runs directly; anything else gets a plain "I can't do that" and the list of
  what it can do.
- With any other model (Claude), the request is free text: the orchestrator agent answers with the
  ops functions as its tools (`loyalty.ops.toolset`), keeping the conversation across turns.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from agents.agent import Agent
from agents.decision_log import DecisionLog
from agents.limits import Limits
from agents.loop import run_agent
from agents.messages import Message, ModelResponse
from agents.models.base import Model
from agents.models.local import LocalModel
from loyalty.ops.grammar import Command, Help, Unsupported, parse
from loyalty.ops.operations import OPERATIONS
from loyalty.ops.prompt import OPS_PROMPT
from loyalty.ops.service import OpsService
from loyalty.ops.toolset import OpsToolset
from loyalty.settings import Settings
from loyalty.wiring import model_for, open_agents, open_product
from tools.errors import LoyaltyError

# Planning and executing a large campaign takes minutes; turns bound a run that loops.
OPS_LIMITS = Limits(max_turns=12, max_seconds=None)


@dataclass(frozen=True)
class Reply:
    request: str
    ok: bool
    operation: str | None = None  # what the grammar ran (local model)
    value: BaseModel | None = None  # its typed result
    text: str | None = None  # help, a refusal, an error, or the model's answer
    operations: tuple[str, ...] = ()  # the tools the model called (Claude)
    trace_id: str | None = None  # the model's run, in the decision log

    def payload(self) -> dict[str, Any]:
        return {"request": self.request, "ok": self.ok, "operation": self.operation,
                "result": self.value.model_dump(mode="json") if self.value is not None else None,
                "text": self.text, "operations": list(self.operations), "trace_id": self.trace_id}


@dataclass
class ChatSession:
    service: OpsService
    model: Model
    log: DecisionLog
    _history: tuple[Message, ...] = field(default=(), repr=False)

    @property
    def free_text(self) -> bool:
        return not isinstance(self.model, LocalModel)

    async def ask(self, text: str) -> Reply:
        if self.free_text:
            return await self._ask_model(text)
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
        agent = Agent(name="orchestrator", system_prompt=OPS_PROMPT, model=self.model,
                      tools=OpsToolset(self.service), limits=OPS_LIMITS)
        earlier = len(self._history)
        result = await run_agent(agent, text, log=self.log, history=self._history)
        called = tuple(call.name for message in result.transcript.messages[earlier:]
                       if isinstance(message, ModelResponse) for call in message.tool_calls)
        if result.completed:  # a run cut short may end on a tool call no result answers
            self._history = result.transcript.messages
        answer = result.output if result.completed else f"I could not finish that ({result.termination.value})."
        return Reply(text, ok=result.completed, text=answer, operations=called, trace_id=result.trace_id)


@asynccontextmanager
async def open_chat(settings: Settings, *, clock: Callable[[], datetime],
                    model: Model | None = None) -> AsyncIterator[ChatSession]:
    """The product, its agents and an ops session over them, open for the block."""
    chosen = model or model_for(settings)
    async with open_product(settings, clock=clock) as product, open_agents(product, chosen) as team:
        service = OpsService(product, team, clock=clock)
        yield ChatSession(service, chosen, team.log)
