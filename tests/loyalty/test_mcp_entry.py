"""Serving one MCP server from settings."""

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest
from mcp import Client

from loyalty.mcp_entry import open_server_deps, serve
from loyalty.settings import Settings
from mcp_servers.registry import SERVERS
from tests.mcp_servers.harness import refused
from tests.mcp_servers.seeded_world import SeededWorld
from tools.errors import InvalidInput


async def test_an_unknown_server_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown server 'billing'"):
        await serve("billing", Settings())


# --- starting as Claude Desktop starts it ------------------------------------------------------


async def _start(server: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"mcp_servers.{server}",
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert out == b"", out  # stdout is the protocol wire
    return process.returncode or 0, err.decode()


async def test_a_startup_failure_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    cases = {
        "missing directory": (tmp_path / "nowhere" / "shop.db", "directory"),
        "missing file": (tmp_path / "shop.db", "no database at"),
        "uninitialised": (empty, "loyalty db init"),
    }
    env = {"PATH": os.environ.get("PATH", ""), "LOYALTY_LOG_LEVEL": "warning"}
    runs = [
        _start(server, env | {"LOYALTY_DB_URL": f"sqlite+aiosqlite:///{path}"}, tmp_path)
        for (path, _), server in zip(
            cases.values(), ("customer_data", "rules", "offers_inventory"), strict=True
        )
    ]
    runs.append(_start("channels", env | {"LOYALTY_DB_URL": "not a url"}, tmp_path))
    results = await asyncio.gather(*runs)
    expected = [hint for _, hint in cases.values()] + ["malformed database URL"]
    for (code, err), hint in zip(results, expected, strict=True):
        assert code == 2 and len(err.strip().splitlines()) == 1 and hint in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"] and empty.stat().st_size == 0


async def test_rules_and_channels_start_without_the_model_and_agent_libraries(tmp_path: Path) -> None:
    """What a rules or channels process imports to serve: neither scikit-learn (profile models)
    nor the Anthropic SDK (agents): seconds of start-up for nothing."""
    probe = (
        "import sys, loyalty.mcp_entry, mcp_servers.rules.server, mcp_servers.channels.server; "
        "print(sorted(m for m in ('anthropic', 'sklearn', 'scipy', 'pandas', 'agents') if m in sys.modules))"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", probe, cwd=Path.cwd(), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert out.decode().strip() == "[]"


async def test_a_tool_never_fits_models_it_says_what_to_run(world: SeededWorld) -> None:
    """Fitting takes minutes on a large base, past any client's timeout: a served tool answers
    from fitted models or names the command, and fits nothing itself."""
    shutil.rmtree(world.models_dir)
    async with open_server_deps("customer-data", world.settings(), clock=lambda: world.now) as deps:
        _, build = SERVERS["customer-data"]
        async with Client(build(deps, None)) as client:
            message = refused(
                await client.call_tool("get_member_profile", {"customer_id": world.samples.member})
            )
    assert "loyalty models fit" in message
    assert not world.models_dir.exists()


async def test_a_first_profile_is_answered_without_scikit_learn(world: SeededWorld, tmp_path: Path) -> None:
    """customer-data's first answer reads the fitted models: they load as plain arrays, so the
    answer does not wait for scikit-learn's import (seconds of CPU on a two-core machine shared
    by four servers starting at once)."""
    probe = (
        "import asyncio, sys\n"
        "from mcp import Client\n"
        "from loyalty.mcp_entry import open_server_deps\n"
        "from loyalty.settings import Settings\n"
        "from mcp_servers.registry import SERVERS\n"
        "async def main():\n"
        "    async with open_server_deps('customer-data', Settings()) as deps:\n"
        "        async with Client(SERVERS['customer-data'][1](deps, None)) as client:\n"
        f"            result = await client.call_tool('get_member_profile', {{'customer_id': {world.samples.member}}})\n"
        "    print(result.is_error, 'sklearn' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        probe,
        cwd=tmp_path,
        env=world.child_env() | {"PATH": os.environ.get("PATH", "")},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert out.decode().split() == ["False", "False"], err.decode()[-2000:]
