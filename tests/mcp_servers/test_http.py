"""Streamable HTTP with a bearer token, served in-process (ASGI, no socket): without the token or
with a wrong one a request gets 401; with it a client session lists and calls tools. And the CLI
refuses to serve HTTP at all when no token is configured."""

import json
import logging

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from typer.testing import CliRunner

from loyalty.cli import mcp as mcp_cli
from loyalty.logs import stdlib_handler
from mcp_servers.registry import SERVERS
from mcp_servers.shared.factory import HttpAuth
from tests.mcp_servers.harness import ok
from tests.mcp_servers.seeded_world import SeededWorld

TOKEN = "test-token-0123456789abcdef"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"  # DNS-rebinding protection wants the port in the Host header
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"},
    },
}
STREAM_HEADERS = {"Accept": "application/json, text/event-stream"}


@pytest.mark.parametrize("server_name", ["customer-data", "channels"])
async def test_bearer_token_is_required(shared_world: SeededWorld, server_name: str) -> None:
    _, build = SERVERS[server_name]
    async with shared_world.open() as product:
        server = build(product.deps, HttpAuth(host="127.0.0.1", port=PORT, token=TOKEN))
        app = server.streamable_http_app()
        transport = httpx2.ASGITransport(app=app)
        async with server.session_manager.run():
            async with httpx2.AsyncClient(transport=transport, base_url=BASE) as anonymous:
                refused = await anonymous.post("/mcp", json=INITIALIZE, headers=STREAM_HEADERS)
                assert refused.status_code == 401
                challenge = refused.headers["www-authenticate"]
                # No OAuth authorization server exists: nothing may point a client at one.
                assert challenge.startswith("Bearer") and "resource_metadata" not in challenge
                for metadata in (
                    "/.well-known/oauth-protected-resource/mcp",
                    "/.well-known/oauth-authorization-server",
                ):
                    assert (await anonymous.get(metadata)).status_code != 200
                wrong = await anonymous.post(
                    "/mcp",
                    json=INITIALIZE,
                    headers=STREAM_HEADERS | {"Authorization": "Bearer not-the-token-at-all"},
                )
                assert wrong.status_code == 401

            authorised = httpx2.AsyncClient(transport=transport, headers={"Authorization": f"Bearer {TOKEN}"})
            async with (
                authorised,
                Client(streamable_http_client(f"{BASE}/mcp", http_client=authorised)) as client,
            ):
                tools = {t.name for t in (await client.list_tools()).tools}
                member = shared_world.samples.member
                if server_name == "customer-data":
                    assert "get_member_profile" in tools
                    profile = ok(await client.call_tool("get_member_profile", {"customer_id": member}))
                    assert profile["customer_id"] == member and "***@" in profile["contact"]["email"]
                else:
                    assert "send_approved_proposal" in tools
                    assert (
                        ok(await client.call_tool("contact_status", {"customer_id": member}))["customer_id"]
                        == member
                    )


async def test_a_short_token_is_refused(shared_world: SeededWorld) -> None:
    _, build = SERVERS["rules"]
    async with shared_world.open() as product:
        with pytest.raises(ValueError, match="at least 16 characters"):
            build(product.deps, HttpAuth(host="127.0.0.1", port=PORT, token="short"))


def test_serving_http_without_a_token_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOYALTY_MCP_HTTP_TOKEN", raising=False)
    result = CliRunner().invoke(mcp_cli.app, ["serve", "rules", "--http", "--port", "8799"])
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "LOYALTY_MCP_HTTP_TOKEN" in lines[0], (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_request_logs_are_json_lines() -> None:
    """uvicorn's access log goes through the root logger's handler: one JSON object per request."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/mcp", "1.1", 401),
        None,
    )
    line = stdlib_handler(console=False).format(record)
    logged = json.loads(line)
    assert (
        logged["logger"] == "uvicorn.access" and logged["level"] == "info" and "POST /mcp" in logged["event"]
    )
    assert logged["timestamp"].endswith("Z")
