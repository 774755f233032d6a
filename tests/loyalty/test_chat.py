"""Every ops chat request with the local model, on a seeded world (300 members, its last day)."""

from rich.console import Console
from sqlalchemy import func, select

from loyalty.ops.chat import ChatSession
from loyalty.ops.render import render
from loyalty.ops.results import (
    Cancelled,
    DeadLetterList,
    DecisionExplanation,
    MemberOffer,
    ReviewDecision,
    ReviewQueue,
    SegmentView,
)
from tests.mcp_servers.seeded_world import SeededWorld
from tools.budgets import UseCaseBudget
from tools.campaigns.execute import CampaignResult
from tools.campaigns.preview import CampaignPreview
from tools.campaigns.verdict_log import RejectionReport
from tools.storage.db import database
from tools.storage.models import Contact, GuardVerdict, Proposal


async def counts(world: SeededWorld) -> list[int]:
    """Proposals, verdicts and contacts in the world's database."""
    db = database(world.url)
    try:
        async with db.session() as session:
            return [
                int(await session.scalar(select(func.count()).select_from(t)) or 0)
                for t in (Proposal, GuardVerdict, Contact)
            ]
    finally:
        await db.dispose()


async def test_help_and_requests_it_cannot_do(chat: ChatSession) -> None:
    helped = await chat.ask("help")
    assert helped.ok and "offer for member <id>" in (helped.text or "")
    refused = await chat.ask("give everyone in Sydney 30% off")
    assert not refused.ok and refused.value is None
    assert (
        refused.text and refused.text.startswith("I can't do that") and "approve review <id>" in refused.text
    )
    wrong = await chat.ask("plan winback for all budget 100")
    assert not wrong.ok and "I can't do that: use_case" in (wrong.text or "")


async def test_plan_then_confirm_executes_once(chat: ChatSession, world: SeededWorld) -> None:
    planned = await chat.ask("plan reactivation for dormant_recoverable budget 5000 limit 10")
    assert planned.ok and planned.operation == "plan_campaign"
    preview = planned.value
    assert isinstance(preview, CampaignPreview)
    assert 0 < preview.members <= 10 and preview.segment == "dormant_recoverable" and preview.samples
    before = await counts(world)
    confirmed = await chat.ask("confirm")
    assert confirmed.ok and isinstance(confirmed.value, CampaignResult)
    assert confirmed.value.campaign_id == preview.campaign_id
    assert confirmed.value.queued == confirmed.value.approved - confirmed.value.refused > 0
    assert (await counts(world))[2] == before[2] + confirmed.value.queued
    again = await chat.ask("confirm")
    assert not again.ok and "no planned campaign" in (again.text or "")


async def test_cancel_drops_the_plan(chat: ChatSession) -> None:
    planned = await chat.ask("plan upsell for all budget 200")
    cancelled = await chat.ask("cancel")
    assert isinstance(cancelled.value, Cancelled) and isinstance(planned.value, CampaignPreview)
    assert cancelled.value.campaign_id == planned.value.campaign_id
    assert not (await chat.ask("confirm")).ok


async def test_offer_for_a_member_is_a_dry_run_that_can_be_explained(
    chat: ChatSession, world: SeededWorld
) -> None:
    before = await counts(world)
    offered = await chat.ask(f"what would you offer member {world.samples.member} now?")
    assert offered.ok and isinstance(offered.value, MemberOffer)
    offer = offered.value
    assert offer.customer_id == world.samples.member
    assert [a.use_case for a in offer.answers] == ["reactivation", "upsell", "competitive_response"]
    if offer.proposal is not None:
        assert (
            offer.best is not None
            and offer.rationale
            and offer.proposal["customer_id"] == world.samples.member
        )
    assert await counts(world) == before  # nothing recorded, nothing sent

    explained = await chat.ask(f"explain {offer.answers[0].trace_id}")
    assert explained.ok and isinstance(explained.value, DecisionExplanation)
    assert explained.value.agents == ["reactivation"]
    assert explained.value.models == ["local"] and not explained.value.degraded
    assert any("offers__score_candidate_actions" in s.summary for s in explained.value.steps)
    unknown = await chat.ask("explain 0000deadbeef")
    assert not unknown.ok and "no decision with trace id" in (unknown.text or "")


