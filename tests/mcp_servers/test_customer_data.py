"""The customer-data server through an in-memory MCP client, on the seeded world: profiles with
masked contact details, member search with filters and pages, history, events, segments, freshness,
and the resources and prompt a person sees in Claude Desktop."""

import json
import re
from collections.abc import AsyncIterator

import pytest
from mcp import Client, MCPError
from sqlalchemy import select

from tests.mcp_servers.harness import ok, refused, servers_for
from tests.mcp_servers.seeded_world import SeededWorld
from tools.storage.customers import Customer

MASKED_EMAIL = re.compile(r"^[^*@]\*\*\*@[^@*]+\.[a-z]+$")


@pytest.fixture
async def client(shared_world: SeededWorld) -> AsyncIterator[Client]:
    async with shared_world.open() as product, Client(servers_for(product.deps)["customer-data"]) as client:
        yield client


async def test_profile_masks_contact_details(client: Client, shared_world: SeededWorld) -> None:
    member = shared_world.samples.member
    profile = ok(await client.call_tool("get_member_profile", {"customer_id": member}))
    async with shared_world.open() as product, product.db.session() as s:
        raw = (
            await s.execute(
                select(Customer.email, Customer.phone, Customer.last_name).where(Customer.id == member)
            )
        ).one()
    contact = profile["contact"]
    assert MASKED_EMAIL.match(contact["email"]), contact["email"]
    assert contact["email"] == f"{raw.email[0]}***@{raw.email.split('@')[1]}"
    assert (
        "*" in contact["phone"] and contact["phone"] != raw.phone and contact["phone"][-2:] == raw.phone[-2:]
    )
    assert contact["last_name"] == f"{raw.last_name[0]}."
    assert raw.email not in json.dumps(profile) and raw.phone not in json.dumps(profile)
    # A profile, not just contact details: what the agents reason about is there.
    assert profile["customer_id"] == member and profile["as_of"].startswith("2026-10-31T09:00")
    assert profile["frequency"]["orders_365"] >= 1 and 0 <= profile["predictions"]["churn_risk"] <= 1
    assert profile["predictions"]["category_affinity"] and profile["freshness"]["stale"] is False


async def test_unknown_member_is_a_clear_tool_error(client: Client) -> None:
    message = refused(await client.call_tool("get_member_profile", {"customer_id": 987_654}))
    assert "no member with id 987654" in message


async def test_find_members_applies_every_filter(client: Client) -> None:
    everyone = ok(await client.call_tool("find_members", {"page_size": 100}))
    assert everyone["total"] > 100 and len(everyone["members"]) == 100
    assert all(not m["stale"] for m in everyone["members"])  # stale profiles are left out by default

    at_risk = ok(await client.call_tool("find_members", {"segments": ["at_risk"], "page_size": 100}))
    assert 0 < at_risk["total"] < everyone["total"]
    assert all("at_risk" in m["segments"] for m in at_risk["members"])

    risky_gold = ok(
        await client.call_tool(
            "find_members",
            {
                "tiers": ["silver", "gold"],
                "min_churn_risk": 0.3,
                "max_churn_risk": 0.9,
                "sort": "churn_risk",
                "descending": True,
                "page_size": 100,
            },
        )
    )
    rows = risky_gold["members"]
    assert rows and all(m["tier"] in ("silver", "gold") and 0.3 <= m["churn_risk"] <= 0.9 for m in rows)
    assert [m["churn_risk"] for m in rows] == sorted((m["churn_risk"] for m in rows), reverse=True)

    recent = ok(
        await client.call_tool("find_members", {"max_recency_days": 30, "consent": "email", "page_size": 100})
    )
    assert recent["members"] and all(
        m["recency_days"] is not None and m["recency_days"] <= 30 for m in recent["members"]
    )

    category = everyone["members"][0]["top_categories"][0]
    liking = ok(await client.call_tool("find_members", {"category": category, "page_size": 100}))
    assert liking["total"] >= 1

    by_channel = ok(await client.call_tool("find_members", {"preferred_channel": "email", "page_size": 100}))
    assert all(m["preferred_channel"] == "email" for m in by_channel["members"])


