"""The offers-inventory server through an in-memory MCP client, on the seeded world: templates, stock,
budgets, bundles, and next-best-action scoring with its value components."""

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from mcp import Client

from policies.vocabulary import UseCase
from tests.mcp_servers.harness import ok, refused, servers_for
from tests.mcp_servers.seeded_world import SeededWorld
from tools.nba.scorer import MAX_CANDIDATES, candidates_for
from tools.storage.statements import counting

COMPONENTS = ("propensity", "uplift", "expected_margin", "cost", "fatigue_penalty", "value", "rationale")


@pytest.fixture
async def client(shared_world: SeededWorld) -> AsyncIterator[Client]:
    async with (
        shared_world.open() as product,
        Client(servers_for(product.deps)["offers-inventory"]) as client,
    ):
        yield client


async def test_offer_templates_cover_every_kind(client: Client) -> None:
    templates = ok(await client.call_tool("list_offer_templates", {}))["templates"]
    kinds = {t["type"] for t in templates}
    assert {
        "percent_off",
        "amount_off",
        "free_shipping",
        "bonus_points",
        "points_multiplier",
        "bundle",
        "early_access",
        "gift",
    } <= kinds
    assert all(t["code"] and t["description"] and t["active"] for t in templates)
    assert all(t["discount_pct"] for t in templates if t["type"] == "percent_off")


async def test_inventory_by_sku_and_by_category(client: Client, shared_world: SeededWorld) -> None:
    sku = shared_world.samples.sku
    [item] = ok(await client.call_tool("inventory_status", {"sku": sku}))["items"]
    assert item["sku"] == sku and item["on_hand"] > 0 and isinstance(item["clearance"], bool)
    assert item["weeks_of_cover"] is None or item["weeks_of_cover"] >= 0
    assert 0 < item["margin_rate"] < 1

    category = shared_world.samples.category
    items = ok(await client.call_tool("inventory_status", {"category": category.upper(), "limit": 50}))[
        "items"
    ]
    assert len(items) > 1 and {i["category"] for i in items} == {category}
    assert [i["sku"] for i in items] == sorted(i["sku"] for i in items)
    assert (
        len(ok(await client.call_tool("inventory_status", {"category": category, "limit": 2}))["items"]) == 2
    )


async def test_clearance_only(client: Client, shared_world: SeededWorld) -> None:
    category = shared_world.samples.clearance_category
    everything = ok(await client.call_tool("inventory_status", {"category": category, "limit": 100}))["items"]
    clearance = ok(
        await client.call_tool(
            "inventory_status", {"category": category, "clearance_only": True, "limit": 100}
        )
    )["items"]
    assert clearance and all(i["clearance"] for i in clearance)
    assert [i["sku"] for i in clearance] == [i["sku"] for i in everything if i["clearance"]]


async def test_unknown_sku_or_no_query_is_a_tool_error(client: Client) -> None:
    assert "no products for sku='NOPE-0000'" in refused(
        await client.call_tool("inventory_status", {"sku": "NOPE-0000"})
    )
    assert "give a sku or a category" in refused(await client.call_tool("inventory_status", {}))
    assert "no products" in refused(await client.call_tool("inventory_status", {"category": "Moon rocks"}))


def check_value_components(result: dict[str, Any], top: int) -> None:
    candidates = result["candidates"]
    nothing = [c for c in candidates if c["do_nothing"]]
    assert len(nothing) == 1, "do nothing is always among the candidates"
    base = nothing[0]
    assert base["value"] == 0 and base["uplift"] == 0 and base["cost"] == 0 and base["fatigue_penalty"] == 0
    assert base["propensity"] == pytest.approx(result["p_buy_without_contact"], abs=1e-4)
    assert len(candidates) <= top + 1
    values = [c["value"] for c in candidates if not c["do_nothing"]]
    assert values == sorted(values, reverse=True)
    for c in candidates:
        assert all(key in c for key in COMPONENTS), c
        assert 0 <= c["propensity"] <= 1 and c["cost"] >= 0 and c["fatigue_penalty"] >= 0
        # The components add up: value is the margin gained over doing nothing, less cost and fatigue.
        assert c["uplift"] == pytest.approx(c["propensity"] - base["propensity"], abs=2e-4)
        assert c["value"] == pytest.approx(
            c["expected_margin"] - base["expected_margin"] - c["cost"] - c["fatigue_penalty"], abs=0.03
        )
        if not c["do_nothing"]:
            assert c["channel"] and c["send_at"] < c["valid_until"] and c["send_at"] >= "2026-10-31T09:00"
            assert c["channel"] in c["rationale"] and "over doing nothing" in c["rationale"]


