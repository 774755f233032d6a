"""Bad input on every server: invalid arguments, unknown members and SKUs, out-of-range pages,
malformed proposals, SQL-looking and huge strings. Each is a tool error with a clear message (never
a traceback, never an echo of a megabyte), the server answers the next good call, and no row is
written."""

from typing import Any

import pytest
from mcp import Client, MCPError
from sqlalchemy import select

from tests.mcp_servers.harness import ok, proposal_args, refused, servers_for
from tests.mcp_servers.seeded_world import SeededWorld, row_counts
from tools.storage.models import GuardVerdict

DROP = "1; DROP TABLE customers"
OR_TRUE = "' OR 1=1 --"
HUGE = "x" * 1_000_000
Case = tuple[str, dict[str, Any], str]  # tool, arguments, what the message must say


def cases(server: str, member: int, sku: str) -> list[Case]:
    p = proposal_args(member)
    return {
        "customer-data": [
            ("get_member_profile", {"customer_id": DROP}, "no member with id or external id"),
            ("get_member_profile", {"customer_id": 0}, "greater than or equal to 1"),
            ("get_member_profile", {}, "Field required"),
            ("get_member_profile", {"customer_id": 10**9}, "no member with id 1000000000"),
            ("find_members", {"segments": [OR_TRUE]}, "unknown segment"),
            ("find_members", {"category": DROP}, "unknown category"),
            ("find_members", {"category": HUGE}, "at most 80 characters"),
            ("find_members", {"page_size": 101}, "less than or equal to 100"),
            ("find_members", {"page": -1}, "greater than or equal to 1"),
            ("find_members", {"min_recency_days": 90, "max_recency_days": 30}, "min_recency_days"),
            ("purchase_history", {"customer_id": member, "limit": 101}, "less than or equal to 100"),
            ("purchase_history", {"customer_id": 10**9}, "no member"),
            ("recent_events", {"customer_id": member, "types": [DROP]}, "Input should be 'view'"),
            ("recent_events", {"customer_id": member, "days": 1000}, "less than or equal to 365"),
            ("segment_summary", {"segment_id": OR_TRUE}, "no segment"),
            ("segment_summary", {"segment_id": HUGE}, "at most 60 characters"),
            ("data_freshness", {"customer_id": -3}, "greater than or equal to 1"),
            ("no_such_tool", {}, "Unknown tool"),
        ],
        "offers-inventory": [
            ("inventory_status", {"sku": DROP}, "should match pattern"),
            ("inventory_status", {"sku": OR_TRUE}, "should match pattern"),
            ("inventory_status", {"sku": "NOPE-404"}, "no products for sku='NOPE-404'"),
            ("inventory_status", {"category": OR_TRUE}, "no products"),
            ("inventory_status", {"sku": HUGE}, "at most 64 characters"),
            ("inventory_status", {"category": "Socks", "limit": 1000}, "less than or equal to 100"),
            ("score_candidate_actions", {"customer_id": 10**9, "use_case": "upsell"}, "no member"),
            (
                "score_candidate_actions",
                {"customer_id": member, "use_case": DROP},
                "Input should be 'reactivation'",
            ),
            (
                "score_candidate_actions",
                {"customer_id": member, "use_case": "cart_abandonment", "cart_skus": ["NOPE-404"]},
                "no product with sku 'NOPE-404'",
            ),
            (
                "score_candidate_actions",
                {"customer_id": member, "use_case": "reactivation", "anchor_category": OR_TRUE},
                "no category",
            ),
            (
                "score_candidate_actions",
                {"customer_id": member, "use_case": "reactivation", "cart_skus": [sku] * 21},
                "at most 20 items",
            ),
            (
                "score_candidate_actions",
                {"customer_id": member, "use_case": "reactivation", "top": 0},
                "greater than or equal to 1",
            ),
            ("recommend_bundle", {"customer_id": member, "anchor_category": OR_TRUE}, "no category"),
            ("recommend_bundle", {"customer_id": member, "anchor_category": HUGE}, "at most 80 characters"),
            ("budget_status", {"use_case": "free money"}, "Input should be 'reactivation'"),
        ],
        "rules": [
            ("check_proposal", {"proposal": {"customer_id": member}}, "Field required"),
            ("check_proposal", {"proposal": DROP}, "valid dictionary"),
            ("check_proposal", {"proposal": p | {"rationale": HUGE}}, "at most 2000 characters"),
            ("check_proposal", {"proposal": p | {"customer_id": 10**8}}, "no member with id 100000000"),
            ("check_proposal", {"proposal": p | {"approved": True}}, "Extra inputs are not permitted"),
            (
                "check_proposal",
                {"proposal": p | {"offer": p["offer"] | {"discount_pct": "15"}}},
                "valid number",
            ),
            ("check_proposal", {"proposal": p | {"send_at": "2026-11-01T10:00:00"}}, "send_at"),
            (
                "check_proposal",
                {"proposal": p | {"offer": {"type": "bundle", "skus": [sku]}}},
                "at least two skus",
            ),
            ("record_guard_verdict", {"proposal": p, "verdict": "maybe", "reasons": []}, "'approve'"),
            (
                "record_guard_verdict",
                {
                    "proposal": p | {"offer": {"type": "percent_off"}},
                    "verdict": "approve",
                    "reasons": ["fine"],
                },
                "needs discount_pct",
            ),
            (
                "record_guard_verdict",
                {"proposal": p, "verdict": "reject", "reasons": ["no"] * 21},
                "at most 20 items",
            ),
            ("record_guard_verdict", {"proposal": p, "verdict": "reject", "reasons": [HUGE]}, "at most 2200"),
            (
                "record_guard_verdict",
                {"proposal": p | {"customer_id": 10**8}, "verdict": "reject", "reasons": ["no"]},
                "no member",
            ),
            (
                "record_guard_verdict",
                {"proposal": p, "verdict": "reject", "reasons": ["no"], "guard_model": HUGE},
                "at most 60 characters",
            ),
        ],
        "channels": [
            ("contact_status", {"customer_id": OR_TRUE}, "no member with id or external id"),
            ("contact_status", {"customer_id": 10**9}, "no member with id 1000000000"),
            ("contact_history", {"customer_id": member, "limit": 0}, "greater than or equal to 1"),
            ("contact_history", {"customer_id": 10**9}, "no member"),
            ("send_approved_proposal", {"proposal": p, "approval_id": OR_TRUE}, "no_approval"),
            ("send_approved_proposal", {"proposal": p, "approval_id": HUGE}, "at most 64 characters"),
            (
                "send_approved_proposal",
                {"proposal": p | {"value": p["value"] | {"propensity": 2.0}}, "approval_id": "abcdefghij"},
                "less than or equal to 1",
            ),
            (
                "send_approved_proposal",
                {"proposal": {"customer_id": member}, "approval_id": "abcdefghij"},
                "Field required",
            ),
            ("record_outcome", {"contact_id": 1, "outcome": "purchase??"}, "Input should be 'open'"),
            ("record_outcome", {"contact_id": 1, "outcome": "open", "occurred_at": "yesterday"}, "datetime"),
            (
                "record_outcome",
                {"contact_id": 1, "outcome": "order", "revenue": -5},
                "greater than or equal to 0",
            ),
            ("record_outcome", {"contact_id": 99_999_999, "outcome": "click"}, "contact"),
        ],
    }[server]


