"""Putting one case into its copy of the base world: the member, their history, and the tweaks.

Times in a spec are relative to the case's moment; clock-of-day fields (`hour`, `open_hour`) are
the member's local time. Everything random (which product of a category, which orders carry the
minority category, small gaps between orders) is drawn from a generator seeded by the suite seed
and the case id, so a case builds the same world on every run.
"""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evals.harness.specs import ContactSpec, EventSpec, ItemRef, LineSpec, MemberSpec, OrderSpec, WorldTweaks
from evals.harness.suite import Case
from policies.vocabulary import Channel, EventType, OutcomeType
from tools.errors import InvalidInput
from tools.storage import (
    BehaviouralEvent,
    Budget,
    Category,
    ChannelConsent,
    CompetitorSignal,
    Contact,
    Customer,
    Database,
    Inventory,
    LoyaltyAccount,
    Order,
    OrderLine,
    Outcome,
    Product,
)
from tools.time import to_storage

GAP_JITTER = 0.15  # orders and messages in a pattern are spaced every_days ± 15%


class FixtureError(InvalidInput, ValueError):
    """The case names something the world does not have (a category, a SKU)."""


@dataclass(frozen=True)
class CatalogueItem:
    product_id: int
    sku: str
    name: str
    category: str
    category_id: int
    price: float
    unit_cost: float


@dataclass(frozen=True)
class PlacedCase:
    """What the runner needs to know about the case once it is in the world."""

    customer_id: int
    trigger: dict[str, object]
    basket_value: float | None  # what an amount-off applies to when the offer names no SKUs
    local_zone: str
    quiet_hours: tuple[int, int]


class _Catalogue:
    def __init__(self, items: Sequence[CatalogueItem], rng: np.random.Generator) -> None:
        self._by_sku = {item.sku: item for item in items}
        self._by_category: dict[str, list[CatalogueItem]] = {}
        for item in sorted(items, key=lambda i: i.sku):
            self._by_category.setdefault(item.category.lower(), []).append(item)
        self._keys: dict[str, str] = {}
        self._rng = rng

    def add(self, key: str, item: CatalogueItem) -> None:
        self._keys[key] = item.sku
        self._by_sku[item.sku] = item

    def category_id(self, name: str) -> int:
        items = self._by_category.get(name.lower())
        if not items:
            raise FixtureError(f"no category {name!r} in the catalogue")
        return items[0].category_id

    def resolve(self, ref: ItemRef) -> CatalogueItem:
        if ref.product is not None:
            sku = self._keys.get(ref.product, ref.product)
            if sku not in self._by_sku:
                raise FixtureError(f"no product {ref.product!r} (neither a case product key nor a SKU)")
            return self._by_sku[sku]
        assert ref.category is not None
        items = self._by_category.get(ref.category.lower())
        if not items:
            raise FixtureError(f"no category {ref.category!r} in the catalogue")
        return items[int(self._rng.integers(len(items)))]

    def in_category(self, name: str) -> list[CatalogueItem]:
        return list(self._by_category.get(name.lower(), []))


def case_rng(seed: int, case_id: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}:{case_id}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


async def place_case(db: Database, case: Case, now: datetime, seed: int) -> PlacedCase:
    """Insert the case's tweaks and member into `db` (a private copy of the base world)."""
    rng = case_rng(seed, case.id)
    moment = to_storage(now)
    async with db.session() as session, session.begin():
        rows = (
            await session.execute(
                select(
                    Product.id,
                    Product.sku,
                    Product.name,
                    Category.name,
                    Category.id,
                    Product.price,
                    Product.unit_cost,
                ).join(Category, Category.id == Product.category_id)
            )
        ).all()
        catalogue = _Catalogue([CatalogueItem(*row) for row in rows], rng)
        await _tweak_world(session, case.world, catalogue, moment)
        member = case.member
        customer = _customer(case, moment)
        session.add(customer)
        await session.flush()
        cid = customer.id
        session.add_all(_consents(cid, member, moment))
        session.add(_account(cid, member, moment))
        writer = _HistoryWriter(cid, case.id, member, moment, catalogue, rng)
        for spec in member.orders:
            await writer.orders(session, spec)
        for spec in member.events:
            writer.events(session, spec)
        for spec in member.contacts:
            await writer.contacts(session, spec)
        basket = await _typical_basket(session, cid, moment)
    cart = [catalogue.resolve(ref) for ref in case.moment.cart]
    trigger = _trigger(case, cid, cart)
    return PlacedCase(
        customer_id=cid,
        trigger=trigger,
        basket_value=sum(i.price for i in cart) or basket,
        local_zone=member.time_zone,
        quiet_hours=member.quiet_hours,
    )


