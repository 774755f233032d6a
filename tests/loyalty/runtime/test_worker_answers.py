"""A decision whose send was queued is never decided again, however its answer reads: fenced JSON,
a refusal after the send, or a crash before the trigger was marked done (idempotent by trigger).
The guard's calls are counted in the decision's usage."""

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import delete, func, select

from agents.decision_log import InMemoryDecisionLog, StepKind
from agents.messages import AssistantText, ModelResponse
from agents.models.base import Model, ModelRequest
from agents.team import local_model
from loyalty.runtime.worker import drain
from loyalty.wiring import open_agents
from tests.mcp_servers.seeded_world import SeededWorld
from tools.storage.models import Contact, Order, Proposal
from tools.storage.runtime import QueuedTrigger
from tools.triggers import run_due_triggers

KEEP = 12  # triggers decided per test


class Rewording(Model):
    """The local team, except that the orchestrator's final answer is reworded as Claude might."""

    def __init__(self, how: str) -> None:
        self._local = local_model()
        self._how = how
        self.crashes = 0

    @property
    def name(self) -> str:
        return "rewording"

    async def request(self, request: ModelRequest) -> ModelResponse:
        response = await self._local.request(request)
        if request.role != "orchestrator" or response.tool_calls:
            return response
        if self._how == "fence":
            return replace(response, parts=(AssistantText(f"Done.\n```json\n{response.text}\n```"),))
        if self._how == "refuse":
            return replace(response, parts=(), stop_reason="refusal")
        self.crashes += 1
        raise RuntimeError("the process died after the send")


async def queued(product) -> int:  # type: ignore[no-untyped-def]
    async with product.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(Contact)) or 0)


async def pass_with(world: SeededWorld, model: Model, at_minutes: int = 0):  # type: ignore[no-untyped-def]
    """Decide what is due; the first pass queues the world's triggers and keeps a few (a fast test)."""
    moment = world.now + timedelta(minutes=at_minutes)
    async with world.open() as product, open_agents(product, model) as team:
        if at_minutes == 0:
            await run_due_triggers(product.db, moment, force=True)
            async with product.db.session() as s, s.begin():
                keep = select(QueuedTrigger.id).order_by(QueuedTrigger.id).limit(KEEP).scalar_subquery()
                await s.execute(delete(QueuedTrigger).where(QueuedTrigger.id.not_in(keep)))
        await product.profiles.prime(moment)
        before = await queued(product)
        work = await drain(product.db, team, clock=lambda: moment, workers=2)
        return work, await queued(product) - before


async def test_fenced_answers_are_read_and_nothing_fails(world: SeededWorld) -> None:
    work, sent = await pass_with(world, Rewording("fence"))
    assert work.failed == 0 and work.outcomes["unreadable"] == 0
    assert work.outcomes["sent"] == sent > 0


async def test_a_refusal_after_the_send_counts_as_sent_and_is_not_retried(world: SeededWorld) -> None:
    work, sent = await pass_with(world, Rewording("refuse"))
    assert work.failed == 0 and work.outcomes["sent"] == sent > 0
    again, resent = await pass_with(world, local_model(), at_minutes=30)
    assert (again.decided, resent) == (0, 0)


async def test_a_trigger_whose_send_was_queued_is_never_decided_again(world: SeededWorld) -> None:
    crashing = Rewording("crash")
    work, sent = await pass_with(world, crashing)
    assert sent > 0 and work.failed == crashing.crashes >= sent  # every decision crashed after its send
    # Past the retry backoff the triggers are claimed again: the ones that sent are closed, not re-sent.
    again, resent = await pass_with(world, local_model(), at_minutes=30)
    assert resent == 0 or again.outcomes["sent"] == resent  # only triggers that had sent nothing may send
    async with world.open() as product, product.db.session() as s:
        twice = (
            await s.execute(
                select(Proposal.trace_id, func.count())
                .join(Contact, Contact.proposal_id == Proposal.id)
                .where(Proposal.trace_id.like("trigger-%"))
                .group_by(Proposal.trace_id)
                .having(func.count() > 1)
            )
        ).all()
    assert twice == []


async def test_the_guards_calls_count_in_the_decision(world: SeededWorld) -> None:
    log = InMemoryDecisionLog()
    async with world.open() as product, open_agents(product, local_model(), log) as team:
        await product.profiles.prime(world.now)
        async with product.db.session() as s:  # members longest without an order: win-backs worth a message
            lapsed = (
                await s.scalars(
                    select(Order.customer_id)
                    .group_by(Order.customer_id)
                    .order_by(func.max(Order.placed_at), Order.customer_id)
                    .limit(20)
                )
            ).all()
        for member in lapsed:  # the first decision the guard audits
            result = await team.handle(f'{{"customer_id": {member}, "use_case": "reactivation"}}')
            responses = [e for e in log.for_trace(result.trace_id) if e.kind is StepKind.MODEL_RESPONSE]
            if any(e.agent == "guard" for e in responses):
                break
    assert any(e.agent == "guard" for e in responses), "no win-back among 20 lapsed members reached the guard"
    assert result.usage.requests == len(responses)
