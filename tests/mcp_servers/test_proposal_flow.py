"""Rules and channels on the seeded world, the way the agents use them: score a member, turn the best
candidate into a proposal, check it, record the guard's approval, send it once, then read the
member's contact status and history and record what they did."""

import json
from typing import Any

from mcp import Client
from sqlalchemy import func, select

from agents.specialists.proposal_builder import build_proposal
from policies.vocabulary import UseCase
from tests.mcp_servers.harness import ok, refused, servers_for
from tests.mcp_servers.seeded_world import SeededWorld
from tools.storage.engagement import Contact


async def proposal_for(
    customer_data: Client, offers: Client, rules: Client, member: int
) -> tuple[int, dict[str, Any]]:
    """`member`, or else the first member at risk of churning, with the best e-mail candidate worth
    sending that passes every rule, as a specialist would propose it. A member who would buy
    anyway is worth no message, so the sample member may have none."""
    at_risk = ok(
        await customer_data.call_tool(
            "find_members", {"sort": "churn_risk", "descending": True, "page_size": 20}
        )
    )
    tried = []
    for who in [member, *(m["customer_id"] for m in at_risk["members"])]:
        for use_case in (UseCase.UPSELL, UseCase.REACTIVATION):
            proposal = await _best_email(customer_data, offers, rules, who, use_case)
            if proposal is not None:
                return who, proposal
            tried.append((who, use_case.value))
    raise AssertionError(f"no e-mail candidate worth sending passes the rules: {tried}")


async def _best_email(
    customer_data: Client, offers: Client, rules: Client, member: int, use_case: UseCase
) -> dict[str, Any] | None:
    profile = ok(await customer_data.call_tool("get_member_profile", {"customer_id": member}))
    scoring = ok(
        await offers.call_tool(
            "score_candidate_actions", {"customer_id": member, "use_case": use_case.value, "top": 10}
        )
    )
    brief = {
        "customer_id": member,
        "first_name": profile["contact"]["first_name"],
        "segments": profile["segments"],
        "tier": profile["loyalty"]["tier"],
        "time_zone": profile["demographics"]["time_zone"],
    }
    for candidate in scoring.get("candidates", []):
        if candidate["channel"] != "email" or candidate["value"] <= 0:
            continue
        proposal = build_proposal(candidate, brief, scoring, use_case)
        if ok(await rules.call_tool("check_proposal", {"proposal": proposal}))["passed"]:
            return proposal
    return None


async def test_from_score_to_one_queued_message(world: SeededWorld) -> None:
    async with world.open() as product:
        servers = servers_for(product.deps)
        async with (
            Client(servers["customer-data"]) as customer_data,
            Client(servers["offers-inventory"]) as offers,
            Client(servers["rules"]) as rules,
            Client(servers["channels"]) as channels,
        ):
            member, proposal = await proposal_for(customer_data, offers, rules, world.samples.member)
            report = ok(await rules.call_tool("check_proposal", {"proposal": proposal}))
            assert report["passed"], report["violations"]
            assert len(report["content_hash"]) == 64 and report["policy_version"]

            before = ok(await channels.call_tool("outbox_status", {}))
            status = ok(await channels.call_tool("contact_status", {"customer_id": member}))
            email = next(c for c in status["channels"] if c["channel"] == "email")
            assert email["consented"] and email["remaining_this_week"] >= 1

            receipt = ok(
                await rules.call_tool(
                    "record_guard_verdict",
                    {
                        "proposal": proposal,
                        "verdict": "approve",
                        "reasons": ["relevant, modest, within policy"],
                        "guard_credential": product.deps.guard_credential,
                    },
                )
            )
            assert receipt["approval_id"] and receipt["content_hash"] == report["content_hash"]
            assert receipt["approval_expires_at"] > "2026-10-31T09:00"

            changed = json.loads(json.dumps(proposal))
            changed["message"]["body"] += " Extra words the guard never saw."
            assert "content_changed" in refused(
                await channels.call_tool(
                    "send_approved_proposal", {"proposal": changed, "approval_id": receipt["approval_id"]}
                )
            )

            sent = ok(
                await channels.call_tool(
                    "send_approved_proposal", {"proposal": proposal, "approval_id": receipt["approval_id"]}
                )
            )
            assert sent["status"] == "queued" and sent["channel"] == "email"
            assert "approval_used" in refused(
                await channels.call_tool(
                    "send_approved_proposal", {"proposal": proposal, "approval_id": receipt["approval_id"]}
                )
            )

            after = ok(await channels.call_tool("outbox_status", {}))
            assert after.get("queued", 0) == before.get("queued", 0) + 1
            assert {k: v for k, v in after.items() if k != "queued"} == {
                k: v for k, v in before.items() if k != "queued"
            }
            status = ok(await channels.call_tool("contact_status", {"customer_id": member}))
            email_now = next(c for c in status["channels"] if c["channel"] == "email")
            assert email_now["remaining_this_week"] == email["remaining_this_week"] - 1
            assert status["recent"][0]["status"] == "queued"

            opened = {"contact_id": sent["contact_id"], "outcome": "open"}
            assert ok(await channels.call_tool("record_outcome", opened)) == {"recorded": True}
            assert ok(await channels.call_tool("record_outcome", opened)) == {"recorded": False}  # idempotent
            history = ok(await channels.call_tool("contact_history", {"customer_id": member, "limit": 5}))
            assert history["contacts"][0]["outcomes"] == ["open"] and len(history["contacts"]) <= 5
            assert "contact" in refused(
                await channels.call_tool("record_outcome", {"contact_id": 99_999_999, "outcome": "open"})
            )
        async with product.db.session() as s:
            queued = await s.scalar(
                select(func.count())
                .select_from(Contact)
                .where(Contact.customer_id == member, Contact.status == "queued")
            )
        assert queued == 1
