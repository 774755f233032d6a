"""The retailer's offer templates (one or more per OfferType) and this period's budgets.

Historical campaigns in the seeded world use these codes, so orders, contacts and outcomes refer
to real templates; agents later propose from the same list.
"""

from dataclasses import dataclass

import numpy as np

from policies.vocabulary import OfferType, UseCase
from tools.world.population import BudgetsSpec
from tools.world.timeline import Timeline


@dataclass(frozen=True)
class OfferTemplateSpec:
    code: str
    type: OfferType
    description: str
    discount_pct: float | None = None
    amount_off: float | None = None
    points_multiplier: float | None = None
    bonus_points: int | None = None
    min_spend: float = 0.0


OFFER_TEMPLATES: tuple[OfferTemplateSpec, ...] = (
    OfferTemplateSpec("REMINDER", OfferType.NONE, "A reminder with no incentive"),
    OfferTemplateSpec("NEWIN", OfferType.NONE, "New arrivals, no incentive"),
    OfferTemplateSpec("PCT10", OfferType.PERCENT_OFF, "10% off", discount_pct=10),
    OfferTemplateSpec("PCT15", OfferType.PERCENT_OFF, "15% off", discount_pct=15),
    OfferTemplateSpec("PCT20", OfferType.PERCENT_OFF, "20% off", discount_pct=20),
    OfferTemplateSpec("PCT25", OfferType.PERCENT_OFF, "25% off", discount_pct=25),
    OfferTemplateSpec(
        "AMT10", OfferType.AMOUNT_OFF, "$10 off when you spend $60", amount_off=10, min_spend=60
    ),
    OfferTemplateSpec(
        "AMT20", OfferType.AMOUNT_OFF, "$20 off when you spend $120", amount_off=20, min_spend=120
    ),
    OfferTemplateSpec("FREESHIP", OfferType.FREE_SHIPPING, "Free shipping, no minimum"),
    OfferTemplateSpec(
        "BONUS500",
        OfferType.BONUS_POINTS,
        "500 bonus points when you spend $50",
        bonus_points=500,
        min_spend=50,
    ),
    OfferTemplateSpec("DOUBLEPTS", OfferType.POINTS_MULTIPLIER, "Double points", points_multiplier=2),
    OfferTemplateSpec(
        "TRIPLEPTS",
        OfferType.POINTS_MULTIPLIER,
        "Triple points when you spend $100",
        points_multiplier=3,
        min_spend=100,
    ),
    OfferTemplateSpec(
        "BUNDLE15", OfferType.BUNDLE, "15% off two or more items that go together", discount_pct=15
    ),
    OfferTemplateSpec("EARLYACCESS", OfferType.EARLY_ACCESS, "48-hour early access to the new collection"),
    OfferTemplateSpec("GIFT80", OfferType.GIFT, "A free gift when you spend $80", min_spend=80),
)

OFFERS_BY_CODE = {t.code: t for t in OFFER_TEMPLATES}
# Generated rows refer to templates by position in OFFER_TEMPLATES, so per-row lookups are array indexing.
OFFER_INDEX = {t.code: i for i, t in enumerate(OFFER_TEMPLATES)}
OFFER_CODES = np.array([t.code for t in OFFER_TEMPLATES], dtype=object)


@dataclass(frozen=True)
class BudgetRows:
    use_case: list[str]
    amount: np.ndarray  # dollars
    spent: np.ndarray
    period_start: np.datetime64
    period_end: np.datetime64


def current_budgets(spec: BudgetsSpec, clock: Timeline, rng: np.random.Generator) -> BudgetRows:
    """One budget per use case from the start of the month holding the end date, partly spent
    already, to the end of the month holding the day after it: the day after the world ends (its
    "today" when seeded to end yesterday) is always covered, even when the world ends on a month's
    last day (the period then spans two months)."""
    month = np.datetime64(clock.last, "M")
    following = (np.datetime64(clock.last, "D") + 1).astype("datetime64[M]")
    use_cases = [u.value for u in UseCase]
    amount = np.array([spec.amount[u] for u in use_cases])
    spent = np.round(amount * rng.uniform(spec.spent_share.low, spec.spent_share.high, len(amount)), 2)
    return BudgetRows(
        use_cases, amount, spent, month.astype("datetime64[us]"), (following + 1).astype("datetime64[us]")
    )
