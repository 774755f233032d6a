"""Shared set-up for server tests: a member in a fresh database, deps with a fixed clock, and
helpers to call tools through a client and read what came back."""

import json
from datetime import datetime
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent

from mcp_servers.registry import SERVERS
from mcp_servers.shared.deps import ServerDeps
from policies.loader import load_policy
from policies.proposal import OfferProposal
from tests.tools.proposals import NOW, proposal
from tools.rule_facts import ProfileFacts
from tools.storage.db import Database

POLICY = load_policy()
# The guard's credential in server tests: a client presenting it plays the guard process.
GUARD_CREDENTIAL = "test-guard-credential-0123456789"


async def fresh_profile(proposal: OfferProposal, now: datetime) -> ProfileFacts:
    return ProfileFacts(
        segments=frozenset({"retention"}),
        stale=False,
        data_age_hours=2.0,
        basket_value=150.0,
        basket_margin=65.0,
    )


def deps_for(db: Database, now: datetime = NOW) -> ServerDeps:
    return ServerDeps(
        db=db,
        policy=POLICY,
        profile_facts=fresh_profile,
        clock=lambda: now,
        guard_credential=GUARD_CREDENTIAL,
    )


# --- calling tools through a client -------------------------------------------------------------


def servers_for(deps: ServerDeps) -> dict[str, MCPServer]:
    """Every server by its public name, for in-memory clients."""
    return {name: builder(deps, None) for name, (_, builder) in SERVERS.items()}


def ok(result: CallToolResult) -> dict[str, Any]:
    """The structured result of a call that must succeed."""
    assert not result.is_error, [c.text for c in result.content if isinstance(c, TextContent)]
    assert result.structured_content is not None
    return result.structured_content


def refused(result: CallToolResult) -> str:
    """The message of a call that must fail as a tool error (never a traceback)."""
    assert result.is_error, result.structured_content
    text = " ".join(c.text for c in result.content if isinstance(c, TextContent))
    assert text and "Traceback" not in text and 'File "' not in text, text
    return text


def proposal_args(customer_id: int) -> dict[str, Any]:
    """A well-formed proposal for a member, as a client sends it."""
    return json.loads(proposal(customer_id=customer_id).model_dump_json())
