"""The behavioural event stream: what members did, in time order.

- Online and app orders leave a checkout session: a cart_add per line, then the purchase. Store
  orders leave the purchase. Their session id is the order's ("o<order id>").
- Browsing sessions ("b<n>") leave an optional search, product views, and for abandoned carts a
  cart_add with no purchase, sometimes followed by checkout_start (abandoned at checkout) or
  cart_remove. A purchase implies its checkout (and a store purchase its visit), so those are not
  logged twice; store_visit marks visits that bought nothing.
- Messages leave message_open / message_click / unsubscribe / complaint events on their channel,
  with the contact id in the payload, matching the outcomes table.
- App users open the app now and then; store shoppers sometimes visit without buying.
"""

import json
from dataclasses import dataclass

import numpy as np

from policies.vocabulary import EventType
from tools.world.activity import Activity
from tools.world.baskets import Baskets
from tools.world.catalogue import Catalogue
from tools.world.clocks import LocalClocks
from tools.world.contacts import NOT, Contacts
from tools.world.labels import padded
from tools.world.members import MESSAGE_CHANNELS, Members
from tools.world.orders import APP, ONLINE, ORDER_CHANNELS, STORE, STORE_HOURS, Orders
from tools.world.population import Population
from tools.world.sessions import Sessions, days_in_period, expand_counts
from tools.world.timeline import DAY, HOUR, Timeline
from tools.world.traits import Traits

EVENT_TYPES = tuple(EventType)
EVENT_CHANNELS = (*ORDER_CHANNELS, *MESSAGE_CHANNELS)
NO_SESSION, ORDER_SESSION, BROWSE_SESSION = range(3)
STEP = 75  # seconds between clicks in a session


@dataclass(frozen=True)
class Events:
    member: np.ndarray
    type: np.ndarray  # index into EVENT_TYPES
    at: np.ndarray  # seconds since the window start, ascending
    product: np.ndarray  # -1 for none
    category: np.ndarray  # -1 for none
    channel: np.ndarray  # index into EVENT_CHANNELS
    session_kind: np.ndarray
    session_number: np.ndarray  # order id or browse session number
    value: np.ndarray  # cents, -1 for none
    payload: np.ndarray  # object: JSON text or None

    @property
    def count(self) -> int:
        return len(self.member)

    def type_names(self) -> np.ndarray:
        return np.array([t.value for t in EVENT_TYPES], dtype=object)[self.type]

    def session_ids(self) -> np.ndarray:
        ids = np.full(self.count, None, dtype=object)
        for kind, prefix in ((ORDER_SESSION, "o"), (BROWSE_SESSION, "b")):
            rows = self.session_kind == kind
            ids[rows] = padded(prefix, self.session_number[rows], 10)
        return ids


@dataclass
class _Parts:
    """Event columns collected source by source, concatenated once at the end."""

    columns: dict[str, list[np.ndarray]]

    def add(self, n: int, **values: np.ndarray | int | None) -> None:
        defaults: dict[str, np.ndarray | int | None] = {
            "product": -1,
            "category": -1,
            "session_kind": NO_SESSION,
            "session_number": 0,
            "value": -1,
            "payload": None,
        }
        for name, value in (defaults | values).items():
            column = (
                value
                if isinstance(value, np.ndarray)
                else np.full(n, value, dtype=object if value is None else np.int64)
            )
            self.columns.setdefault(name, []).append(column)

    def joined(self, name: str) -> np.ndarray:
        return np.concatenate(self.columns[name])


def _type(t: EventType) -> int:
    return EVENT_TYPES.index(t)


def _order_events(parts: _Parts, orders: Orders, baskets: Baskets, catalogue: Catalogue) -> None:
    order_id = np.arange(1, orders.count + 1)
    in_store = orders.channel == STORE
    lines = np.bincount(baskets.order, minlength=orders.count)
    line_rows = np.flatnonzero(~in_store[baskets.order])
    o = baskets.order[line_rows]
    start = np.cumsum(lines) - lines
    rank_from_end = lines[o] - (line_rows - start[o])
    parts.add(
        len(line_rows),
        member=orders.member[o],
        type=_type(EventType.CART_ADD),
        at=np.maximum(orders.placed_at[o] - 60 - STEP * rank_from_end, 0),
        product=baskets.product[line_rows],
        category=catalogue.category[baskets.product[line_rows]],
        channel=orders.channel[o].astype(np.int64),
        session_kind=ORDER_SESSION,
        session_number=order_id[o],
        value=baskets.unit_price[line_rows] * baskets.quantity[line_rows],
    )
    parts.add(
        orders.count,
        member=orders.member,
        type=_type(EventType.PURCHASE),
        at=orders.placed_at,
        channel=orders.channel.astype(np.int64),
        session_kind=ORDER_SESSION,
        session_number=order_id,
        value=baskets.total,
    )


