"""How members respond to what a policy sent: the hidden response model, applied and recorded.

Each delivered message is exposed to `tools.world.response.ResponseModel` with the member's
hidden traits (responsiveness, price sensitivity, preferred hour, lapsed or not) and the contact
pressure they are under. Opens, clicks, orders, redemptions, unsubscribes and complaints are drawn
from it and written back as the product would see them (outcomes, orders, withdrawn consent), so
the policy learns only from observed data. The ledger keeps the true incremental effect: an
offer-driven order that would have happened anyway (the `cannibalisation` share) adds no revenue
and costs its discount. Opened offers that led to no order are handed back to the caller: the member
holds them and may use them on an order of their own (`evals.simulation.own_orders`).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select

from evals.simulation.environment import SimWorld
from policies.model import Valuation
from policies.vocabulary import OfferType
from tools.members import withdraw_consents
from tools.storage import Base, Category, Contact, Customer, Product, bulk_insert
from tools.world import OfferTemplateSpec

if TYPE_CHECKING:
    from evals.simulation.expected import Valuer
    from evals.simulation.moments import Moments

# The response model knows e-mail, SMS and push; app and shelf messages behave like a push here.
CHANNEL_INDEX = {"email": 0, "sms": 1, "push": 2, "in_app": 2, "in_store": 2}
SIM_ORDER_BASE = 1_000_000_000  # ids for orders and lines the simulation adds, clear of the replayed ones
MAX_LINES = 3  # lines of an order the simulation draws (its line ids leave room for one more: a bundle's)
PRICE_OFFER_TYPES = (OfferType.PERCENT_OFF, OfferType.AMOUNT_OFF, OfferType.BUNDLE)


@dataclass(frozen=True)
class SentOffer:
    contact_id: int
    customer_id: int
    channel: str
    sent_at: datetime  # naive UTC
    offer_type: OfferType
    discount_pct: float | None = None
    amount_off: float | None = None
    points_multiplier: float | None = None
    bonus_points: int | None = None
    free_shipping: bool = False
    skus: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    use_case: str = "reactivation"
    min_spend: float | None = None
    # naive UTC, as the proposal states it; None: the world's redeem window
    valid_until: datetime | None = None
    predicted_uplift: float = 0.0  # what the policy's own scoring expected (agents only): orders caused ...
    predicted_value: float = 0.0  # ... and incremental value; never used to draw responses
    content: dict[str, Any] | None = field(
        default=None, compare=False, hash=False
    )  # the agents' proposal, as sent

    @property
    def has_incentive(self) -> bool:
        return self.offer_type is not OfferType.NONE


TALLIES = (
    "contacts",
    "offers",
    "price_offers",
    "orders",
    "redemptions",
    "price_redemptions",
    "own_order_redemptions",
    "incremental_revenue",
    "incremental_margin",
    "expected_incremental_margin",
    "discount_spend",
    "predicted_uplift",
    "predicted_value",
)


@dataclass
class Ledger:
    contacts: int = 0
    offers: int = 0  # contacts carrying an incentive
    price_offers: int = 0  # ... of which a price cut (percent, amount, bundle)
    price_redemptions: int = 0  # redemptions of those, on any order
    expected_price_redemptions: float = 0.0  # ... their expectation under the hidden model, without the dice
    opens: int = 0
    clicks: int = 0
    on_hour: int = 0  # contacts sent within an hour of the member's hidden preferred hour (evaluation only)
    orders: int = 0
    redemptions: int = 0
    own_order_redemptions: int = 0  # offers used on orders the member placed on their own
    unsubscribes: int = 0
    complaints: int = 0
    incremental_revenue: float = 0.0
    incremental_margin: float = 0.0
    expected_incremental_margin: float = (
        0.0  # under the hidden model, without the dice (`evals.simulation.expected`)
    )
    discount_spend: float = 0.0
    violations: int = 0
    realised_by_member: dict[int, float] = field(default_factory=dict)  # customer id → incremental margin
    expected_by_member: dict[int, float] = field(default_factory=dict)  # customer id → expected margin
    # ... and by message: the truth an off-policy estimate from the decision log is checked against
    realised_by_contact: dict[int, float] = field(default_factory=dict)  # contact id → incremental margin
    expected_by_contact: dict[int, float] = field(default_factory=dict)  # contact id → expected margin
    predicted_uplift: float = 0.0
    predicted_value: float = 0.0
    by_use_case: dict[str, dict[str, float]] = field(default_factory=dict)  # use case → TALLIES

    def add(self, use_case: str, **amounts: float) -> None:
        """Add to the totals and to `use_case`'s tally (the evidence of where the effect comes from)."""
        tally = self.by_use_case.setdefault(use_case, dict.fromkeys(TALLIES, 0.0))
        for name, amount in amounts.items():
            setattr(self, name, getattr(self, name) + amount)
            tally[name] += amount

    def credit(
        self,
        customer_id: int,
        *,
        realised: float = 0.0,
        expected: float = 0.0,
        contact_id: int | None = None,
    ) -> None:
        """Margin by member (intervals are drawn from how it varies between members) and by message
        (the truth `evals.simulation.offline_check` holds the decision log's estimates against)."""
        self.realised_by_member[customer_id] = self.realised_by_member.get(customer_id, 0.0) + realised
        self.expected_by_member[customer_id] = self.expected_by_member.get(customer_id, 0.0) + expected
        if contact_id is not None:
            self.realised_by_contact[contact_id] = self.realised_by_contact.get(contact_id, 0.0) + realised
            self.expected_by_contact[contact_id] = self.expected_by_contact.get(contact_id, 0.0) + expected

    def record_own_order_redemption(
        self, offer: "SentOffer", cut: float, cost: float, taught: float = 0.0
    ) -> None:
        """An offer used on an order that happened anyway: the price cut is lost revenue, the whole
        cost lost margin (and, for a price cut, the discount expectation it teaches: `taught`)."""
        self.add(
            offer.use_case,
            redemptions=1,
            own_order_redemptions=1,
            discount_spend=cost,
            incremental_revenue=-cut,
            incremental_margin=-cost - taught,
            price_redemptions=int(offer.offer_type in PRICE_OFFER_TYPES),
        )
        self.credit(offer.customer_id, contact_id=offer.contact_id, realised=-cost - taught)