def _trigger(case: Case, customer_id: int, cart: list[CatalogueItem]) -> dict[str, object]:
    """The trigger JSON, shaped as the runtime's worker hands triggers to the orchestrator."""
    moment = case.moment
    context: dict[str, object] = {}
    anchor = moment.anchor_category or (cart[0].category if cart else None)
    if anchor is not None:
        context["anchor_category"] = anchor
    if cart:
        context["cart_skus"] = [item.sku for item in cart]
        context["cart_value"] = round(sum(item.price for item in cart), 2)
    if moment.competitor_discount_pct is not None:
        context["competitor_discount_pct"] = moment.competitor_discount_pct
    if moment.sequence_step is not None:
        context["sequence_step"] = moment.sequence_step
    return {
        "customer_id": customer_id,
        "use_case": moment.use_case.value,
        "trigger": moment.trigger,
        "context": context,
    }


async def _tweak_world(
    session: AsyncSession, tweaks: WorldTweaks, catalogue: _Catalogue, now: datetime
) -> None:
    for spec in tweaks.products:
        category_id = catalogue.category_id(spec.category)
        product = Product(
            sku=f"EVAL-{spec.key.upper()}",
            name=spec.name,
            category_id=category_id,
            price=spec.price,
            unit_cost=spec.unit_cost,
            season="all",
            full_price_only=spec.full_price_only,
            launched_at=None
            if spec.launched_days_ago is None
            else now - timedelta(days=spec.launched_days_ago),
        )
        session.add(product)
        await session.flush()
        session.add(
            Inventory(
                product_id=product.id,
                on_hand=spec.on_hand,
                weekly_demand=spec.weekly_demand,
                clearance=spec.clearance,
                updated_at=now,
            )
        )
        catalogue.add(
            spec.key,
            CatalogueItem(
                product.id, product.sku, spec.name, spec.category, category_id, spec.price, spec.unit_cost
            ),
        )
    for stock in tweaks.stock:
        items = [catalogue.resolve(stock)] if stock.product else catalogue.in_category(stock.category or "")
        if not items:
            raise FixtureError(f"no products in category {stock.category!r}")
        values: dict[str, object] = {"on_hand": stock.on_hand, "updated_at": now}
        if stock.clearance is not None:
            values["clearance"] = stock.clearance
        await session.execute(
            update(Inventory).where(Inventory.product_id.in_([i.product_id for i in items])).values(**values)
        )
    for signal in tweaks.competitors:
        session.add(
            CompetitorSignal(
                competitor=signal.competitor,
                category_id=catalogue.category_id(signal.category),
                discount_pct=signal.discount_pct,
                starts_at=now - timedelta(days=signal.started_days_ago),
                ends_at=now + timedelta(days=signal.ends_in_days),
                description=f"{signal.competitor}: {signal.discount_pct:g}% off {signal.category.lower()}",
            )
        )
    for spec in tweaks.budgets:
        budget = await session.scalar(
            select(Budget).where(
                Budget.use_case == spec.use_case.value, Budget.period_start <= now, Budget.period_end > now
            )
        )
        if budget is None:
            raise FixtureError(f"the base world has no current {spec.use_case.value} budget to change")
        amount = budget.amount if spec.amount is None else spec.amount
        spent = min(budget.spent if spec.spent is None else spec.spent, amount)
        budget.amount, budget.spent = amount, spent
        if spec.paused is not None:
            budget.paused = spec.paused


def _customer(case: Case, now: datetime) -> Customer:
    member = case.member
    slug = hashlib.sha256(case.id.encode()).hexdigest()[:10]
    has_phone = member.consents.get(Channel.SMS, False) or Channel.SMS in member.opted_out
    return Customer(
        external_id=f"eval-{slug}",
        first_name=member.first_name,
        last_name=member.last_name,
        email=f"member.{slug}@example.com",
        phone=f"+61491570{int(slug[:6], 16) % 1000:03d}" if has_phone else None,
        birth_year=member.birth_year,
        gender=member.gender,
        postcode=member.postcode,
        locale=member.locale,
        time_zone=member.time_zone,
        quiet_start_hour=member.quiet_hours[0],
        quiet_end_hour=member.quiet_hours[1],
        joined_at=now - timedelta(days=member.joined_days_ago),
        data_synced_at=None
        if member.data_synced_days_ago is None
        else now - timedelta(days=member.data_synced_days_ago),
        notes=member.notes,
    )