def good_call(server: str, member: int, sku: str) -> tuple[str, dict[str, Any]]:
    return {
        "customer-data": ("get_member_profile", {"customer_id": member}),
        "offers-inventory": ("inventory_status", {"sku": sku}),
        "rules": ("check_proposal", {"proposal": proposal_args(member)}),
        "channels": ("contact_status", {"customer_id": member}),
    }[server]


@pytest.mark.parametrize("server", ["customer-data", "offers-inventory", "rules", "channels"])
async def test_bad_input_is_refused_clearly_and_writes_nothing(world: SeededWorld, server: str) -> None:
    member, sku = world.samples.member, world.samples.sku
    good_tool, good_arguments = good_call(server, member, sku)
    async with world.open() as product:
        before = await row_counts(product.db)
        async with Client(servers_for(product.deps)[server]) as client:
            for tool, arguments, expected in cases(server, member, sku):
                message = refused(await client.call_tool(tool, arguments))
                assert expected in message, (tool, arguments if len(str(arguments)) < 300 else "...", message)
                assert len(message) < 3_000 and "x" * 100 not in message, (tool, len(message))
                ok(await client.call_tool(good_tool, good_arguments))  # still serving
        assert await row_counts(product.db) == before


async def test_unknown_resource_is_a_protocol_error_and_the_server_keeps_serving(
    shared_world: SeededWorld,
) -> None:
    async with shared_world.open() as product, Client(servers_for(product.deps)["customer-data"]) as client:
        for uri in (f"member://{OR_TRUE}", "member://987654", f"segment://{DROP}"):
            with pytest.raises(MCPError):
                await client.read_resource(uri)
        assert (await client.read_resource(f"member://{shared_world.samples.member}")).contents


async def test_sql_looking_text_in_free_text_fields_is_stored_as_data(world: SeededWorld) -> None:
    """Message copy and reasons are free text: SQL in them is words, kept exactly, harming nothing."""
    member = world.samples.member
    p = proposal_args(member)
    p["message"]["body"] = f"{DROP}; {OR_TRUE}"
    async with world.open() as product:
        before = await row_counts(product.db)
        async with Client(servers_for(product.deps)["rules"]) as rules:
            assert "passed" in ok(await rules.call_tool("check_proposal", {"proposal": p}))
            receipt = ok(
                await rules.call_tool(
                    "record_guard_verdict", {"proposal": p, "verdict": "reject", "reasons": [DROP, OR_TRUE]}
                )
            )
        after = await row_counts(product.db)
        assert after["customers"] == before["customers"] > 0
        assert sum(after.values()) > sum(before.values())  # the verdict was recorded
        async with product.db.session() as s:
            reasons = await s.scalar(
                select(GuardVerdict.reasons).where(GuardVerdict.proposal_id == receipt["proposal_id"])
            )
        assert {"reason": DROP} in reasons and {"reason": OR_TRUE} in reasons