@dataclass(frozen=True)
class Responses:
    held: list[SentOffer]  # opened incentives that led to no order: the member keeps them
    displaced: list[SentOffer]  # offer-driven orders that replaced the member's next own order


@dataclass
class ProductIndex:
    """Products as positions, with what a simulated basket needs to know about them."""

    sku_index: dict[str, int]
    price: np.ndarray
    cost: np.ndarray
    product_id: np.ndarray
    by_category_name: dict[str, np.ndarray]
    by_category_id: dict[int, np.ndarray]
    time_zone: dict[int, str]
    sku_by_product: dict[int, str]  # product id → SKU, for pricing offers against replayed orders
    category_by_product: dict[int, str]  # product id → category name
    category_id_by_name: dict[str, int]
    category_of: np.ndarray  # category id per product position

    def positions(self, skus: tuple[str, ...]) -> list[int]:
        """The positions of the SKUs the catalogue knows, in the order given."""
        return [self.sku_index[s] for s in skus if s in self.sku_index]

    @classmethod
    async def load(cls, world: SimWorld) -> "ProductIndex":
        async with world.db.session() as session:
            rows = (
                await session.execute(
                    select(
                        Product.id, Product.sku, Product.price, Product.unit_cost, Category.id, Category.name
                    )
                    .join(Category, Category.id == Product.category_id)
                    .order_by(Product.id)
                )
            ).all()
            zones = dict((await session.execute(select(Customer.id, Customer.time_zone))).all())
        category_id = np.array([r[4] for r in rows])
        category_name = np.array([r[5] for r in rows], dtype=object)
        return cls(
            sku_index={r[1]: i for i, r in enumerate(rows)},
            price=np.array([r[2] for r in rows]),
            cost=np.array([r[3] for r in rows]),
            product_id=np.array([r[0] for r in rows]),
            by_category_name={c: np.flatnonzero(category_name == c) for c in set(category_name.tolist())},
            by_category_id={int(c): np.flatnonzero(category_id == c) for c in set(category_id.tolist())},
            time_zone=zones,
            sku_by_product={int(r[0]): r[1] for r in rows},
            category_by_product={int(r[0]): r[5] for r in rows},
            category_id_by_name={r[5]: int(r[4]) for r in rows},
            category_of=category_id,
        )


