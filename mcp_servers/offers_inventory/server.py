"""The offers-inventory server: offer templates, stock, budgets, bundles, and the next-best-action
scoring of candidate actions for a member."""

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations
from pydantic import Field
from sqlalchemy import func, select

from mcp_servers.shared.deps import ServerDeps
from mcp_servers.shared.errors import tool_errors
from mcp_servers.shared.factory import HttpAuth, new_server
from policies.vocabulary import UseCase
from tools.catalogue import budget_status as budgets_now
from tools.catalogue import inventory_status as stock_of
from tools.catalogue import offer_templates
from tools.catalogue import recommend_bundle as bundle_for
from tools.errors import NotFound
from tools.nba.exploration import exploration_stream
from tools.nba.learning import LiftCache
from tools.nba.member_scoring import MomentContext, score_member
from tools.profiles.service import ProfileService
from tools.storage.db import Database
from tools.storage.models import Category, Product

MemberId = Annotated[int, Field(ge=1, description="The member's internal id (customer_id).")]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")]
CategoryName = Annotated[str, Field(min_length=1, max_length=80)]
READ = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)


def build(deps: ServerDeps, http: HttpAuth | None = None) -> MCPServer:
    if deps.profiles is None:
        raise ValueError("the offers-inventory server needs a profile service")
    profiles: ProfileService = deps.profiles
    lift = LiftCache(deps.db, deps.clock)
    server = new_server(
        "offers-inventory",
        "Offer templates, stock, budgets, bundles, and next-best-action scoring: "
        "score_candidate_actions prices every candidate action for a member against doing nothing.",
        http,
    )

    @server.tool(annotations=READ)
    @tool_errors
    async def list_offer_templates() -> dict[str, list[dict[str, Any]]]:
        """The retailer's active offer templates: percent off, amount off, free shipping, bonus
        points, points multiplier, bundle, early access, gift — with their codes and values."""
        return {"templates": await offer_templates(deps.db)}

    @server.tool(annotations=READ)
    @tool_errors
    async def inventory_status(
        sku: Sku | None = None, category: CategoryName | None = None, clearance_only: bool = False,
        limit: Annotated[int, Field(ge=1, le=deps.max_page_size)] = 20,
    ) -> dict[str, list[dict[str, Any]]]:
        """Stock by SKU or category: on hand, weeks of cover, clearance flag, price and margin rate."""
        return {"items": await stock_of(deps.db, sku=sku, category=category, limit=limit,
                                        clearance_only=clearance_only)}

    @server.tool(annotations=READ)
    @tool_errors
    async def score_candidate_actions(
        customer_id: MemberId,
        use_case: UseCase,
        cart_value: Annotated[float | None, Field(gt=0, le=100_000)] = None,
        cart_skus: Annotated[list[Sku], Field(max_length=20)] = [],  # noqa: B006
        anchor_category: CategoryName | None = None,
        competitor_discount_pct: Annotated[float | None, Field(ge=0, le=100)] = None,
        sequence_step: Annotated[int, Field(ge=1, le=10)] = 1,
        top: Annotated[int, Field(ge=1, le=10)] = 5,
    ) -> dict[str, Any]:
        """Next-best-action scoring for one member and use case. Considers up to 50 candidates
        (offer type x depth x channel, plus doing nothing) and returns the best `top` with their
        value components: propensity P(buy | action), uplift over doing nothing, expected margin,
        expected cost, fatigue penalty and net value, a send time at the member's usual hour
        inside quiet hours, a validity, and a plain-language rationale. Doing nothing is always
        included; if it ranks first, the right action is none."""
        profile = await profiles.profile(customer_id, deps.clock())
        await _require_in_catalogue(deps.db, cart_skus, anchor_category)
        moment = MomentContext(cart_value=cart_value, cart_skus=tuple(cart_skus), anchor_category=anchor_category,
                               competitor_discount_pct=competitor_discount_pct, sequence_step=sequence_step)
        now = deps.clock()
        learned = await lift.get()
        explore = exploration_stream(customer_id, use_case, now.date(), deps.exploration_share)
        scored = await score_member(deps.db, profile, use_case, moment, now=now, policy=deps.policy, top=top,
                                    learned=learned if explore is None else learned.sampled(explore),
                                    ignore_window=deps.ignore_window)
        return scored | {"exploring": explore is not None}

    @server.tool(annotations=READ)
    @tool_errors
    async def recommend_bundle(
        customer_id: MemberId, anchor_category: CategoryName, size: Annotated[int, Field(ge=1, le=5)] = 2
    ) -> dict[str, Any]:
        """Products to bundle with an anchor category for this member: complementary categories,
        weighted by the member's affinity and by stock that should move (clearance, high cover)."""
        profile = await profiles.profile(customer_id, deps.clock())
        affinity = {c.category: c.score for c in profile.predictions.category_affinity}
        items = await bundle_for(deps.db, anchor_category=anchor_category, affinity=affinity, size=size)
        return {"anchor_category": anchor_category, "items": [item.__dict__ for item in items]}

    @server.tool(annotations=READ)
    @tool_errors
    async def budget_status(use_case: UseCase | None = None) -> dict[str, list[dict[str, Any]]]:
        """Budget per use case for the current period: amount, spent, remaining, paused."""
        return {"budgets": await budgets_now(deps.db, deps.clock(), use_case)}

    return server


async def _require_in_catalogue(db: Database, skus: list[str], category: str | None) -> None:
    """Refuse a moment that names products or a category the catalogue does not have: the scorer
    would otherwise scope offers to them."""
    if not skus and category is None:
        return
    async with db.session() as session:
        known = set((await session.scalars(select(Product.sku).where(Product.sku.in_(skus)))).all()) if skus else set()
        if missing := [sku for sku in skus if sku not in known]:
            raise NotFound(f"no product with sku {', '.join(map(repr, missing))} in the catalogue")
        if category is not None and await session.scalar(
                select(Category.id).where(func.lower(Category.name) == category.lower())) is None:
            raise NotFound(f"no category {category!r}")