def _browse_events(parts: _Parts, sessions: Sessions, catalogue: Catalogue) -> None:
    number = np.arange(1, sessions.count + 1)
    channel = np.where(sessions.app, APP, ONLINE)
    searched = np.flatnonzero(sessions.searched)
    queries = np.array(
        [json.dumps({"query": name.lower()}) for name in catalogue.category_name], dtype=object
    )
    parts.add(
        len(searched),
        member=sessions.member[searched],
        type=_type(EventType.SEARCH),
        at=sessions.start[searched],
        category=sessions.category[searched],
        channel=channel[searched],
        session_kind=BROWSE_SESSION,
        session_number=number[searched],
        payload=queries[sessions.category[searched]],
    )
    v = sessions.view_session
    per_session = sessions.views_per_session()
    rank = np.arange(len(v)) - (np.cumsum(per_session) - per_session)[v]
    view_at = sessions.start[v] + STEP * (1 + rank + sessions.searched[v])
    parts.add(
        len(v),
        member=sessions.member[v],
        type=_type(EventType.VIEW),
        at=view_at,
        product=sessions.view_product,
        category=catalogue.category[sessions.view_product],
        channel=channel[v],
        session_kind=BROWSE_SESSION,
        session_number=number[v],
        value=catalogue.price_cents[sessions.view_product],
    )
    carted = np.flatnonzero(sessions.carted)
    cart_at = sessions.start[carted] + STEP * (2 + per_session[carted] + sessions.searched[carted])
    cart_product = sessions.cart_product[carted]
    common = {
        "member": sessions.member[carted],
        "product": cart_product,
        "category": catalogue.category[cart_product],
        "channel": channel[carted],
        "session_kind": BROWSE_SESSION,
        "session_number": number[carted],
    }
    parts.add(
        len(carted),
        type=_type(EventType.CART_ADD),
        at=cart_at,
        value=catalogue.price_cents[cart_product],
        **common,
    )
    follow = np.where(
        sessions.checkout[carted],
        _type(EventType.CHECKOUT_START),
        np.where(sessions.removed[carted], _type(EventType.CART_REMOVE), -1),
    )
    has = follow >= 0
    parts.add(
        int(has.sum()),
        type=follow[has],
        at=cart_at[has] + STEP,
        value=catalogue.price_cents[cart_product][has],
        **{name: (col[has] if isinstance(col, np.ndarray) else col) for name, col in common.items()},
    )


def _message_events(parts: _Parts, contacts: Contacts) -> None:
    channel = contacts.channel.astype(np.int64) + len(ORDER_CHANNELS)
    for kind, when in (
        (EventType.MESSAGE_OPEN, contacts.opened_at),
        (EventType.MESSAGE_CLICK, contacts.clicked_at),
        (EventType.UNSUBSCRIBE, contacts.unsubscribed_at),
        (EventType.COMPLAINT, contacts.complained_at),
    ):
        rows = np.flatnonzero(when != NOT)
        payload = np.strings.add(np.strings.add('{"contact_id": ', (rows + 1).astype(str)), "}").astype(
            object
        )
        parts.add(
            len(rows),
            member=contacts.member[rows],
            type=_type(kind),
            at=when[rows],
            channel=channel[rows],
            payload=payload,
        )


def _visits(
    parts: _Parts,
    kind: EventType,
    channel: int,
    rate: np.ndarray,
    traits: Traits,
    members: Members,
    clock: Timeline,
    clocks: LocalClocks,
    rng: np.random.Generator,
) -> None:
    """Habitual events with no session: app opens, store visits that bought nothing."""
    member, period = expand_counts(rng.poisson(rate))
    first = np.array([p.first_day for p in clock.periods])[period]
    stop = np.array([p.stop_day for p in clock.periods])[period]
    day = days_in_period(rng, members.joined_at[member] / DAY, first, stop)
    hour = np.mod(traits.preferred_hour[member] + rng.normal(0, 3, len(member)), 24)
    if channel == STORE:
        hour = np.clip(hour, *STORE_HOURS)
    at = np.maximum(clocks.to_utc(member, day, (hour * HOUR).astype(np.int64)), members.joined_at[member])
    parts.add(len(member), member=member, type=_type(kind), at=at, channel=channel)


def build_events(
    population: Population,
    orders: Orders,
    baskets: Baskets,
    sessions: Sessions,
    contacts: Contacts,
    traits: Traits,
    members: Members,
    activity: Activity,
    catalogue: Catalogue,
    clock: Timeline,
    clocks: LocalClocks,
    rng: np.random.Generator,
) -> Events:
    parts = _Parts({})
    _order_events(parts, orders, baskets, catalogue)
    _browse_events(parts, sessions, catalogue)
    _message_events(parts, contacts)
    b = population.behaviour
    habit = (
        activity.exposure
        * np.where(activity.active, 1.0, b.lapsed_browse_factor)
        * clock.month_shares()[None, :]
    )
    _visits(
        parts,
        EventType.APP_OPEN,
        APP,
        b.app_opens_per_month * habit * members.app_user[:, None],
        traits,
        members,
        clock,
        clocks,
        rng,
    )
    _visits(
        parts,
        EventType.STORE_VISIT,
        STORE,
        b.store_visits_per_month * habit * traits.channel_mix[:, STORE, None],
        traits,
        members,
        clock,
        clocks,
        rng,
    )
    at = np.minimum(parts.joined("at"), clock.span - 1)
    order = np.argsort(at, kind="stable")
    return Events(
        member=parts.joined("member")[order].astype(np.int32),
        type=parts.joined("type")[order].astype(np.int8),
        at=at[order],
        product=parts.joined("product")[order],
        category=parts.joined("category")[order],
        channel=parts.joined("channel")[order].astype(np.int8),
        session_kind=parts.joined("session_kind")[order].astype(np.int8),
        session_number=parts.joined("session_number")[order],
        value=parts.joined("value")[order],
        payload=parts.joined("payload")[order],
    )