def offer_spec(offer: SentOffer) -> OfferTemplateSpec:
    return OfferTemplateSpec(
        "SIM",
        offer.offer_type,
        "",
        offer.discount_pct,
        offer.amount_off,
        offer.points_multiplier,
        offer.bonus_points,
    )


def _basket(
    offer: SentOffer, member: int, world: SimWorld, catalogue: ProductIndex, rng: np.random.Generator
) -> list[int]:
    """What the member buys when they act on the message: the offer's products, or something from
    its category, or from a category they like (hidden taste); then, like any order of theirs,
    `lines_per_order` lines on average (1 + Poisson, at most three here) from categories they like."""
    known = catalogue.positions(offer.skus)
    if known:
        return known[:MAX_LINES]
    if offer.categories and offer.categories[0] in catalogue.by_category_name:
        first = catalogue.by_category_name[offer.categories[0]]
    else:
        first = _liked(member, world, catalogue, rng)
    extra = min(int(rng.poisson(world.population.behaviour.lines_per_order - 1)), MAX_LINES - 1)
    return [
        int(rng.choice(pool))
        for pool in [first] + [_liked(member, world, catalogue, rng) for _ in range(extra)]
    ]


def _pool_of(catalogue: ProductIndex, product: int) -> np.ndarray:
    """The products of `product`'s category (a bundle adds one that goes with it)."""
    category = catalogue.category_of[product]
    return catalogue.by_category_id.get(int(category), np.array([product]))


def _liked(member: int, world: SimWorld, catalogue: ProductIndex, rng: np.random.Generator) -> np.ndarray:
    taste = world.truth.taste[member]
    chosen = int(world.truth.category_id[rng.choice(len(taste), p=taste / taste.sum())])
    return catalogue.by_category_id.get(chosen, np.arange(len(catalogue.price)))


def offer_cost(
    offer: SentOffer, subtotal: float, scope: float, valuation: Valuation, *, ships: bool = True
) -> tuple[float, float]:
    """(price cut on the order, total cost to the retailer) if the offer is redeemed on an order of
    `subtotal` with `scope` of it in the offer's products; free shipping costs only orders that ship."""
    cut = 0.0
    if offer.discount_pct:
        cut = scope * offer.discount_pct / 100
    elif offer.amount_off:
        cut = min(offer.amount_off, scope)
    points = 0.0
    if offer.points_multiplier:
        points += (
            (offer.points_multiplier - 1) * valuation.points_per_dollar * subtotal * valuation.point_value
        )
    if offer.bonus_points:
        points += offer.bonus_points * valuation.point_value
    shipping = (
        valuation.shipping_cost
        if ships and (offer.free_shipping or offer.offer_type is OfferType.FREE_SHIPPING)
        else 0.0
    )
    return cut, cut + points + shipping


def message_streams(seed: int, offers: list[SentOffer]) -> list[np.random.Generator]:
    """One random stream per message, keyed by the world's seed, the member, the day and the
    channel as the response model knows it (`CHANNEL_INDEX`: app and shelf messages count as push),
    and the message's place among the member's messages on that channel that day. A member's
    response then never depends on who else was messaged or in what order, so decisions taken in
    parallel change only the responses to the messages they change; and every policy meets the
    same numbers for the same member, day and channel (common random numbers)."""
    seen: Counter[tuple[int, int, int]] = Counter()
    streams = []
    for o in offers:
        key = (o.customer_id, o.sent_at.toordinal(), CHANNEL_INDEX[o.channel])
        streams.append(np.random.default_rng([seed, *key, seen[key]]))
        seen[key] += 1
    return streams


