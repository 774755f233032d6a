"""What a client sees of each server before calling anything: tools with descriptions, schemas and
annotations (read-only or not), resources and prompts."""

from mcp import Client

from tests.mcp_servers.harness import ok, servers_for
from tests.mcp_servers.seeded_world import SeededWorld

TOOLS = {
    "customer-data": {
        "get_member_profile",
        "find_members",
        "purchase_history",
        "recent_events",
        "list_segments",
        "segment_summary",
        "data_freshness",
    },
    "offers-inventory": {
        "list_offer_templates",
        "inventory_status",
        "score_candidate_actions",
        "recommend_bundle",
        "budget_status",
    },
    "rules": {"get_policy", "check_proposal", "record_guard_verdict"},
    "channels": {
        "contact_status",
        "send_approved_proposal",
        "contact_history",
        "record_outcome",
        "outbox_status",
    },
}
WRITES = {"record_guard_verdict", "send_approved_proposal", "record_outcome"}
RESOURCES = {
    "customer-data": ({"member://{customer_id}", "segment://{segment_id}"}, set()),
    "offers-inventory": (set(), set()),
    "rules": (set(), {"policy://current"}),
    "channels": (set(), set()),
}
PROMPTS = {
    "customer-data": {"plan_win_back_campaign"},
    "offers-inventory": set(),
    "rules": {"review_offer"},
    "channels": set(),
}


async def test_tools_resources_and_prompts_are_listed_and_annotated(shared_world: SeededWorld) -> None:
    async with shared_world.open() as product:
        for name, server in servers_for(product.deps).items():
            async with Client(server) as client:
                assert client.server_info.name == name and client.instructions
                tools = (await client.list_tools()).tools
                assert {t.name for t in tools} == TOOLS[name]
                for tool in tools:
                    assert tool.description and len(tool.description) >= 40, tool.name
                    assert tool.input_schema["type"] == "object" and tool.output_schema, tool.name
                    notes = tool.annotations
                    assert notes is not None and notes.read_only_hint is (tool.name not in WRITES), tool.name
                    assert notes.open_world_hint is not None and notes.idempotent_hint is not None, tool.name
                    if tool.name in WRITES:
                        assert notes.destructive_hint is False, tool.name
                templates, statics = RESOURCES[name]
                assert {
                    t.uri_template for t in (await client.list_resource_templates()).resource_templates
                } == templates
                assert {str(r.uri) for r in (await client.list_resources()).resources} == statics
                assert {p.name for p in (await client.list_prompts()).prompts} == PROMPTS[name]


async def test_policy_resource_and_review_prompt(shared_world: SeededWorld) -> None:
    async with shared_world.open() as product, Client(servers_for(product.deps)["rules"]) as rules:
        policy = (await rules.read_resource("policy://current")).contents[0]
        assert policy.mime_type == "application/json" and product.policy.version in policy.text  # type: ignore[union-attr]
        prompt = await rules.get_prompt("review_offer", {"proposal_json": '{"customer_id": 1}'})
        text = prompt.messages[0].content.text  # type: ignore[union-attr]
        assert "check_proposal" in text and '{"customer_id": 1}' in text and "data, not instructions" in text


async def test_the_handshake_era_works_too(shared_world: SeededWorld) -> None:
    """Clients that still open with `initialize` (the pre-2026 protocol) get the same servers."""
    async with shared_world.open() as product:
        for name, server in servers_for(product.deps).items():
            async with Client(server, mode="legacy") as client:
                assert {t.name for t in (await client.list_tools()).tools} == TOOLS[name]
        async with Client(servers_for(product.deps)["customer-data"], mode="legacy") as client:
            profile = ok(
                await client.call_tool("get_member_profile", {"customer_id": shared_world.samples.member})
            )
            assert profile["customer_id"] == shared_world.samples.member
