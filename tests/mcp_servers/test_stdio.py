"""Each server as Claude Desktop runs it: `python -m mcp_servers.<name>` in a subprocess with only the
environment it is given, speaking MCP over stdin/stdout. Nothing but protocol messages may reach
stdout: the client logs any other line as a message it failed to parse.

The four subprocesses run side by side (each spends most of its time importing), so the test costs
about as much as two of them."""

import json
import logging
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from tests.mcp_servers.harness import ok
from tests.mcp_servers.seeded_world import SeededWorld


async def exercise(server: str, world: SeededWorld, cwd: Path) -> dict[str, Any]:
    """List tools, call one, read a resource where the server has one; what each returned."""
    member = world.samples.member
    plan: dict[str, tuple[str, dict[str, Any], str | None]] = {
        "customer-data": ("get_member_profile", {"customer_id": member}, f"member://{member}"),
        "offers-inventory": ("list_offer_templates", {}, None),
        "rules": ("get_policy", {}, "policy://current"),
        "channels": ("contact_status", {"customer_id": member}, None),
    }
    tool, arguments, uri = plan[server]
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", f"mcp_servers.{server.replace('-', '_')}"],
        env=world.child_env(),
        cwd=cwd,
    )  # cwd: no loyalty.toml to pick up
    async with Client(params) as client:
        seen: dict[str, Any] = {
            "name": client.server_info.name,
            "tools": {t.name for t in (await client.list_tools()).tools},
            "result": ok(await client.call_tool(tool, arguments)),
        }
        if uri is not None:
            seen["resource"] = json.loads((await client.read_resource(uri)).contents[0].text)  # type: ignore[union-attr]
    return seen


async def test_every_server_over_stdio(
    shared_world: SeededWorld, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seen: dict[str, dict[str, Any]] = {}

    async def run(server: str) -> None:
        seen[server] = await exercise(server, shared_world, tmp_path)

    with caplog.at_level(logging.WARNING, logger="mcp.client"):
        async with anyio.create_task_group() as tg:
            for server in ("customer-data", "offers-inventory", "rules", "channels"):
                tg.start_soon(run, server)
    not_protocol = [r.getMessage() for r in caplog.records if r.name.startswith("mcp.client")]
    assert not not_protocol, not_protocol

    member = shared_world.samples.member
    assert all(seen[name]["name"] == name for name in seen)
    profile = seen["customer-data"]
    assert "get_member_profile" in profile["tools"] and len(profile["tools"]) == 7
    assert profile["result"]["customer_id"] == member and "***@" in profile["result"]["contact"]["email"]
    assert profile["resource"]["customer_id"] == member
    assert (
        seen["offers-inventory"]["result"]["templates"]
        and "score_candidate_actions" in seen["offers-inventory"]["tools"]
    )
    rules = seen["rules"]
    assert rules["result"]["rules"] and rules["resource"]["version"] == rules["result"]["version"]
    channels = seen["channels"]
    assert channels["result"]["customer_id"] == member and "send_approved_proposal" in channels["tools"]
