"""The offers-inventory server: offer templates, stock, budgets, bundles, and the next-best-action
scoring of candidate actions for a member."""

from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations
from pydantic import Field
from sqlalchemy import func, select

from mcp_servers.offers_inventory.drafts import draft_proposal
from mcp_servers.offers_inventory.outputs import (
    Budgets,
    BudgetStatus,
    Bundle,
    BundleItem,
    OfferTemplate,
    OfferTemplates,
    ScoredCandidate,
    Scoring,
    Stock,
    StockItem,
)
from mcp_servers.shared import HttpAuth, MemberRef, ServerDeps, new_server, tool_errors
from policies.vocabulary import UseCase
from tools.budgets import budget_status as budgets_now
from tools.catalogue import inventory_status as stock_of
from tools.catalogue import offer_templates
from tools.catalogue import recommend_bundle as bundle_for
from tools.errors import NotFound
from tools.nba import (
    MAX_CANDIDATES,
    LiftCache,
    MomentContext,
    ResponseCache,
    exploration_stream,
    score_member,
    served_by,
)
from tools.profiles import ProfileService
from tools.storage import Category, Database, Product

Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")]
CategoryName = Annotated[str, Field(min_length=1, max_length=80)]
READ = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)


def build(deps: ServerDeps, http: HttpAuth | None = None) -> MCPServer:
    if deps.profiles is None:
        raise ValueError("the offers-inventory server needs a profile service")
    profiles: ProfileService = deps.profiles
    lift = deps.lift or LiftCache(deps.db, deps.clock)
    response = deps.response or ResponseCache(deps.db, deps.clock)
    server = new_server(
        "offers-inventory",
        "Offers and inventory",
        "Offer templates, stock, budgets, bundles, and next-best-action scoring: "
        "score_candidate_actions prices every candidate action for a member against doing nothing and "
        "returns each as a ready-to-check proposal draft.",
        http,
    )

    @server.tool(title="Offer templates", annotations=READ)
    @tool_errors
    async def list_offer_templates() -> OfferTemplates:
        """The retailer's active offer templates: percent off, amount off, free shipping, bonus
        points, points multiplier, bundle, early access, gift — with their codes and values."""
        return OfferTemplates(
            templates=[OfferTemplate.model_validate(t) for t in await offer_templates(deps.db)]
        )

    @server.tool(title="Stock", annotations=READ)
    @tool_errors
    async def inventory_status(
        sku: Annotated[Sku | None, Field(description="One product.")] = None,
        category: Annotated[CategoryName | None, Field(description="Every product of a category.")] = None,
        clearance_only: Annotated[bool, Field(description="Only products on clearance.")] = False,
        limit: Annotated[int, Field(ge=1, le=deps.max_page_size, description="How many rows.")] = 20,
    ) -> Stock:
        """Stock by SKU or category: on hand, weeks of cover, clearance flag, price and margin rate."""
        rows = await stock_of(deps.db, sku=sku, category=category, limit=limit, clearance_only=clearance_only)
        return Stock(items=[StockItem.model_validate(r) for r in rows])

    @server.tool(title="Score candidate actions", annotations=READ)
    @tool_errors
    async def score_candidate_actions(
        customer_id: MemberRef,
        use_case: Annotated[UseCase, Field(description="What the contact is for.")],
        cart_value: Annotated[
            float | None, Field(gt=0, le=100_000, description="Abandoned cart's value.")
        ] = None,
        cart_skus: Annotated[list[Sku], Field(max_length=20, description="Abandoned cart's products.")] = [],  # noqa: B006
        anchor_category: Annotated[
            CategoryName | None,
            Field(
                description="The category the trigger is about (default: the cart's, else the member's top)."
            ),
        ] = None,
        competitor_discount_pct: Annotated[
            float | None,
            Field(
                ge=0,
                le=100,
                description="A rival's discount this member is exposed to (competitive response).",
            ),
        ] = None,
        sequence_step: Annotated[int, Field(ge=1, le=10, description="Position in a message sequence.")] = 1,
        top: Annotated[int, Field(ge=1, le=10, description="How many candidates to return.")] = 5,
    ) -> Scoring:
        """Next-best-action scoring for one member and use case. Considers up to 50 candidates
        (offer type x depth x channel, plus doing nothing) and returns the best `top`, best first,
        with their value components (propensity, uplift over doing nothing, expected margin, cost,
        fatigue penalty, net value), a send time at the member's usual hour outside quiet hours, a
        validity, a rationale, and a `draft`: the action as a complete proposal to pass to
        check_proposal (replace its plain `message` with your copy). Doing nothing is always
        included; if it ranks first, the right action is none."""
        member = await profiles.resolve(customer_id)
        profile = await profiles.profile(member, deps.clock())
        await _require_in_catalogue(deps.db, cart_skus, anchor_category)
        moment = MomentContext(
            cart_value=cart_value,
            cart_skus=tuple(cart_skus),
            anchor_category=anchor_category,
            competitor_discount_pct=competitor_discount_pct,
            sequence_step=sequence_step,
        )
        now = deps.clock()
        learned, rates = await lift.get(), await response.get()
        serving = deps.decision_policy
        explore = (
            None if serving else exploration_stream(member, use_case, now.date(), deps.exploration_share)
        )
        scored = await score_member(
            deps.db,
            profile,
            use_case,
            moment,
            now=now,
            policy=deps.policy,
            top=MAX_CANDIDATES if serving else top,  # the policy's choice may rank below `top`
            learned=learned,
            rates=rates,
            explore=explore,
            exploration_share=deps.exploration_share,
            ignore_window=deps.ignore_window,
        )
        if serving:
            scored["candidates"] = served_by(serving, scored["candidates"], top)
        candidates = [
            ScoredCandidate.model_validate(
                c | {"draft": draft_proposal(c, member, use_case, sequence_step, scored["sms_opt_out_text"])}
            )
            for c in scored["candidates"]
        ]
        return Scoring.model_validate(scored | {"candidates": candidates, "exploring": explore is not None})

    @server.tool(title="Recommend a bundle", annotations=READ)
    @tool_errors
    async def recommend_bundle(
        customer_id: MemberRef,
        anchor_category: Annotated[
            CategoryName, Field(description="The category to build the bundle around.")
        ],
        size: Annotated[int, Field(ge=1, le=5, description="How many products.")] = 2,
    ) -> Bundle:
        """Products to bundle with an anchor category for this member: complementary categories,
        weighted by the member's affinity and by stock that should move (clearance, high cover)."""
        profile = await profiles.profile(await profiles.resolve(customer_id), deps.clock())
        affinity = {c.category: c.score for c in profile.predictions.category_affinity}
        items = await bundle_for(deps.db, anchor_category=anchor_category, affinity=affinity, size=size)
        return Bundle(
            anchor_category=anchor_category, items=[BundleItem.model_validate(i.__dict__) for i in items]
        )

    @server.tool(title="Budgets", annotations=READ)
    @tool_errors
    async def budget_status(
        use_case: Annotated[UseCase | None, Field(description="One use case (all when omitted).")] = None,
    ) -> Budgets:
        """Budget per use case for the current period: amount, spent, remaining, paused."""
        return Budgets(
            budgets=[
                BudgetStatus.model_validate(b) for b in await budgets_now(deps.db, deps.clock(), use_case)
            ]
        )

    return server


async def _require_in_catalogue(db: Database, skus: list[str], category: str | None) -> None:
    """Refuse a moment that names products or a category the catalogue does not have: the scorer
    would otherwise scope offers to them."""
    if not skus and category is None:
        return
    async with db.session() as session:
        known = (
            set((await session.scalars(select(Product.sku).where(Product.sku.in_(skus)))).all())
            if skus
            else set()
        )
        if missing := [sku for sku in skus if sku not in known]:
            raise NotFound(f"no product with sku {', '.join(map(repr, missing))} in the catalogue")
        if (
            category is not None
            and await session.scalar(select(Category.id).where(func.lower(Category.name) == category.lower()))
            is None
        ):
            raise NotFound(f"no category {category!r}")