@pytest.mark.parametrize("use_case", list(UseCase))
async def test_score_candidate_actions(client: Client, shared_world: SeededWorld, use_case: UseCase) -> None:
    assert len(candidates_for(use_case)) <= MAX_CANDIDATES == 50
    considered = {(c.lever.key, c.channel.value if c.channel else None) for c in candidates_for(use_case)}
    arguments: dict[str, Any] = {
        "customer_id": shared_world.samples.member,
        "use_case": use_case.value,
        "top": 10,
    }
    if use_case is UseCase.CART_ABANDONMENT:
        arguments |= {"cart_value": 89.9, "cart_skus": [shared_world.samples.sku]}
    if use_case is UseCase.COMPETITIVE_RESPONSE:
        arguments |= {"competitor_discount_pct": 20}
    result = ok(await client.call_tool("score_candidate_actions", arguments))
    assert result["customer_id"] == shared_world.samples.member and result["use_case"] == use_case.value
    assert {(c["action"], c["channel"]) for c in result["candidates"]} <= considered
    check_value_components(result, top=10)
    if use_case is UseCase.CART_ABANDONMENT:
        assert result["basket_value"] == 89.9 and result["anchor"]["product"]


async def score_rival_offer_twice(
    world: SeededWorld, first: dict[str, Any], second: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One member's competitive-response scoring by two offers servers, their deps changed by
    `first` and `second`."""
    arguments = {
        "customer_id": world.samples.member,
        "use_case": "competitive_response",
        "competitor_discount_pct": 20,
        "top": 10,
    }
    async with world.open() as product:
        servers = [servers_for(replace(product.deps, **c))["offers-inventory"] for c in (first, second)]
        async with Client(servers[0]) as one, Client(servers[1]) as other:
            return (
                ok(await one.call_tool("score_candidate_actions", arguments)),
                ok(await other.call_tool("score_candidate_actions", arguments)),
            )


async def test_an_exploring_decision_values_the_same_candidates_with_drawn_factors(
    shared_world: SeededWorld,
) -> None:
    chosen, explored = await score_rival_offer_twice(
        shared_world, {"exploration_share": 0.0}, {"exploration_share": 1.0}
    )
    assert chosen["exploring"] is False and explored["exploring"] is True
    check_value_components(explored, top=10)

    def uplift(result: dict[str, Any]) -> dict[tuple[str, str], float]:
        return {(c["action"], c["channel"]): c["uplift"] for c in result["candidates"] if not c["do_nothing"]}

    # The same candidates are valued; how the draws move each is tested on the fitted rates
    # themselves (tests/tools/nba/test_response_fit.py). The tool lists the best 10 of 33, and
    # drawn factors reorder candidates whose values are close (for this member most messages are
    # worth about nothing), so the two lists need not hold the same ten: what both list, the
    # draws value differently.
    considered = {
        (c.lever.key, c.channel.value if c.channel else None)
        for c in candidates_for(UseCase.COMPETITIVE_RESPONSE)
    }
    assert uplift(explored).keys() <= considered
    moved = [k for k in uplift(chosen).keys() & uplift(explored).keys() if uplift(chosen)[k] > 0]
    assert moved and any(uplift(chosen)[k] != uplift(explored)[k] for k in moved)
    assert all(0.0 <= c["choice_probability"] <= 1.0 for c in explored["candidates"])


async def test_a_served_target_policy_offers_only_its_choice_and_what_it_allows(
    shared_world: SeededWorld,
) -> None:
    """How the simulator runs a changed policy (`LOYALTY_DECISION_POLICY`): the tool ranks the
    policy's choice first, certain, and leaves out what it forbids; the rest is as scored."""
    own, email_only = await score_rival_offer_twice(
        shared_world, {"exploration_share": 0.0}, {"exploration_share": 0.0, "decision_policy": "email_only"}
    )
    scored, served = own["candidates"], email_only["candidates"]
    assert any(c["channel"] not in (None, "email") for c in scored)  # else the test shows nothing
    assert {c["channel"] for c in served} <= {"email", None} and sum(c["do_nothing"] for c in served) == 1
    assert [c["choice_probability"] for c in served] == [1.0] + [0.0] * (len(served) - 1)
    best_email = max((c for c in scored if c["channel"] in ("email", None)), key=lambda c: c["value"])
    assert (served[0]["action"], served[0]["channel"]) == (best_email["action"], best_email["channel"])


async def test_score_returns_the_top_few(client: Client, shared_world: SeededWorld) -> None:
    result = ok(
        await client.call_tool(
            "score_candidate_actions",
            {"customer_id": shared_world.samples.member, "use_case": "reactivation", "top": 2},
        )
    )
    check_value_components(result, top=2)
    assert refused(
        await client.call_tool(
            "score_candidate_actions", {"customer_id": 987_654, "use_case": "reactivation"}
        )
    )
    assert "use_case" in refused(
        await client.call_tool(
            "score_candidate_actions",
            {"customer_id": shared_world.samples.member, "use_case": "world_domination"},
        )
    )


async def test_recommend_bundle(client: Client, shared_world: SeededWorld) -> None:
    anchor = shared_world.samples.category
    bundle = ok(
        await client.call_tool(
            "recommend_bundle",
            {"customer_id": shared_world.samples.member, "anchor_category": anchor, "size": 3},
        )
    )
    items = bundle["items"]
    assert bundle["anchor_category"] == anchor and 1 <= len(items) <= 3
    assert len({i["category"] for i in items}) == len(items) and anchor not in {i["category"] for i in items}
    assert all(anchor in i["reason"] and i["score"] > 0 and i["price"] > 0 for i in items)
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    assert "no category 'Moon rocks'" in refused(
        await client.call_tool(
            "recommend_bundle", {"customer_id": shared_world.samples.member, "anchor_category": "Moon rocks"}
        )
    )


async def test_budget_status(client: Client) -> None:
    budgets = ok(await client.call_tool("budget_status", {}))["budgets"]
    assert {b["use_case"] for b in budgets} == {u.value for u in UseCase}
    for b in budgets:
        assert b["period_start"] <= "2026-10-31T09:00" < b["period_end"]
        assert b["remaining"] == pytest.approx(b["amount"] - b["spent"], abs=0.01)
    [one] = ok(await client.call_tool("budget_status", {"use_case": "upsell"}))["budgets"]
    assert one["use_case"] == "upsell"


async def test_scoring_a_member_whose_profile_is_cached_takes_six_statements(
    shared_world: SeededWorld,
) -> None:
    """The contact record (member, consents, recent messages), the use case's pause flag, and the
    bundle (anchor category, complements with their prices: no separate price lookup)."""
    arguments = {"customer_id": shared_world.samples.member, "use_case": "reactivation"}
    async with (
        shared_world.open() as product,
        Client(servers_for(product.deps)["offers-inventory"]) as client,
    ):
        first = ok(
            await client.call_tool("score_candidate_actions", arguments)
        )  # profile and learned lift cached
        with counting(product.db) as statements:
            again = ok(await client.call_tool("score_candidate_actions", arguments))
    assert again == first and first["anchor"]["category"]
    assert len(statements) <= 6, statements.sent
