"""The database goes away under running servers: every call that needs it is a clear tool error, the
servers keep serving, and once the file is back the next calls succeed."""

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server.mcpserver.exceptions import ToolError
from sqlalchemy.exc import OperationalError

from mcp_servers.shared.error_mapping import tool_errors
from tests.mcp_servers.harness import ok, proposal_args, refused, servers_for
from tests.mcp_servers.seeded_world import SeededWorld, row_counts

UNAVAILABLE = "database unavailable; retry shortly (nothing was written)"


def calls(member: int) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Calls that need the database, on every server (the first of each is retried after the outage)."""
    p = proposal_args(member)
    return {
        "customer-data": [
            ("get_member_profile", {"customer_id": member}),
            ("purchase_history", {"customer_id": member}),
            ("recent_events", {"customer_id": member}),
        ],
        "offers-inventory": [
            ("list_offer_templates", {}),
            ("budget_status", {}),
            ("score_candidate_actions", {"customer_id": member, "use_case": "upsell"}),
        ],
        "rules": [
            ("check_proposal", {"proposal": p}),
            ("record_guard_verdict", {"proposal": p, "verdict": "reject", "reasons": ["no"]}),
        ],
        "channels": [
            ("contact_status", {"customer_id": member}),
            ("outbox_status", {}),
            ("send_approved_proposal", {"proposal": p, "approval_id": "abcdefghijkl"}),
            ("record_outcome", {"contact_id": 1, "outcome": "click"}),
        ],
    }


async def test_outage_is_a_clear_error_and_the_servers_recover(world: SeededWorld, tmp_path: Path) -> None:
    member = world.samples.member
    aside = tmp_path / "aside.db"
    async with world.open() as product:
        servers = servers_for(product.deps)
        async with (
            Client(servers["customer-data"]) as customer_data,
            Client(servers["offers-inventory"]) as offers,
            Client(servers["rules"]) as rules,
            Client(servers["channels"]) as channels,
        ):
            clients = {
                "customer-data": customer_data,
                "offers-inventory": offers,
                "rules": rules,
                "channels": channels,
            }
            for name, client in clients.items():
                tool, arguments = calls(member)[name][0]
                ok(await client.call_tool(tool, arguments))
            before = await row_counts(product.db)

            # The file goes away, and the connections that had it open with it. Where it was there is
            # now something SQLite cannot open, so it cannot quietly start a new, empty database.
            await product.db.dispose()
            shutil.move(world.db_path, aside)
            world.db_path.mkdir()
            # A member whose profile no one has asked for yet (profiles already computed for this
            # moment are served from memory, which is right: they need no database).
            other = 1 if member != 1 else 2
            for name, client in clients.items():
                for tool, arguments in calls(other)[name]:
                    message = refused(await client.call_tool(tool, arguments))
                    assert UNAVAILABLE in message, (name, tool, message)
            assert ok(await rules.call_tool("get_policy", {}))["rules"]  # what needs no database still works

            world.db_path.rmdir()
            shutil.move(aside, world.db_path)
            for name, client in clients.items():
                tool, arguments = calls(other)[name][0]
                ok(await client.call_tool(tool, arguments))
        assert await row_counts(product.db) == before


async def test_a_locked_database_is_busy_not_gone() -> None:
    """SQLite's write lock held past busy_timeout (a bulk write such as seeding) says "busy": the
    same retry, but the client learns the database is there."""
    locked = OperationalError("INSERT INTO contacts", {}, sqlite3.OperationalError("database is locked"))

    @tool_errors
    async def write() -> None:
        raise locked

    with pytest.raises(ToolError, match=r"^database busy; retry shortly \(nothing was written\)$"):
        await write()