async def respond(
    world: SimWorld,
    offers: list[SentOffer],
    catalogue: ProductIndex,
    valuation: Valuation,
    ledger: Ledger,
    seed: int,
    order_counter: list[int],
    valuer: "Valuer",
    moments: "Moments",
) -> Responses:
    """Draw each message's response from the hidden model's probabilities (`evals.simulation.expected`),
    record what the retailer would see, and credit each message's expected and realised margin."""
    if not offers:
        return Responses([], [])
    params = world.response.params
    members = np.searchsorted(world.truth.customer_id, [o.customer_id for o in offers])
    recent = await _recent_counts(world, offers, timedelta(days=params.fatigue_window_days))
    expected = valuer.value(offers, moments, recent)
    p = expected.probabilities
    ledger.on_hour += int((expected.hour_distance <= 1.0).sum())
    streams = message_streams(seed, offers)
    u = np.array([stream.random(7) for stream in streams])
    opened = u[:, 0] < p.open
    clicked = opened & (u[:, 1] < p.click)
    ordered = clicked & (u[:, 2] < p.order)
    unsubscribed = u[:, 3] < p.unsubscribe
    complained = ~unsubscribed & (u[:, 4] < p.complaint)
    anyway = u[:, 5] < expected.anyway
    lift = u[:, 6]
    unsub_value = np.array(params.unsubscribe_value.as_tuple())

    outcomes: dict[str, list[Any]] = {
        k: [] for k in ("contact_id", "customer_id", "type", "occurred_at", "order_id", "revenue", "margin")
    }
    orders: dict[str, list[Any]] = {
        k: []
        for k in (
            "id",
            "external_id",
            "customer_id",
            "placed_at",
            "channel",
            "subtotal",
            "discount_total",
            "total",
            "coupon_code",
            "contact_id",
        )
    }
    lines: dict[str, list[Any]] = {
        k: [] for k in ("id", "order_id", "product_id", "quantity", "unit_price", "unit_cost", "discount")
    }

    def outcome(
        o: SentOffer,
        kind: str,
        hours_after: float,
        order_id: int | None = None,
        revenue: float = 0.0,
        margin: float = 0.0,
    ) -> None:
        for key, v in zip(
            outcomes,
            (
                o.contact_id,
                o.customer_id,
                kind,
                o.sent_at + timedelta(hours=hours_after),
                order_id,
                round(revenue, 2),
                round(margin, 2),
            ),
            strict=True,
        ):
            outcomes[key].append(v)

    held: list[SentOffer] = []
    displaced: list[SentOffer] = []
    for k, o in enumerate(offers):
        ledger.add(
            o.use_case,
            contacts=1,
            offers=int(o.has_incentive),
            predicted_uplift=o.predicted_uplift,
            predicted_value=o.predicted_value,
            expected_incremental_margin=float(expected.value[k]),
            price_offers=int(o.offer_type in PRICE_OFFER_TYPES),
        )
        ledger.credit(o.customer_id, contact_id=o.contact_id, expected=float(expected.value[k]))
        if o.offer_type in PRICE_OFFER_TYPES:
            ledger.expected_price_redemptions += float(expected.redeemed[k])
        if opened[k] and not ordered[k] and o.has_incentive:
            held.append(o)
        if opened[k]:
            ledger.opens += 1
            outcome(o, "open", 0.5)
        if clicked[k]:
            ledger.clicks += 1
            outcome(o, "click", 0.6)
        if unsubscribed[k] or complained[k]:
            kind = "unsubscribe" if unsubscribed[k] else "complaint"
            ledger.unsubscribes += bool(unsubscribed[k])
            ledger.complaints += bool(complained[k])
            loss = float(unsub_value[CHANNEL_INDEX[o.channel]])  # the channel's future value, gone
            ledger.add(o.use_case, incremental_margin=-loss)
            ledger.credit(o.customer_id, contact_id=o.contact_id, realised=-loss)
            outcome(o, kind, 0.7)
        if not ordered[k]:
            continue
        picks = _basket(o, int(members[k]), world, catalogue, streams[k])
        share = (
            params.basket_lift.bundle
            if o.offer_type is OfferType.BUNDLE
            else params.basket_lift.suggestion
            if o.skus
            else 0.0
        )
        if share and lift[k] < share * len(
            picks
        ):  # the bundle or suggestion added an item (about `share` of the basket)
            picks.append(picks[0] if o.skus else int(streams[k].choice(_pool_of(catalogue, picks[0]))))
        subtotal = float(catalogue.price[picks].sum())
        sku_value = float(sum(catalogue.price[k] for k in catalogue.positions(o.skus)))
        cut, cost = offer_cost(o, subtotal, sku_value if o.skus else subtotal, valuation)
        gross_margin = float((catalogue.price[picks] - catalogue.cost[picks]).sum())
        redeemed = cost > 0
        ledger.add(
            o.use_case,
            orders=1,
            redemptions=int(redeemed),
            discount_spend=cost,
            price_redemptions=int(redeemed and o.offer_type in PRICE_OFFER_TYPES),
        )
        taught = float(expected.taught[k]) * cut  # the discount expectation taught, valued now
        if anyway[k]:  # would have bought anyway: no new revenue, and the offer's cost is a loss
            ledger.add(o.use_case, incremental_margin=-cost - taught)
            ledger.credit(o.customer_id, contact_id=o.contact_id, realised=-cost - taught)
            displaced.append(o)
            if redeemed:
                outcome(o, "redeem", 2.0, revenue=0.0, margin=-cost)
            continue
        order_counter[0] += 1
        order_id = SIM_ORDER_BASE + order_counter[0]
        placed = o.sent_at + timedelta(hours=2)
        for key, v in zip(
            orders,
            (
                order_id,
                f"SIM{order_id}",
                o.customer_id,
                placed,
                "online",
                round(subtotal, 2),
                round(cut, 2),
                round(subtotal - cut, 2),
                "SIM" if redeemed else None,
                o.contact_id,
            ),
            strict=True,
        ):
            orders[key].append(v)
        for i, product in enumerate(picks):
            line_id = SIM_ORDER_BASE + (MAX_LINES + 1) * order_counter[0] + i
            for key, v in zip(
                lines,
                (
                    line_id,
                    order_id,
                    int(catalogue.product_id[product]),
                    1,
                    float(catalogue.price[product]),
                    float(catalogue.cost[product]),
                    round(cut, 2) if i == 0 else 0.0,
                ),
                strict=True,
            ):
                lines[key].append(v)
        won_back = float(expected.winback[k])  # a lapsed member's return to their rhythm, valued now
        ledger.add(
            o.use_case,
            incremental_revenue=subtotal - cut,
            incremental_margin=gross_margin - cost + won_back - taught,
        )
        ledger.credit(
            o.customer_id, contact_id=o.contact_id, realised=gross_margin - cost + won_back - taught
        )
        outcome(o, "order", 2.0, order_id, subtotal - cut, gross_margin - cost)
        if redeemed:
            outcome(o, "redeem", 2.0, order_id, subtotal - cut, gross_margin - cost)
    await _write(
        world, orders, lines, outcomes, [o for k, o in enumerate(offers) if unsubscribed[k] or complained[k]]
    )
    return Responses(held, displaced)


