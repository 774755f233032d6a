"""A worker pass on Claude against the stand-in Messages API (benchmarks.claude_standin, served
in-process over ASGI): fenced answers, refusals, truncated tool calls, 429/529 storms and
malformed bodies; no decision crashes, none sends twice, degraded ones are counted."""

import httpx2
from anthropic import AsyncAnthropic
from sqlalchemy import func, select

from benchmarks.claude_standin import Faults, build_app
from loyalty.wiring import model_for
from tests.loyalty.runtime.test_worker_answers import pass_with
from tests.mcp_servers.seeded_world import SeededWorld
from tools.storage.models import Contact, Proposal

FAST = {"claude_retry_max_wait_seconds": 0, "claude_breaker_failures": 50}


async def test_a_worker_pass_through_a_misbehaving_api(world: SeededWorld) -> None:
    app, standin = build_app(
        Faults(
            slow_every=10**9,
            refuse_every=5,
            truncate_every=6,
            overload_every=4,
            limit_every=9,
            malformed_every=7,
        )
    )
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://standin") as http:
        client = AsyncAnthropic(api_key="test-key", base_url="http://standin", http_client=http)
        model = model_for(world.settings().model_copy(update=FAST), client=client)
        work, sent = await pass_with(world, model)
    assert (
        standin.tally["fenced answer"] and standin.tally["refusal"] and standin.tally["truncated tool call"]
    )
    assert standin.tally["529"] and standin.tally["429"] and standin.tally["malformed"]
    assert work.failed == 0 and work.decided > 0
    assert work.outcomes["sent"] == sent and work.tokens > 0 and work.cost_usd > 0
    assert work.outcomes["model_refused"] + work.outcomes["truncated"] > 0
    async with world.open() as product, product.db.session() as s:
        twice = (
            await s.execute(
                select(Proposal.trace_id)
                .join(Contact, Contact.proposal_id == Proposal.id)
                .where(Proposal.trace_id.like("trigger-%"))
                .group_by(Proposal.trace_id)
                .having(func.count() > 1)
            )
        ).all()
    assert twice == []
