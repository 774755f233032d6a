"""The agent loop with the scripted model: tools, malformed output, limits, decision log."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
from mcp import Client
from mcp.server.mcpserver import MCPServer

from agents.agent import Agent
from agents.context import RunContext
from agents.decision_log import InMemoryDecisionLog, StepKind
from agents.errors import TerminationReason, UsageLimitExceeded
from agents.limits import Limits
from agents.loop import run_agent
from agents.messages import ModelResponse, ToolCall, ToolResult, Usage, UserMessage
from agents.models.base import ToolDefinition
from agents.models.scripted import ScriptedModel
from agents.toolbox import Toolbox
from tests.agents.calc_server import calc_server

SYSTEM = "You are a test agent."


def calls(*tool_calls: ToolCall, tokens: int = 0) -> ModelResponse:
    return ModelResponse.from_calls(*tool_calls, model_name="scripted", usage=Usage(input_tokens=tokens))


def answer(text: str, tokens: int = 0) -> ModelResponse:
    return ModelResponse.from_text(text, model_name="scripted", usage=Usage(input_tokens=tokens))


def tool_results(model: ScriptedModel, turn: int) -> tuple[ToolResult, ...]:
    """The tool results the model was shown on request `turn` (1-based)."""
    return model.requests[turn - 1].latest_tool_results


class FunctionTools:
    """A toolset of plain async functions, for exercising the loop without MCP."""

    def __init__(self, **functions: object) -> None:
        self._functions = functions
        self.started: list[str] = []

    @property
    def definitions(self) -> Sequence[ToolDefinition]:
        return tuple(ToolDefinition(name, f"Runs {name}.") for name in self._functions)

    async def call(self, call: ToolCall, ctx: RunContext) -> ToolResult:
        self.started.append(call.name)
        return ToolResult(call.id, call.name, await self._functions[call.name]())  # type: ignore[operator]


async def test_a_run_without_tools_returns_the_answer_and_logs_every_step() -> None:
    model = ScriptedModel([answer("hello")])
    log = InMemoryDecisionLog()
    result = await run_agent(Agent("greeter", SYSTEM, model), "hi", log=log, trace_id="trace-1")

    assert result.completed and result.output == "hello" and result.trace_id == "trace-1"
    assert [(e.agent, e.step, e.kind) for e in log.for_trace("trace-1")] == [
        ("greeter", 0, StepKind.RUN_START),
        ("greeter", 1, StepKind.MODEL_REQUEST),
        ("greeter", 1, StepKind.MODEL_RESPONSE),
        ("greeter", 1, StepKind.RUN_END),
    ]
    assert log.entries[0].payload["prompt"] == "hi"
    assert log.entries[-1].payload["termination"] == "completed"
    model.assert_consumed()


async def test_tool_calls_and_results_are_logged_with_the_trace_id() -> None:
    model = ScriptedModel([calls(ToolCall("c1", "calc__add", {"a": 2, "b": 2})), answer("4")])
    log = InMemoryDecisionLog()
    async with Toolbox.open({"calc": Client(calc_server([]))}) as box:
        agent = Agent("calculator", SYSTEM, model, tools=box.restricted_to(["calc__add"]))
        result = await run_agent(agent, "2+2?", log=log)

    kinds = [e.kind for e in log.for_trace(result.trace_id)]
    assert kinds == [
        StepKind.RUN_START,
        StepKind.MODEL_REQUEST,
        StepKind.MODEL_RESPONSE,
        StepKind.TOOL_CALL,
        StepKind.TOOL_RESULT,
        StepKind.MODEL_REQUEST,
        StepKind.MODEL_RESPONSE,
        StepKind.RUN_END,
    ]
    tool_result = log.entries[4]
    assert tool_result.step == 1
    assert tool_result.payload == {
        "id": "c1",
        "name": "calc__add",
        "is_error": False,
        "content": {"result": 4},
    }


async def test_history_is_sent_before_the_new_prompt() -> None:
    model = ScriptedModel([answer("second answer")])
    history = (UserMessage.text("first question"), answer("first answer"))
    await run_agent(
        Agent("chat", SYSTEM, model), "second question", log=InMemoryDecisionLog(), history=history
    )
    assert model.requests[0].messages == (*history, UserMessage.text("second question"))


async def test_a_tool_off_the_allow_list_cannot_be_called_even_if_the_model_names_it() -> None:
    executed: list[str] = []
    model = ScriptedModel([calls(ToolCall("c1", "calc__lookup", {"key": "apple"})), answer("gave up")])
    async with Toolbox.open({"calc": Client(calc_server(executed))}) as box:
        agent = Agent("calculator", SYSTEM, model, tools=box.restricted_to(["calc__add"]))
        result = await run_agent(agent, "classify apple", log=InMemoryDecisionLog())

    assert result.completed and executed == []
    assert [t.name for t in model.requests[0].tools] == ["calc__add"]
    (refused,) = tool_results(model, 2)
    assert refused.is_error and "unknown tool 'calc__lookup'" in str(refused.content)


async def test_unknown_tools_and_bad_arguments_are_fed_back_not_raised() -> None:
    executed: list[str] = []
    model = ScriptedModel(
        [
            calls(
                ToolCall("c1", "calc__add", {"a": 1}),
                ToolCall("c2", "calc__nope", {}),
                ToolCall("c3", "calc__add", {"a": 1, "b": 1}),
            ),
            answer("done"),
        ]
    )
    async with Toolbox.open({"calc": Client(calc_server(executed))}) as box:
        agent = Agent("calculator", SYSTEM, model, tools=box.restricted_to(["calc__add"]))
        result = await run_agent(agent, "add", log=InMemoryDecisionLog())

    assert result.completed and executed == ["add"]
    missing_b, unknown, good = tool_results(model, 2)
    # The server validates MCP tools' arguments (the loop only checks the name on the way).
    assert missing_b.is_error and "b\n  Field required" in str(missing_b.content)
    assert unknown.is_error and "unknown tool 'calc__nope'" in str(unknown.content)
    assert good == ToolResult("c3", "calc__add", {"result": 2})


class ShoutTools:
    """An agent-side tool (no server behind it) with a schema: the loop checks its arguments."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    @property
    def definitions(self) -> Sequence[ToolDefinition]:
        schema = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
        return (ToolDefinition("shout", "Shouts the text.", schema),)

    async def call(self, call: ToolCall, ctx: RunContext) -> ToolResult:
        self.heard.append(call.arguments["text"])
        return ToolResult(call.id, call.name, call.arguments["text"].upper())


