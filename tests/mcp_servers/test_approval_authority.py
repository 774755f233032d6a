"""The approval path's holes, tried as any MCP client would try them: only the guard's credential
gets an approval, the rules server judges the copy itself, an approval pins the whole proposal and
the channels server charges the approved cost to the approved use case, to the cent."""

import json
from typing import Any

from mcp import Client
from sqlalchemy import select

from agents.guard.credential import CREDENTIAL_ARGUMENT, CredentialedTools
from agents.models.base import ToolDefinition
from mcp_servers.channels.server import build as build_channels
from mcp_servers.rules.server import build as build_rules
from policies.proposal import OfferProposal
from policies.vocabulary import UseCase
from tests.mcp_servers.harness import GUARD_CREDENTIAL, deps_for, ok, refused
from tests.tools.proposals import add_member, proposal
from tools.decisions.approvals import pending_reviews
from tools.storage.db import Database
from tools.storage.models import Budget, Contact


def args(p: OfferProposal) -> dict[str, Any]:
    return json.loads(p.model_dump_json())


def verdict(p: OfferProposal, **extra: Any) -> dict[str, Any]:
    return {"proposal": args(p), "verdict": "approve", "reasons": ["fits the member"], **extra}


async def budget_row(db: Database, use_case: UseCase) -> Budget:
    async with db.session() as s:
        budget = await s.scalar(select(Budget).where(Budget.use_case == use_case.value))
        assert budget is not None
        return budget


async def test_a_client_without_the_guard_credential_can_only_ask_for_review(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    async with Client(build_rules(deps)) as rules, Client(build_channels(deps)) as channels:
        for attempt in (
            verdict(proposal()),
            verdict(proposal(), guard_credential="guessed-credential-123456"),
            verdict(proposal(), verdict="revise"),
        ):
            receipt = ok(await rules.call_tool("record_guard_verdict", attempt))
            assert receipt["approval_id"] is None and receipt["review_id"] is not None
        assert "no_approval" in refused(
            await channels.call_tool(
                "send_approved_proposal", {"proposal": args(proposal()), "approval_id": "x" * 32}
            )
        )
        outbox = ok(await channels.call_tool("outbox_status", {}))
    reviews = await pending_reviews(sqlite_db)
    assert len(reviews) == 3 and all("without the guard's credential" in r["reason"] for r in reviews)
    assert outbox == {}


async def test_fresh_deps_hold_a_credential_no_client_has(sqlite_db: Database) -> None:
    # What `loyalty mcp serve rules` builds for Claude Desktop: its own random credential.
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    fresh = type(deps)(db=deps.db, policy=deps.policy, profile_facts=deps.profile_facts, clock=deps.clock)
    assert len(fresh.guard_credential) >= 32 and fresh.guard_credential not in repr(fresh)
    async with Client(build_rules(fresh)) as rules:
        receipt = ok(
            await rules.call_tool(
                "record_guard_verdict", verdict(proposal(), guard_credential=GUARD_CREDENTIAL)
            )
        )
    assert receipt["approval_id"] is None and receipt["review_id"] is not None


async def test_the_rules_server_rejudges_the_copy_before_approving(sqlite_db: Database) -> None:
    # Passes every rule, but the copy reads as surveillance and links off-site: no approval and no
    # review item either, even for the guard.
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    watched = proposal(
        body="You popped into our shop around 10:42 and the door counter logged you three times."
    )
    linked = proposal(
        body="Your new season activewear is here: claim it at retailer-deals.example.com today."
    )
    async with Client(build_rules(deps)) as rules:
        for p, code in ((watched, "judgement.surveillance"), (linked, "judgement.links")):
            assert ok(await rules.call_tool("check_proposal", {"proposal": args(p)}))["passed"]
            for credential in (GUARD_CREDENTIAL, None):
                message = refused(
                    await rules.call_tool("record_guard_verdict", verdict(p, guard_credential=credential))
                )
                assert code in message
    assert await pending_reviews(sqlite_db) == []


async def test_an_approval_pins_cost_and_use_case(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    approved = proposal(cost=40.0, discount=10.0)
    free = approved.model_copy(update={"estimated_cost": 0.0})
    relabelled = approved.model_copy(update={"use_case": UseCase.UPSELL})
    async with Client(build_rules(deps)) as rules, Client(build_channels(deps)) as channels:
        receipt = ok(
            await rules.call_tool(
                "record_guard_verdict", verdict(approved, guard_credential=GUARD_CREDENTIAL)
            )
        )
        for tampered in (free, relabelled):
            assert "proposal_changed" in refused(
                await channels.call_tool(
                    "send_approved_proposal",
                    {"proposal": args(tampered), "approval_id": receipt["approval_id"]},
                )
            )
        assert (await budget_row(sqlite_db, UseCase.UPSELL)).spent == 0
        assert (await budget_row(sqlite_db, UseCase.REACTIVATION)).spent == 0
        ok(
            await channels.call_tool(
                "send_approved_proposal", {"proposal": args(approved), "approval_id": receipt["approval_id"]}
            )
        )
    assert (await budget_row(sqlite_db, UseCase.REACTIVATION)).spent == 40.0
    assert (await budget_row(sqlite_db, UseCase.UPSELL)).spent == 0


async def test_an_offer_costing_exactly_the_budget_left_is_sent(sqlite_db: Database) -> None:
    # 0.1 + 0.2 of earlier spend leaves 19.70 of 20.00; an offer of exactly 19.70 fits.
    await add_member(sqlite_db, budget=20.0)
    async with sqlite_db.session() as s, s.begin():
        budget = await s.scalar(select(Budget).where(Budget.use_case == UseCase.REACTIVATION.value))
        assert budget is not None
        budget.spent = 0.1 + 0.2
    deps = deps_for(sqlite_db)
    exact = proposal(cost=19.70, discount=10.0)
    async with Client(build_rules(deps)) as rules, Client(build_channels(deps)) as channels:
        report = ok(await rules.call_tool("check_proposal", {"proposal": args(exact)}))
        assert "budget.remaining" not in {v["rule_id"] for v in report["violations"]}
        receipt = ok(
            await rules.call_tool("record_guard_verdict", verdict(exact, guard_credential=GUARD_CREDENTIAL))
        )
        sent = ok(
            await channels.call_tool(
                "send_approved_proposal", {"proposal": args(exact), "approval_id": receipt["approval_id"]}
            )
        )
    assert sent["status"] == "queued"
    budget = await budget_row(sqlite_db, UseCase.REACTIVATION)
    assert round(budget.spent * 100) == round(budget.amount * 100) == 2000
    async with sqlite_db.session() as s:
        assert len((await s.scalars(select(Contact))).all()) == 1


def test_the_guard_model_never_sees_the_credential() -> None:
    class Recording:
        definitions = (
            ToolDefinition(
                name="rules__record_guard_verdict",
                description="",
                input_schema={
                    "type": "object",
                    "properties": {"verdict": {}, CREDENTIAL_ARGUMENT: {}},
                    "required": ["verdict"],
                },
            ),
        )

    tools = CredentialedTools(Recording(), "rules__record_guard_verdict", "secret-held-by-the-process")  # type: ignore[arg-type]
    schema = tools.definitions[0].input_schema
    assert CREDENTIAL_ARGUMENT not in schema["properties"] and "secret" not in json.dumps(schema)