def _consents(customer_id: int, member: MemberSpec, now: datetime) -> list[ChannelConsent]:
    joined = now - timedelta(days=member.joined_days_ago)
    rows = []
    for channel in Channel:
        if channel is Channel.IN_STORE:
            granted = True  # shown at the till: no marketing consent needed
        elif channel is Channel.IN_APP:
            granted = member.app_user
        else:
            granted = member.consents.get(channel, False)
        opted_out = channel in member.opted_out
        # An opt-out keeps its moment (a month ago); consent otherwise dates from joining.
        when = now - timedelta(days=30) if opted_out else joined
        rows.append(
            ChannelConsent(
                customer_id=customer_id,
                channel=channel.value,
                granted=granted and not opted_out,
                opted_out_at=when if opted_out else None,
                updated_at=when,
            )
        )
    return rows


def _account(customer_id: int, member: MemberSpec, now: datetime) -> LoyaltyAccount:
    lifetime = member.lifetime_points if member.lifetime_points is not None else member.points_balance
    return LoyaltyAccount(
        customer_id=customer_id,
        tier=member.tier.value,
        points_balance=member.points_balance,
        lifetime_points=lifetime,
        enrolled_at=now - timedelta(days=member.joined_days_ago),
    )


class _HistoryWriter:
    """Writes one member's orders, events and messages, numbering their external keys."""

    def __init__(
        self,
        customer_id: int,
        case_id: str,
        member: MemberSpec,
        now: datetime,
        catalogue: _Catalogue,
        rng: np.random.Generator,
    ) -> None:
        self._cid, self._member, self._now, self._catalogue, self._rng = (
            customer_id,
            member,
            now,
            catalogue,
            rng,
        )
        self._zone = ZoneInfo(member.time_zone)
        self._prefix = f"eval-{hashlib.sha256(case_id.encode()).hexdigest()[:10]}"
        self._serial = 0

    def _key(self, kind: str) -> str:
        self._serial += 1
        return f"{self._prefix}-{kind}{self._serial:05d}"

    def _spaced(self, newest_days_ago: float, count: int, every_days: float) -> list[float]:
        """Days ago of `count` occurrences, the newest exactly at `newest_days_ago`."""
        ago, days = newest_days_ago, []
        for _ in range(count):
            days.append(ago)
            ago += every_days * (1 + GAP_JITTER * float(self._rng.uniform(-1, 1)))
        return days

    def _at_local_hour(self, days_ago: float, hour: int) -> datetime:
        """That day (in the member's zone) at `hour` local, as naive UTC, never after now."""
        day = (self._now - timedelta(days=days_ago)).replace(tzinfo=UTC).astimezone(self._zone)
        moment = day.replace(hour=hour, minute=int(self._rng.integers(0, 50)), second=0, microsecond=0)
        naive = to_storage(moment)
        while naive >= self._now:
            naive -= timedelta(days=1)
        return naive

    def _line_items(self, spec: OrderSpec, count: int) -> list[list[tuple[LineSpec | ItemRef, float | None]]]:
        if spec.lines:
            return [[(line, line.price) for line in spec.lines] for _ in range(count)]
        # Largest remainder: the mix's shares become whole orders, then their order is shuffled.
        total = sum(spec.mix.values())
        exact = {name: count * share / total for name, share in spec.mix.items()}
        whole = {name: math.floor(value) for name, value in exact.items()}
        for name in sorted(exact, key=lambda n: whole[n] - exact[n])[: count - sum(whole.values())]:
            whole[name] += 1
        names = [name for name, n in whole.items() for _ in range(n)]
        self._rng.shuffle(names)
        return [[(ItemRef(category=name), spec.price)] for name in names]

    async def orders(self, session: AsyncSession, spec: OrderSpec) -> None:
        for days_ago, lines in zip(
            self._spaced(spec.days_ago, spec.count, spec.every_days),
            self._line_items(spec, spec.count),
            strict=True,
        ):
            placed = self._at_local_hour(days_ago, spec.hour)
            rows = []
            for ref, price in lines:
                item = self._catalogue.resolve(ref)
                quantity = ref.quantity if isinstance(ref, LineSpec) else 1
                unit_price = price or item.price
                # Keep the product's margin rate when the case sets its own price.
                unit_cost = round(item.unit_cost * unit_price / item.price, 2)
                discount = round(unit_price * quantity * spec.discount_pct / 100, 2)
                rows.append((item, quantity, unit_price, unit_cost, discount))
            subtotal = round(sum(q * p for _, q, p, _, _ in rows), 2)
            discount_total = round(sum(d for *_, d in rows), 2)
            order = Order(
                external_id=self._key("o"),
                customer_id=self._cid,
                placed_at=placed,
                channel=spec.channel,
                subtotal=subtotal,
                discount_total=discount_total,
                total=round(subtotal - discount_total, 2),
                coupon_code="EVALSAVE" if spec.coupon else None,
            )
            session.add(order)
            await session.flush()
            session.add_all(
                OrderLine(
                    order_id=order.id,
                    product_id=item.product_id,
                    quantity=q,
                    unit_price=p,
                    unit_cost=c,
                    discount=d,
                )
                for item, q, p, c, d in rows
            )
            session.add(
                BehaviouralEvent(
                    idempotency_key=self._key("e"),
                    customer_id=self._cid,
                    type=EventType.PURCHASE.value,
                    occurred_at=placed,
                    product_id=rows[0][0].product_id,
                    category_id=rows[0][0].category_id,
                    channel=spec.channel,
                    value=order.total,
                    payload={"order": order.external_id},
                )
            )

    def events(self, session: AsyncSession, spec: EventSpec) -> None:
        item = self._catalogue.resolve(spec.item) if spec.item is not None else None
        value = spec.value
        if value is None and item is not None and spec.type in (EventType.CART_ADD, EventType.CHECKOUT_START):
            value = item.price
        channel = spec.channel.value if spec.channel is not None else "online"
        for n in range(spec.count):
            hours_ago = spec.newest_hours_ago + n * spec.every_hours
            session.add(
                BehaviouralEvent(
                    idempotency_key=self._key("e"),
                    customer_id=self._cid,
                    type=spec.type.value,
                    occurred_at=self._now - timedelta(hours=hours_ago),
                    product_id=item.product_id if item else None,
                    category_id=item.category_id if item else None,
                    channel=channel,
                    session_id=self._key("s"),
                    value=value,
                )
            )

    async def contacts(self, session: AsyncSession, spec: ContactSpec) -> None:
        sends = self._spaced(spec.days_ago, spec.count, spec.every_days)
        opened = _spread(len(sends), spec.opened)
        opened_at = [i for i, hit in enumerate(opened) if hit]
        # Clicks are spread over the opened messages (a click is also an open).
        clicks = _spread(len(opened_at), spec.clicked / spec.opened if spec.opened else 0.0)
        clicked = {i for i, hit in zip(opened_at, clicks, strict=True) if hit}
        for index, days_ago in enumerate(sends):
            sent = self._at_local_hour(days_ago, spec.hour)
            contact = Contact(
                idempotency_key=self._key("c"),
                customer_id=self._cid,
                channel=spec.channel.value,
                use_case=spec.use_case.value if spec.use_case else None,
                campaign="eval-history",
                subject=None if spec.channel is Channel.SMS else "News from us",
                body="A message from earlier.",
                status="sent",
                attempts=1,
                scheduled_at=sent,
                sent_at=sent,
            )
            session.add(contact)
            await session.flush()
            if not opened[index]:
                continue
            seen = self._response_time(sent, spec.open_hour if spec.open_hour is not None else spec.hour)
            responses = [(OutcomeType.OPEN, EventType.MESSAGE_OPEN, seen)]
            if index in clicked:
                responses.append((OutcomeType.CLICK, EventType.MESSAGE_CLICK, seen + timedelta(minutes=3)))
            for outcome, event, at in responses:
                session.add(
                    Outcome(contact_id=contact.id, customer_id=self._cid, type=outcome.value, occurred_at=at)
                )
                session.add(
                    BehaviouralEvent(
                        idempotency_key=self._key("e"),
                        customer_id=self._cid,
                        type=event.value,
                        occurred_at=at,
                        channel=spec.channel.value,
                    )
                )

    def _response_time(self, sent: datetime, hour: int) -> datetime:
        """The first moment at `hour` local after the message arrived (same day or the next), before now."""
        local = sent.replace(tzinfo=UTC).astimezone(self._zone)
        at = local.replace(hour=hour, minute=int(self._rng.integers(0, 50)))
        if at <= local:
            at = local + timedelta(minutes=10) if hour == local.hour else at + timedelta(days=1)
        naive = to_storage(at)
        return min(naive, self._now - timedelta(minutes=1))


def _spread(count: int, share: float) -> list[bool]:
    """Exactly round(count * share) hits, evenly spread (newest first gets the first hit)."""
    return [math.floor((i + 1) * share + 0.5) > math.floor(i * share + 0.5) for i in range(count)]


async def _typical_basket(session: AsyncSession, customer_id: int, now: datetime) -> float | None:
    """The member's average order over the last year: what an order-level amount-off applies to."""
    totals = (
        await session.scalars(
            select(Order.subtotal).where(
                Order.customer_id == customer_id,
                Order.placed_at >= now - timedelta(days=365),
                Order.placed_at < now,
            )
        )
    ).all()
    return round(float(np.mean(totals)), 2) if totals else None