async def _recent_counts(world: SimWorld, offers: list[SentOffer], window: timedelta) -> np.ndarray:
    members = {o.customer_id for o in offers}
    earliest = min(o.sent_at for o in offers) - window
    async with world.db.session() as session:
        rows = (
            await session.execute(
                select(Contact.customer_id, Contact.sent_at).where(
                    Contact.customer_id.in_(members), Contact.status == "sent", Contact.sent_at >= earliest
                )
            )
        ).all()
    by_member: dict[int, list[datetime]] = {}
    for member, at in rows:
        by_member.setdefault(member, []).append(at)
    return np.array(
        [
            sum(1 for at in by_member.get(o.customer_id, []) if o.sent_at - window <= at < o.sent_at)
            for o in offers
        ]
    )


async def _write(
    world: SimWorld,
    orders: dict[str, list[Any]],
    lines: dict[str, list[Any]],
    outcomes: dict[str, list[Any]],
    opted_out: list[SentOffer],
) -> None:
    tables = Base.metadata.tables
    async with world.db.engine.begin() as conn:
        await bulk_insert(conn, tables["orders"], orders)
        await bulk_insert(conn, tables["order_lines"], lines)
        await bulk_insert(conn, tables["outcomes"], outcomes)
        await withdraw_consents(conn, [(o.customer_id, o.channel, o.sent_at) for o in opted_out])
