"""KPIs per use case over a period, and the same over every order as a reference row.

Per use case, the cohort is the messages sent in the period for it (campaign messages without a
use case are grouped as `unassigned`); their outcomes count when they happened before the period
ended (so a report on a closed period reads the same tomorrow). Order KPIs per use case are over
the orders attributed to those messages (`orders.contact_id`); the `all orders` row is every order
placed in the period, organic ones included. Each figure is one grouped query.
"""

from pydantic import BaseModel, computed_field
from sqlalchemy import String, and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from policies.vocabulary import OutcomeType
from tools.reporting.incrementality import order_costs
from tools.reporting.period import Period
from tools.storage import Contact, Order, OrderLine, Outcome, Product

ALL = "all orders"
UNASSIGNED = "unassigned"


class KpiRow(BaseModel):
    group: str  # a use case, `unassigned`, or `all orders`
    contacts: int = 0  # messages sent
    offers: int = 0  # messages carrying an offer code
    redemptions: int = 0
    conversions: int = 0  # messages followed by an attributed order outcome
    unsubscribes: int = 0
    orders: int = 0
    revenue: float = 0.0
    margin: float = 0.0
    discount: float = 0.0  # discount spend: what the orders were given off
    items: int = 0
    buyers: int = 0
    buyer_categories: int = 0  # distinct (buyer, category) pairs

    @staticmethod
    def _ratio(top: float, bottom: float) -> float | None:
        return top / bottom if bottom else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def redemption_rate(self) -> float | None:
        return self._ratio(self.redemptions, self.offers)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def conversion_rate(self) -> float | None:
        return self._ratio(self.conversions, self.contacts)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unsubscribe_rate(self) -> float | None:
        return self._ratio(self.unsubscribes, self.contacts)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def aov(self) -> float | None:
        return self._ratio(self.revenue, self.orders)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def items_per_order(self) -> float | None:
        return self._ratio(self.items, self.orders)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def margin_per_order(self) -> float | None:
        return self._ratio(self.margin, self.orders)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def category_penetration(self) -> float | None:
        """Categories bought per buyer: how far into the range members go."""
        return self._ratio(self.buyer_categories, self.buyers)


RATES = (
    "redemption_rate",
    "conversion_rate",
    "unsubscribe_rate",
    "aov",
    "items_per_order",
    "margin_per_order",
    "category_penetration",
)


async def kpis(conn: AsyncConnection, period: Period) -> list[KpiRow]:
    """One row per use case with messages or attributed orders in the period, then `all orders`."""
    rows: dict[str, dict[str, float]] = {}

    def put(group: str | None, **values: float) -> None:
        rows.setdefault(group or UNASSIGNED, {}).update(values)

    sent = and_(Contact.status == "sent", Contact.sent_at >= period.since, Contact.sent_at < period.until)
    for use_case, contacts, offers in await conn.execute(
        select(Contact.use_case, func.count(), func.count(Contact.offer_code))
        .where(sent)
        .group_by(Contact.use_case)
    ):
        put(use_case, contacts=contacts, offers=offers)

    responses = {
        OutcomeType.REDEEM.value: "redemptions",
        OutcomeType.ORDER.value: "conversions",
        OutcomeType.UNSUBSCRIBE.value: "unsubscribes",
    }
    for use_case, kind, n in await conn.execute(
        select(Contact.use_case, Outcome.type, func.count(func.distinct(Outcome.contact_id)))
        .join(Contact, Contact.id == Outcome.contact_id)
        .where(sent, Outcome.type.in_(list(responses)), Outcome.occurred_at < period.until)
        .group_by(Contact.use_case, Outcome.type)
    ):
        put(use_case, **{responses[kind]: n})

    for group, values in (await _orders(conn, period)).items():
        put(group, **values)
    out = [KpiRow(group=g, **v) for g, v in sorted(rows.items()) if g != ALL]
    # Messages and their responses over every use case; order figures over every order.
    messages = {
        k: sum(getattr(r, k) for r in out)
        for k in ("contacts", "offers", "redemptions", "conversions", "unsubscribes")
    }
    return [*out, KpiRow(group=ALL, **(rows.get(ALL, {}) | messages))]


async def _orders(conn: AsyncConnection, period: Period) -> dict[str | None, dict[str, float]]:
    """Order figures per use case of the attributed message, and over all orders."""
    costs = order_costs(period)
    placed = and_(Order.placed_at >= period.since, Order.placed_at < period.until)
    out: dict[str | None, dict[str, float]] = {}
    for attributed in (True, False):
        group = Contact.use_case if attributed else literal(ALL, String)
        base = select(
            group.label("grp"), Order.id, Order.customer_id, Order.total, Order.discount_total
        ).where(placed)
        if attributed:
            base = base.join(Contact, Contact.id == Order.contact_id)
        orders = base.subquery()
        totals = (
            select(
                orders.c.grp,
                func.count(),
                func.coalesce(func.sum(orders.c.total), 0),
                func.coalesce(func.sum(orders.c.total - func.coalesce(costs.c.cost, 0)), 0),
                func.coalesce(func.sum(orders.c.discount_total), 0),
                func.coalesce(func.sum(costs.c.item_count), 0),
                func.count(func.distinct(orders.c.customer_id)),
            )
            .outerjoin(costs, costs.c.order_id == orders.c.id)
            .group_by(orders.c.grp)
        )
        for grp, n, revenue, margin, discount, items, buyers in await conn.execute(totals):
            out[grp] = {
                "orders": n,
                "revenue": float(revenue),
                "margin": float(margin),
                "discount": float(discount),
                "items": int(items),
                "buyers": buyers,
            }
        pairs = (
            select(orders.c.grp, orders.c.customer_id, Product.category_id)
            .join(OrderLine, OrderLine.order_id == orders.c.id)
            .join(Product, Product.id == OrderLine.product_id)
            .where(OrderLine.quantity > 0)
            .distinct()
            .subquery()
        )
        for grp, n in await conn.execute(select(pairs.c.grp, func.count()).group_by(pairs.c.grp)):
            out.setdefault(grp, {})["buyer_categories"] = n
    return out
