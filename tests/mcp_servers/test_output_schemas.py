"""Every tool's structured result against its own output schema, formats included, as the
TypeScript SDK and MCP Inspector check it: a naive timestamp under `format: date-time` makes those
clients reject the whole result, though the Python SDK (which ignores formats) accepts it."""

from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from mcp import Client

from tests.mcp_servers.harness import ok, servers_for
from tests.mcp_servers.seeded_world import SeededWorld
from tests.mcp_servers.test_proposal_flow import proposal_for
from tests.mcp_servers.test_server_surface import TOOLS

FORMATS = FormatChecker()


def test_the_date_time_format_is_really_checked() -> None:
    """Without rfc3339-validator installed, jsonschema skips `date-time` silently and the test
    below would prove nothing."""
    assert "date-time" in FORMATS.checkers
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
    checker = Draft202012Validator(schema, format_checker=FORMATS)
    checker.validate({"at": "2026-06-01T00:00:00+00:00"})
    with pytest.raises(ValidationError):
        checker.validate({"at": "2026-06-01T00:00:00"})


async def test_every_tool_result_matches_its_output_schema_with_formats(world: SeededWorld) -> None:
    member, samples = world.samples.member, world.samples
    results: dict[str, dict[str, Any]] = {}
    schemas: dict[str, dict[str, Any]] = {}
    async with world.open() as product:
        servers = servers_for(product.deps)
        async with (
            Client(servers["customer-data"]) as customer_data,
            Client(servers["offers-inventory"]) as offers,
            Client(servers["rules"]) as rules,
            Client(servers["channels"]) as channels,
        ):
            for client in (customer_data, offers, rules, channels):
                schemas |= {t.name: t.output_schema for t in (await client.list_tools()).tools}

            async def call(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
                results[tool] = ok(await client.call_tool(tool, arguments))
                return results[tool]

            await call(customer_data, "get_member_profile", {"customer_id": member})
            await call(
                customer_data, "find_members", {"sort": "churn_risk", "descending": True, "page_size": 5}
            )
            await call(customer_data, "purchase_history", {"customer_id": member, "limit": 3})
            await call(customer_data, "recent_events", {"customer_id": member, "days": 30, "limit": 5})
            segments = await call(customer_data, "list_segments", {})
            await call(customer_data, "segment_summary", {"segment_id": segments["segments"][0]["id"]})
            await call(customer_data, "data_freshness", {"customer_id": member})

            await call(offers, "list_offer_templates", {})
            await call(offers, "inventory_status", {"category": samples.clearance_category, "limit": 5})
            await call(offers, "score_candidate_actions", {"customer_id": member, "use_case": "reactivation"})
            await call(
                offers, "recommend_bundle", {"customer_id": member, "anchor_category": samples.category}
            )
            await call(offers, "budget_status", {})

            await call(rules, "get_policy", {})
            member, proposal = await proposal_for(customer_data, offers, rules, member)
            await call(rules, "check_proposal", {"proposal": proposal})
            receipt = await call(
                rules,
                "record_guard_verdict",
                {
                    "proposal": proposal,
                    "verdict": "approve",
                    "reasons": ["relevant, modest, within policy"],
                    "guard_credential": product.deps.guard_credential,
                },
            )

            await call(channels, "contact_status", {"customer_id": member})
            sent = await call(
                channels,
                "send_approved_proposal",
                {"proposal": proposal, "approval_id": receipt["approval_id"]},
            )
            await call(channels, "record_outcome", {"contact_id": sent["contact_id"], "outcome": "open"})
            await call(channels, "contact_history", {"customer_id": member, "limit": 5})
            await call(channels, "outbox_status", {})

    every_tool = set().union(*TOOLS.values())
    assert set(results) == every_tool == set(schemas) and len(every_tool) == 20  # all four servers
    for tool, result in results.items():
        schema = schemas[tool]
        assert schema is not None, tool
        problems = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in Draft202012Validator(schema, format_checker=FORMATS).iter_errors(result)
        ]
        assert not problems, (tool, problems[:5])