async def test_arguments_of_tools_without_a_server_are_checked_by_the_loop() -> None:
    tools = ShoutTools()
    model = ScriptedModel(
        [calls(ToolCall("c1", "shout", {"text": 3}), ToolCall("c2", "shout", {"text": "hi"})), answer("done")]
    )
    result = await run_agent(Agent("shouter", SYSTEM, model, tools=tools), "shout", log=InMemoryDecisionLog())

    assert result.completed and tools.heard == ["hi"]
    wrong_type, good = tool_results(model, 2)
    assert wrong_type.is_error and "3 is not of type 'string'" in str(wrong_type.content)
    assert good == ToolResult("c2", "shout", "HI")


async def test_independent_tool_calls_run_concurrently() -> None:
    # Each call waits for the other to start: run one after the other, they would deadlock.
    arrived: list[str] = []
    both_started = anyio.Event()

    async def meet(name: str) -> str:
        arrived.append(name)
        if len(arrived) == 2:
            both_started.set()
        await both_started.wait()
        return name

    server = MCPServer("meet")

    @server.tool()
    async def left() -> str:
        """Wait for right."""
        return await meet("left")

    @server.tool()
    async def right() -> str:
        """Wait for left."""
        return await meet("right")

    model = ScriptedModel([calls(ToolCall("l", "meet__left"), ToolCall("r", "meet__right")), answer("met")])
    async with Toolbox.open({"meet": Client(server)}) as box:
        agent = Agent("meeter", SYSTEM, model, tools=box.restricted_to(["meet__left", "meet__right"]))
        with anyio.fail_after(5):
            result = await run_agent(agent, "meet", log=InMemoryDecisionLog())

    assert result.completed and sorted(arrived) == ["left", "right"]
    # Results come back in the order the model asked, whatever order they finished in.
    assert [r.call_id for r in tool_results(model, 2)] == ["l", "r"]


async def test_max_turns_stops_before_running_tools_nobody_would_read() -> None:
    tools = FunctionTools(ping=_pong)
    model = ScriptedModel([calls(ToolCall(f"c{i}", "ping")) for i in range(3)])
    agent = Agent("pinger", SYSTEM, model, tools=tools, limits=Limits(max_turns=2))
    result = await run_agent(agent, "ping forever", log=InMemoryDecisionLog())

    assert result.termination is TerminationReason.MAX_TURNS and not result.completed
    assert tools.started == ["ping"]
    assert result.usage.requests == 2
    assert model.remaining == 1


async def test_token_limit_terminates_with_usage_limit() -> None:
    tools = FunctionTools(ping=_pong)
    model = ScriptedModel(
        [calls(ToolCall("c1", "ping"), tokens=60), calls(ToolCall("c2", "ping"), tokens=60)]
    )
    agent = Agent("pinger", SYSTEM, model, tools=tools, limits=Limits(max_total_tokens=100))
    result = await run_agent(agent, "ping", log=InMemoryDecisionLog())

    assert result.termination is TerminationReason.USAGE_LIMIT
    assert result.usage.total_tokens == 120
    assert tools.started == ["ping"]
    model.assert_consumed()


async def test_wall_clock_limit_terminates_with_timeout() -> None:
    async def slow() -> str:
        await anyio.sleep(30)
        return "too late"

    model = ScriptedModel([calls(ToolCall("c1", "slow"))])
    agent = Agent("waiter", SYSTEM, model, tools=FunctionTools(slow=slow), limits=Limits(max_seconds=0.05))
    log = InMemoryDecisionLog()
    with anyio.fail_after(5):
        result = await run_agent(agent, "wait", log=log)

    assert result.termination is TerminationReason.TIMEOUT
    assert log.entries[-1].kind is StepKind.RUN_END and log.entries[-1].payload["termination"] == "timeout"


async def test_a_termination_raised_by_a_tool_halts_the_run_and_cancels_sibling_calls() -> None:
    finished: list[str] = []

    async def trip() -> str:
        raise UsageLimitExceeded("the tool's own budget ran out")

    async def slow() -> str:
        await anyio.sleep(30)
        finished.append("slow")
        return "done"

    model = ScriptedModel([calls(ToolCall("c1", "slow"), ToolCall("c2", "trip"))])
    agent = Agent("proposer", SYSTEM, model, tools=FunctionTools(slow=slow, trip=trip))
    with anyio.fail_after(5):
        result = await run_agent(agent, "propose", log=InMemoryDecisionLog())

    assert result.termination is TerminationReason.USAGE_LIMIT
    assert finished == []


async def _pong() -> str:
    return "pong"
