"""The same guard with Claude behind it, at the HTTP edge: a real SDK client over a fake API."""

import json

import httpx2
from sqlalchemy import select
from tenacity import stop_after_attempt, wait_none

from agents.guard import GUARD_ROLE, GuardPolicy
from agents.guard.prompt import GUARD_SYSTEM_PROMPT
from agents.models.claude import ClaudeConfig, ClaudeModel, RetryConfig
from agents.models.local import LocalModel
from policies.vocabulary import Verdict
from tests.agents import fake_anthropic as fake
from tests.agents.guard.world import as_json, deps_for, guard_rig, offer
from tests.tools.proposals import add_member
from tools.storage.db import Database
from tools.storage.models import GuardVerdict

CONFIG = ClaudeConfig(retry=RetryConfig(stop=stop_after_attempt(2), wait=wait_none()), max_tokens=1024)


async def test_claude_checks_records_and_answers_and_only_the_receipt_approves(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    proposal = offer()
    final = {
        "verdict": "approve",
        "reasons": [{"code": "guard.approved", "message": "Rules pass; copy reads well."}],
        "revised_proposal": None,
        "approval_id": "made-up-by-the-model",
    }
    api = fake.FakeMessagesAPI(
        [
            fake.message(
                fake.tool_use("t1", "rules__check_proposal", {"proposal": as_json(proposal)}),
                stop_reason="tool_use",
            ),
            fake.message(
                fake.tool_use(
                    "t2",
                    "rules__record_guard_verdict",
                    {
                        "proposal": as_json(proposal),
                        "verdict": "approve",
                        "reasons": ["guard.approved: rules pass"],
                        "guard_model": "claude",
                    },
                ),
                stop_reason="tool_use",
            ),
            fake.message(fake.text("```json\n" + json.dumps(final) + "\n```")),
        ]
    )
    async with (
        httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http,
        guard_rig(deps_for(sqlite_db), ClaudeModel(api.client(http), config=CONFIG)) as rig,
    ):
        decision = await rig.guard.review_proposal(proposal)

    assert api.consumed
    first = api.requests[0]
    assert first["system"][0]["text"] == GUARD_SYSTEM_PROMPT
    assert sorted(tool["name"] for tool in first["tools"]) == [
        "rules__check_proposal",
        "rules__get_policy",
        "rules__record_guard_verdict",
    ]
    assert "<review>" in first["messages"][0]["content"][0]["text"]
    assert (
        decision.verdict is Verdict.APPROVE
        and decision.approved
        and decision.guard_model == "claude-sonnet-4-6"
    )
    assert decision.approval_id != "made-up-by-the-model" and not decision.degraded


async def test_claude_unavailable_without_fallback_fails_closed(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    api = fake.FakeMessagesAPI([fake.error(529, "overloaded_error")] * 2)
    async with (
        httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http,
        guard_rig(deps_for(sqlite_db), ClaudeModel(api.client(http), config=CONFIG)) as rig,
    ):
        decision = await rig.guard.review_proposal(offer())
    assert decision.failed_closed and not decision.approved
    assert [reason.code for reason in decision.reasons] == ["guard.model_unavailable"]


async def test_claude_unavailable_falls_back_to_the_local_guard_and_says_so(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    api = fake.FakeMessagesAPI([fake.error(529, "overloaded_error")] * 8)
    fallback = LocalModel({GUARD_ROLE: GuardPolicy()})
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http:
        model = ClaudeModel(api.client(http), config=CONFIG, fallback=fallback)
        async with guard_rig(deps_for(sqlite_db), model) as rig:
            decision = await rig.guard.review_proposal(offer())
    assert decision.verdict is Verdict.APPROVE and decision.approved and decision.degraded
    # Recorded truly: the local guard answered, for the Claude model that could not.
    assert decision.guard_model == "local (fallback for claude-sonnet-4-6)"
    async with sqlite_db.session() as session:
        stored = await session.scalar(select(GuardVerdict.guard_model))
    assert stored == "local (fallback for claude-sonnet-4-6)"
