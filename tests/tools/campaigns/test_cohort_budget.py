"""When the money runs out part-way through the cohort, the always-on pass does what an agent run
does once the rules' remaining-budget check blocks its offer: the member gets their best free message
instead of nothing."""

from pathlib import Path

from sqlalchemy import update

from loyalty.ops.adapters import template_copy
from policies.vocabulary import UseCase
from tests.mcp_servers.seeded_world import SeededWorld
from tools.campaigns import CampaignDeps, CohortPlan, plan_cohort
from tools.storage import Budget


async def plan_with(world: SeededWorld, folder: Path, left: float | None) -> CohortPlan:
    """The upsell cohort of every member, with `left` dollars of budget (None: as seeded)."""
    async with world.copy_to(folder).open() as product:
        if left is not None:
            async with product.db.session() as s, s.begin():
                await s.execute(
                    update(Budget)
                    .where(Budget.use_case == UseCase.UPSELL.value)
                    .values(spent=Budget.amount - left)
                )
        frame = await product.profiles.frame(world.now)
        ids = [int(c) for c in frame.history.members.customer_id]
        deps = CampaignDeps(product.db, product.policy, product.profiles, template_copy)
        return await plan_cohort(
            deps, UseCase.UPSELL, ids, [f"t{c}" for c in ids], now=world.now, exploration_share=0.0
        )


async def test_members_the_budget_cannot_cover_get_their_best_free_message(
    world: SeededWorld, tmp_path: Path
) -> None:
    ample = await plan_with(world, tmp_path / "ample", None)
    paid = {
        m.proposal.customer_id: m.proposal.estimated_cost for m in ample.members if m.proposal.estimated_cost
    }
    assert len(paid) > 5
    # enough for every single offer, not for all of them
    left = max(max(paid.values()), sum(paid.values()) / 3)
    tight = await plan_with(world, tmp_path / "tight", left)
    chosen = {m.proposal.customer_id: m.proposal.estimated_cost for m in tight.members}
    assert sum(chosen.values()) <= left
    uncovered = [c for c in paid if chosen.get(c, 0.0) == 0.0]
    assert uncovered  # the money ran out before every paid offer
    # each of them is sent a free message instead of nothing, where one passes the rules
    assert sum(c in chosen for c in uncovered) > len(uncovered) / 2
