"""Feedback closes the loop: an unsubscribe (an ingested event) or a complaint (the channels
server's record_outcome) withdraws the member's consent on that channel, so the next send there is
refused, the queued message is cancelled at delivery, and the next decision uses another consented
channel or nothing."""

import json
from datetime import timedelta

from mcp import Client
from sqlalchemy import select

from agents.team import local_model
from loyalty.wiring import Product, open_agents
from mcp_servers.channels.server import build as build_channels
from mcp_servers.rules.server import build as build_rules
from policies.proposal import OfferProposal
from tests.mcp_servers.harness import GUARD_CREDENTIAL, deps_for, refused
from tests.mcp_servers.seeded_world import SeededWorld
from tests.tools.proposals import NOW, add_member, proposal
from tools.events.ingest import ingest_events
from tools.outbox.deliver import claim_contacts
from tools.storage.db import Database
from tools.storage.models import ChannelConsent, Contact


async def sent_contact(product: Product, customer_id: int) -> Contact | None:
    async with product.db.session() as s:
        return await s.scalar(
            select(Contact)
            .where(Contact.customer_id == customer_id, Contact.status == "queued")
            .order_by(Contact.id.desc())
        )


async def consents(db: Database, customer_id: int) -> dict[str, bool]:
    async with db.session() as s:
        rows = await s.execute(
            select(ChannelConsent.channel, ChannelConsent.granted).where(
                ChannelConsent.customer_id == customer_id
            )
        )
        return {channel: bool(granted) for channel, granted in rows}


async def test_an_unsubscribe_event_stops_the_channel_for_sends_delivery_and_decisions(
    world: SeededWorld,
) -> None:
    async with world.open() as product, open_agents(product, local_model()) as team:
        await product.profiles.prime(world.now)
        first = None
        for member in range(1, 61):
            result = await team.handle(json.dumps({"customer_id": member, "use_case": "reactivation"}))
            if json.loads(result.output)["decision"] == "sent":
                first = await sent_contact(product, member)
                break
        assert first is not None, "on 60 members the agents should contact someone"
        channel, member = first.channel, first.customer_id

        report = await ingest_events(
            product.db,
            [
                {
                    "type": "unsubscribe",
                    "customer_id": member,
                    "channel": channel,
                    "occurred_at": world.now.isoformat(),
                }
            ],
            now=world.now,
        )
        assert report.accepted == 1
        assert (await consents(product.db, member))[channel] is False

        # The message already queued there is cancelled when a delivery worker claims it.
        claim = await claim_contacts(
            product.db,
            "test-worker",
            now=first.scheduled_at + timedelta(minutes=1),
            limit=1_000,
            lease=timedelta(minutes=5),
        )
        assert first.id not in {m.contact_id for m in claim.messages} and claim.cancelled >= 1
        async with product.db.session() as s:
            assert (await s.get(Contact, first.id)).status == "cancelled"

        # The next decision for the member does not use that channel.
        again = await team.handle(json.dumps({"customer_id": member, "use_case": "reactivation"}))
        decision = json.loads(again.output)
        allowed = {c for c, granted in (await consents(product.db, member)).items() if granted}
        async with product.db.session() as s:
            later = (
                await s.scalars(
                    select(Contact.channel).where(Contact.customer_id == member, Contact.id > first.id)
                )
            ).all()
        assert channel not in later and set(later) <= allowed
        assert (decision["decision"] == "sent") == bool(later)


async def approve(rules: Client, p: OfferProposal) -> str:
    result = await rules.call_tool(
        "record_guard_verdict",
        {
            "proposal": json.loads(p.model_dump_json()),
            "verdict": "approve",
            "reasons": ["fits"],
            "guard_credential": GUARD_CREDENTIAL,
        },
    )
    assert not result.is_error, result.content
    return result.structured_content["approval_id"]


async def test_a_complaint_refuses_an_approval_issued_before_it(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    first = proposal()
    later = proposal(cost=8, discount=5, body="Your favourite running shoes are back in your size.")
    async with Client(build_rules(deps)) as rules, Client(build_channels(deps)) as channels:
        approvals = [await approve(rules, p) for p in (first, later)]  # both approved before any feedback
        contact = await channels.call_tool(
            "send_approved_proposal",
            {"proposal": json.loads(first.model_dump_json()), "approval_id": approvals[0]},
        )
        assert not contact.is_error
        recorded = await channels.call_tool(
            "record_outcome",
            {
                "contact_id": contact.structured_content["contact_id"],
                "outcome": "complaint",
                "occurred_at": (NOW + timedelta(minutes=5)).isoformat(),
            },
        )
        assert recorded.structured_content == {"recorded": True}
        result = await channels.call_tool(
            "send_approved_proposal",
            {"proposal": json.loads(later.model_dump_json()), "approval_id": approvals[1]},
        )
        assert "consent.channel" in refused(result)
        assert (await consents(sqlite_db, 1)) == {
            "email": False,
            "sms": True,
            "push": True,
            "in_app": True,
            "in_store": True,
        }