async def test_show_a_segment(chat: ChatSession) -> None:
    shown = await chat.ask("segment dormant_recoverable")
    assert shown.ok and isinstance(shown.value, SegmentView)
    assert shown.value.summary.id == "dormant_recoverable" and shown.value.summary.members > 0
    risks = [m.churn_risk for m in shown.value.examples]
    assert risks == sorted(risks, reverse=True)
    missing = await chat.ask("segment nobody")
    assert not missing.ok and "no segment 'nobody'" in (missing.text or "")


async def test_review_queue_decisions_and_rejections(chat: ChatSession) -> None:
    await chat.ask("plan reactivation for all budget 5000")
    executed = (await chat.ask("confirm")).value
    assert isinstance(executed, CampaignResult) and len(executed.review_ids) >= 2
    queue = await chat.ask("reviews")
    assert isinstance(queue.value, ReviewQueue)
    assert {item["review_id"] for item in queue.value.items} == set(executed.review_ids)
    first, second = executed.review_ids[:2]

    approved = await chat.ask(f"approve review {first}")
    assert isinstance(approved.value, ReviewDecision) and approved.value.approved
    assert (approved.value.contact_id is None) != (approved.value.refused is None)  # queued, or why not
    rejected = await chat.ask(f"reject review {second}")
    assert isinstance(rejected.value, ReviewDecision) and not rejected.value.approved
    twice = await chat.ask(f"reject review {second}")
    assert not twice.ok and "already rejected" in (twice.text or "")
    remaining = (await chat.ask("reviews")).value
    assert isinstance(remaining, ReviewQueue) and {first, second}.isdisjoint(
        i["review_id"] for i in remaining.items
    )

    report = await chat.ask("rejections")
    assert isinstance(report.value, RejectionReport)
    assert report.value.verdicts >= 1 and "review.human" in {r.rule_id for r in report.value.by_rule}


async def test_pause_stops_a_use_case_and_resume_restarts_it(chat: ChatSession) -> None:
    planned = (await chat.ask("plan reactivation for all budget 5000")).value
    assert isinstance(planned, CampaignPreview) and planned.members > 0
    paused = await chat.ask("pause reactivation")
    assert isinstance(paused.value, UseCaseBudget) and paused.value.paused
    result = (await chat.ask("confirm")).value  # planned before the pause: nothing of it goes out
    assert isinstance(result, CampaignResult) and result.queued == 0
    # the guard's re-check sees no budget left; anything it still approved, the outbox refuses
    assert result.rejected + result.refused == planned.members
    assert set(result.rejected_by) | set(result.refused_by) <= {"budget.remaining", "paused"}
    while_paused = (await chat.ask("plan reactivation for all budget 5000")).value
    assert isinstance(while_paused, CampaignPreview) and while_paused.budget_paused
    assert while_paused.members == 0 and while_paused.limited_by == "paused" and while_paused.compliant > 0
    resumed = await chat.ask("resume reactivation")
    assert isinstance(resumed.value, UseCaseBudget) and not resumed.value.paused


async def test_dead_letters_are_listed_with_why(chat: ChatSession, world: SeededWorld) -> None:
    empty = await chat.ask("dead letters")
    assert empty.ok and isinstance(empty.value, DeadLetterList) and empty.value.items == []
    db = database(world.url)
    try:
        async with db.session() as session, session.begin():
            for n in (1, 2):
                session.add(
                    Contact(
                        idempotency_key=f"test:dead-{n}",
                        customer_id=n,
                        channel="sms",
                        use_case="reactivation",
                        status="dead_letter",
                        attempts=3,
                        last_error=f"sms failed after 3 attempt(s): carrier rejected {n}",
                        scheduled_at=world.now.replace(tzinfo=None),
                    )
                )
    finally:
        await db.dispose()
    listed = await chat.ask("show dead letters 1")
    assert listed.ok and listed.operation == "dead_letters" and isinstance(listed.value, DeadLetterList)
    assert len(listed.value.items) == 1
    letter = listed.value.items[0]
    assert letter.channel == "sms" and letter.attempts == 3 and "carrier rejected" in (letter.reason or "")
    everything = (await chat.ask("dead letters")).value
    assert isinstance(everything, DeadLetterList) and {i.customer_id for i in everything.items} == {1, 2}
    console = Console(width=200, record=True)
    console.print(render(everything))
    assert "carrier rejected 2" in console.export_text()
