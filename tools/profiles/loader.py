"""Reading a `History` from the database: one member (the real-time path) or all of them (batch),
through the same queries, so both paths see exactly the same records.

Every query keeps only what was recorded strictly before `as_of`. Members who joined later do not
exist yet. The loyalty account (tier, points) is current state with no history; it is shown on the
profile but never used by a prediction, so it cannot leak the future into one.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import DateTime, Integer, Select, and_, bindparam, func, select, true

from tools.profiles.history import (
    CHANNELS,
    EVENT_TYPES,
    ORDER_CHANNELS,
    OUTCOME_TYPES,
    Consents,
    Contacts,
    Events,
    History,
    Lines,
    Members,
    Orders,
    Outcomes,
    day_of,
    to_days,
)
from tools.storage.db import Database
from tools.storage.models import (
    BehaviouralEvent,
    Category,
    ChannelConsent,
    Contact,
    Customer,
    LoyaltyAccount,
    Order,
    OrderLine,
    Outcome,
    Product,
)


async def load_history(db: Database, as_of: datetime, member_id: int | None = None) -> History:
    """All members' history before `as_of`, or one member's when `member_id` is given."""
    queries = ONE_MEMBER if member_id is not None else ALL_MEMBERS
    params = {"as_of": as_of, "member": member_id}
    async with db.engine.connect() as conn:

        async def columns(query: Select[Any]) -> list[np.ndarray]:
            rows = (await conn.execute(query, params)).all()
            width = len(query.selected_columns)
            if not rows:
                return [np.array([], dtype=object) for _ in range(width)]
            return [np.array(column, dtype=object) for column in zip(*rows, strict=True)]

        category = await columns(queries.categories)
        member = await columns(queries.members)
        order = await columns(queries.orders)
        line = await columns(queries.lines)
        contact = await columns(queries.contacts)
        outcome = await columns(queries.outcomes)
        event = await columns(queries.events)
        consent = await columns(queries.consents)

    member_ids = member[0].astype(np.int64)
    order_ids = order[1].astype(np.int64)
    contact_ids = contact[1].astype(np.int64)
    quantity = _floats(line[2])
    return History(
        as_of=day_of(as_of),
        categories=category[1],
        departments=category[2],
        members=Members(
            customer_id=member_ids,
            external_id=member[1], first_name=member[2], last_name=member[3], email=member[4], phone=member[5],
            birth_year=_floats(member[6]), gender=member[7], income_band=member[8],
            household_size=_floats(member[9]), postcode=member[10], locale=member[11], time_zone=member[12],
            joined=_days(member[13]), synced=_synced(member[14], as_of),
            tier=member[15], points_balance=_floats(member[16]), lifetime_points=_floats(member[17]),
        ),
        orders=Orders(
            member=_positions(member_ids, order[0]), at=_days(order[2]), channel=_codes(order[3], ORDER_CHANNELS),
            total=_floats(order[4]), discount=_floats(order[5]), coupon=order[6].astype(bool),
        ),
        lines=Lines(
            order=_positions(order_ids, line[0]),
            category=_positions(category[0].astype(np.int64), line[1]),
            quantity=quantity, gross=quantity * _floats(line[3]), cost=quantity * _floats(line[4]),
            discount=_floats(line[5]),
        ),
        contacts=Contacts(member=_positions(member_ids, contact[0]), at=_days(contact[2]),
                          channel=_codes(contact[3], CHANNELS)),
        outcomes=Outcomes(member=_positions(member_ids, outcome[0]), contact=_positions(contact_ids, outcome[1]),
                          at=_days(outcome[2]), type=_codes(outcome[3], OUTCOME_TYPES)),
        events=Events(member=_positions(member_ids, event[0]), day=_days(event[3]), newest=_days(event[4]),
                      type=_codes(event[1], EVENT_TYPES), channel=_codes(event[2], CHANNELS),
                      count=_floats(event[5])),
        consents=Consents(member=_positions(member_ids, consent[0]), channel=_codes(consent[1], CHANNELS),
                          granted=consent[2].astype(bool), updated=_days(consent[3])),
    )


@dataclass(frozen=True)
class _Queries:
    """The statements behind a History, built once: the real-time path runs them for every
    profile, and a statement object reused keeps SQLAlchemy's compiled form cached."""

    categories: Select[Any]
    members: Select[Any]
    orders: Select[Any]
    lines: Select[Any]
    contacts: Select[Any]
    outcomes: Select[Any]
    events: Select[Any]
    consents: Select[Any]