async def test_find_members_pages_through_everyone_once(client: Client) -> None:
    first = ok(await client.call_tool("find_members", {"page_size": 40}))
    pages = -(-first["total"] // 40)
    seen = [m["customer_id"] for m in first["members"]]
    for page in range(2, pages + 1):
        seen += [
            m["customer_id"]
            for m in ok(await client.call_tool("find_members", {"page_size": 40, "page": page}))["members"]
        ]
    assert len(seen) == len(set(seen)) == first["total"]
    beyond = ok(await client.call_tool("find_members", {"page_size": 40, "page": pages + 1}))
    assert beyond["members"] == [] and beyond["total"] == first["total"]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"page_size": 101}, "page_size: Input should be less than or equal to 100"),
        ({"page_size": 0}, "page_size: Input should be greater than or equal to 1"),
        ({"page_size": 10_000_000}, "less than or equal to 100"),
        ({"page": 0}, "page: Input should be greater than or equal to 1"),
        (
            {"min_churn_risk": 0.8, "max_churn_risk": 0.2},
            "min_churn_risk (0.8) is above max_churn_risk (0.2)",
        ),
        ({"max_churn_risk": 1.5}, "less than or equal to 1"),
        ({"sort": "email"}, "sort: Input should be 'customer_id', 'churn_risk'"),
        ({"tiers": ["diamond"]}, "Input should be 'bronze'"),
    ],
)
async def test_find_members_refuses_out_of_range_requests(
    client: Client, arguments: dict[str, object], expected: str
) -> None:
    assert expected in refused(await client.call_tool("find_members", arguments))


async def test_purchase_history_is_newest_first_with_lines(client: Client, shared_world: SeededWorld) -> None:
    orders = ok(
        await client.call_tool("purchase_history", {"customer_id": shared_world.samples.member, "limit": 5})
    )["orders"]
    assert 1 <= len(orders) <= 5
    placed = [o["placed_at"] for o in orders]
    assert placed == sorted(placed, reverse=True) and placed[0] <= "2026-10-31T09:00"
    assert all(
        o["lines"] and all(line["sku"] and line["quantity"] >= 1 for line in o["lines"]) for o in orders
    )


async def test_recent_events_filter_by_window_and_type(client: Client, shared_world: SeededWorld) -> None:
    member = shared_world.samples.member
    events = ok(await client.call_tool("recent_events", {"customer_id": member, "days": 14}))["events"]
    assert events and all("2026-10-17T09:00" <= e["occurred_at"] <= "2026-10-31T09:00" for e in events)
    kinds = {e["type"] for e in events}
    only = sorted(kinds)[0]
    narrowed = ok(
        await client.call_tool("recent_events", {"customer_id": member, "days": 14, "types": [only]})
    )["events"]
    assert narrowed and {e["type"] for e in narrowed} == {only}
    assert (
        len(
            ok(await client.call_tool("recent_events", {"customer_id": member, "days": 365, "limit": 3}))[
                "events"
            ]
        )
        == 3
    )


async def test_segments_listed_with_counts_and_summarised(client: Client) -> None:
    segments = ok(await client.call_tool("list_segments", {}))["segments"]
    by_id = {s["id"]: s for s in segments}
    assert {"at_risk", "dormant_recoverable", "new_member"} <= set(by_id)
    assert all(s["rule"] and s["description"] and s["members"] >= 0 for s in segments)
    summary = ok(await client.call_tool("segment_summary", {"segment_id": "at_risk"}))
    assert summary["members"] == by_id["at_risk"]["members"] > 0
    assert (
        0 < summary["share_of_members"] < 1
        and sum(summary["lifecycle_stages"].values()) == summary["members"]
    )
    message = refused(await client.call_tool("segment_summary", {"segment_id": "no_such_segment"}))
    assert "no_such_segment" in message


async def test_data_freshness_reports_each_source(client: Client, shared_world: SeededWorld) -> None:
    freshness = ok(await client.call_tool("data_freshness", {"customer_id": shared_world.samples.member}))
    assert freshness["stale"] is False and 0 <= freshness["data_age_hours"] < freshness["stale_after_hours"]
    assert {"orders", "events", "contacts", "consents"} <= set(freshness["newest"])


async def test_resources_and_prompt(client: Client, shared_world: SeededWorld) -> None:
    templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
    assert templates == {"member://{customer_id}", "segment://{segment_id}"}
    member = shared_world.samples.member
    profile = json.loads((await client.read_resource(f"member://{member}")).contents[0].text)
    assert profile["customer_id"] == member and MASKED_EMAIL.match(profile["contact"]["email"])
    segment = json.loads((await client.read_resource("segment://at_risk")).contents[0].text)
    assert segment["id"] == "at_risk" and segment["members"] > 0
    with pytest.raises(MCPError):
        await client.read_resource("member://987654")

    prompts = {p.name for p in (await client.list_prompts()).prompts}
    assert prompts == {"plan_win_back_campaign"}
    prompt = await client.get_prompt("plan_win_back_campaign", {"segment_id": "at_risk", "budget": "2000"})
    text = prompt.messages[0].content.text  # type: ignore[union-attr]
    assert "'at_risk'" in text and "2000" in text and "score_candidate_actions" in text
