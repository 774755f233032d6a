from __future__ import annotations

import pytest
from mcp import Client

from agents.context import RunContext
from agents.decision_log import InMemoryDecisionLog
from agents.errors import ConfigurationError
from agents.limits import Limits, RunBudget
from agents.messages import ToolCall, ToolResult
from agents.toolbox import Toolbox
from tests.agents.calc_server import calc_server


def context() -> RunContext:
    return RunContext(
        trace_id="t", agent="tester", log=InMemoryDecisionLog(), budget=RunBudget.start(Limits())
    )


async def test_tools_are_prefixed_by_server_and_converted_to_definitions() -> None:
    executed: list[str] = []
    async with Toolbox.open(
        {"calc": Client(calc_server(executed)), "more": Client(calc_server(executed))}
    ) as box:
        tools = ("add", "lookup", "shout", "broken")
        assert box.names == {f"{server}__{tool}" for server in ("calc", "more") for tool in tools}
        (lookup,) = box.restricted_to(["calc__lookup"]).definitions
    assert lookup.name == "calc__lookup"
    assert lookup.description == "Classify an item."
    assert lookup.input_schema["properties"]["key"]["description"] == "Item to classify"
    assert lookup.input_schema["required"] == ["key"]


async def test_plain_names_that_collide_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="both expose 'add'"):
        async with Toolbox.open(
            {"a": Client(calc_server([])), "b": Client(calc_server([]))}, prefix_names=False
        ):
            pass


async def test_allow_list_naming_a_missing_tool_is_a_configuration_error() -> None:
    async with Toolbox.open({"calc": Client(calc_server([]))}) as box:
        with pytest.raises(ConfigurationError, match="calc__delete_everything"):
            box.restricted_to(["calc__add", "calc__delete_everything"])


async def test_a_tool_off_the_allow_list_is_refused_without_reaching_the_server() -> None:
    executed: list[str] = []
    async with Toolbox.open({"calc": Client(calc_server(executed))}) as box:
        tools = box.restricted_to(["calc__add"])
        assert [d.name for d in tools.definitions] == ["calc__add"]
        result = await tools.call(ToolCall("c1", "calc__lookup", {"key": "apple"}), context())
    assert result == ToolResult("c1", "calc__lookup", "unknown tool 'calc__lookup'", is_error=True)
    assert executed == []


async def test_results_carry_structured_json_text_or_errors() -> None:
    executed: list[str] = []
    async with Toolbox.open({"calc": Client(calc_server(executed))}) as box:
        tools = box.restricted_to(["calc__add", "calc__lookup", "calc__shout", "calc__broken"])
        added = await tools.call(ToolCall("1", "calc__add", {"a": 2, "b": 3}), context())
        found = await tools.call(ToolCall("2", "calc__lookup", {"key": "kale"}), context())
        missing = await tools.call(ToolCall("3", "calc__lookup", {"key": "rock"}), context())
        shouted = await tools.call(ToolCall("4", "calc__shout", {"words": "hi there"}), context())
        broken = await tools.call(ToolCall("5", "calc__broken", {}), context())
    assert added == ToolResult("1", "calc__add", {"result": 5})
    assert found == ToolResult("2", "calc__lookup", {"key": "kale", "kind": "vegetable"})
    assert missing.is_error and "no item 'rock'" in str(missing.content)
    assert shouted == ToolResult("4", "calc__shout", "HI THERE")
    assert broken.is_error and "database unavailable" in str(broken.content)
    assert executed == ["add", "lookup", "lookup", "shout", "broken"]