def _queries(one_member: bool) -> _Queries:
    as_of = bindparam("as_of", type_=DateTime())

    def only(column: Any) -> Any:
        """Rows of the member asked for, or of every member who had joined by `as_of`."""
        if one_member:
            return column == bindparam("member", type_=Integer())
        return column.in_(select(Customer.id).where(Customer.joined_at < as_of))

    c, a, o, line, p, k, oc, e, cs = (
        Customer, LoyaltyAccount, Order, OrderLine, Product, Contact, Outcome, BehaviouralEvent, ChannelConsent
    )
    day = func.date(e.occurred_at)
    return _Queries(
        categories=select(Category.id, Category.name, Category.department).order_by(Category.id),
        members=(
            select(c.id, c.external_id, c.first_name, c.last_name, c.email, c.phone, c.birth_year, c.gender,
                   c.income_band, c.household_size, c.postcode, c.locale, c.time_zone, c.joined_at,
                   c.data_synced_at, a.tier, a.points_balance, a.lifetime_points)
            .outerjoin(a, a.customer_id == c.id)
            .where(c.joined_at < as_of, c.id == bindparam("member", type_=Integer()) if one_member else true())
            .order_by(c.id)
        ),
        orders=(
            select(o.customer_id, o.id, o.placed_at, o.channel, o.total, o.discount_total, o.coupon_code.is_not(None))
            .where(o.placed_at < as_of, only(o.customer_id))
            .order_by(o.customer_id, o.placed_at, o.id)
        ),
        lines=(
            select(line.order_id, p.category_id, line.quantity, line.unit_price, line.unit_cost, line.discount)
            .join(o, o.id == line.order_id)
            .join(p, p.id == line.product_id)
            .where(o.placed_at < as_of, only(o.customer_id))
        ),
        contacts=(
            select(k.customer_id, k.id, k.sent_at, k.channel)
            .where(k.status == "sent", k.sent_at < as_of, only(k.customer_id))
            .order_by(k.id)
        ),
        outcomes=(
            select(oc.customer_id, oc.contact_id, oc.occurred_at, oc.type)
            .join(k, and_(k.id == oc.contact_id, k.status == "sent", k.sent_at < as_of))
            .where(oc.occurred_at < as_of, only(oc.customer_id))
        ),
        events=(
            select(e.customer_id, e.type, e.channel, day, func.max(e.occurred_at), func.count())
            .where(e.occurred_at < as_of, only(e.customer_id))
            .group_by(e.customer_id, e.type, e.channel, day)
        ),
        consents=(
            select(cs.customer_id, cs.channel, and_(cs.granted, cs.opted_out_at.is_(None)), cs.updated_at)
            .where(cs.updated_at < as_of, only(cs.customer_id))
        ),
    )


ONE_MEMBER = _queries(one_member=True)
ALL_MEMBERS = _queries(one_member=False)


def _days(values: np.ndarray) -> np.ndarray:
    if not len(values):
        return np.array([], dtype=float)
    return to_days(np.array(values.tolist(), dtype="datetime64[us]"))


def _synced(values: np.ndarray, as_of: datetime) -> np.ndarray:
    """A sync stamped after `as_of` is something that had not happened yet: treat as none."""
    days = _days(values)
    return np.where(days < day_of(as_of), days, np.nan)


def _floats(values: np.ndarray) -> np.ndarray:
    return values.astype(float)  # None becomes NaN


def _codes(values: np.ndarray, vocabulary: Sequence[str]) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(vocabulary)}
    return np.array([lookup.get(v, -1) for v in values.tolist()], dtype=np.int8)


def _positions(known: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Position of each id in `known` (every id is known to be there)."""
    if not len(ids):
        return np.array([], dtype=np.int64)
    order = np.argsort(known, kind="stable")
    return order[np.searchsorted(known[order], ids.astype(np.int64))]
