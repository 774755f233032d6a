"""What the offers-inventory tools return, field by field (their output schemas)."""

from pydantic import BaseModel, Field

from policies.proposal import OfferProposal
from tools.time import UtcTimestamp


class OfferTemplate(BaseModel):
    code: str
    type: str
    description: str
    discount_pct: float | None
    amount_off: float | None
    points_multiplier: float | None
    bonus_points: int | None
    min_spend: float | None
    active: bool


class OfferTemplates(BaseModel):
    templates: list[OfferTemplate]


class StockItem(BaseModel):
    sku: str
    name: str
    category: str
    price: float
    margin_rate: float = Field(description="(price - unit cost) / price.")
    season: str | None
    full_price_only: bool = Field(description="Never discounted.")
    on_hand: int
    weeks_of_cover: float | None = Field(description="On hand / weekly demand; null without demand.")
    clearance: bool


class Stock(BaseModel):
    items: list[StockItem]


class BundleItem(BaseModel):
    sku: str
    name: str
    category: str
    price: float
    score: float
    reason: str


class Bundle(BaseModel):
    anchor_category: str
    items: list[BundleItem]


class BudgetStatus(BaseModel):
    use_case: str
    amount: float
    spent: float
    remaining: float
    period_start: UtcTimestamp
    period_end: UtcTimestamp
    paused: bool


class Budgets(BaseModel):
    budgets: list[BudgetStatus]


class Anchor(BaseModel):
    category: str | None = Field(description="The category the message is about.")
    product: str | None
    replenishment_due: bool = Field(description="A regularly bought category now due.")


class ScoredCandidate(BaseModel):
    action: str
    do_nothing: bool
    offer_type: str
    channel: str | None
    propensity: float = Field(description="P(buy | action).")
    uplift: float = Field(description="P(buy | action) - P(buy | nothing).")
    expected_margin: float
    cost: float = Field(description="Expected cost: redemption-weighted offer cost plus contact cost.")
    cost_if_redeemed: float
    fatigue_penalty: float
    value: float = Field(description="Net expected value; the ranking key.")
    expected_value: float | None = Field(
        None,
        description="The value at the posterior means (what `value` is when the decision does not explore).",
    )
    choice_probability: float | None = Field(
        None,
        description="The probability that the scoring policy (greedy, or exploring) chooses this action; "
        "logged for off-policy evaluation.",
    )
    rationale: str
    send_at: UtcTimestamp | None = None
    valid_until: UtcTimestamp | None = None
    discount_pct: float | None = None
    amount_off: float | None = None
    points_multiplier: float | None = None
    bonus_points: int | None = None
    free_shipping: bool = False
    skus: list[str] = []
    categories: list[str] = []
    draft: OfferProposal | None = Field(
        None,
        description="This action as a complete proposal with plain placeholder copy: replace `message` "
        "with your own, then pass it to check_proposal. Null for doing nothing.",
    )


class Scoring(BaseModel):
    customer_id: int
    use_case: str
    p_buy_without_contact: float
    basket_value: float
    anchor: Anchor
    sequence_step: int
    use_case_paused: bool
    not_applicable: str | None = Field(
        description="Why the use case does not apply to this member now, if so."
    )
    unreachable: str | None = Field(
        None,
        description="Why no channel can carry an action now (no consented channel, budget exhausted or "
        "absent), if none can.",
    )
    sms_opt_out_text: str = Field(description="Text every SMS must contain.")
    candidates: list[ScoredCandidate] = Field(description="Best first; doing nothing is always among them.")
    exploring: bool = Field(description="Scored with posterior draws (exploration), not the means.")
