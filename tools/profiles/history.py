"""Members' history as column arrays: what every profile field and prediction is computed from.

One `History` holds any number of members (one for the real-time path, all for batch work), with
nothing dated at or after its `as_of`. Times are float days since the Unix epoch, so windows and
intervals are plain arithmetic. Orders, lines, outcomes and consents are records; messages and
behavioural events (millions of rows) come summarised per member by the database as of each
moment asked for. `before(t)` cuts the same history at an earlier instant (with its summary
loaded for `t`): that is how training snapshots are made.
"""

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import TypeVar

import numpy as np

from policies.vocabulary import Channel, EventType, OutcomeType

CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)
EVENT_TYPES: tuple[str, ...] = tuple(e.value for e in EventType)
OUTCOME_TYPES: tuple[str, ...] = tuple(o.value for o in OutcomeType)
ORDER_CHANNELS: tuple[str, ...] = ("online", "store", "app")

MICROS_PER_DAY = 86_400_000_000


@dataclass(frozen=True)
class EventWindow:
    """Events of `types` (any type when None), or through one of `channels`, in the last `days`."""

    days: int
    types: tuple[str, ...] | None
    channels: tuple[str, ...] = ()


EVENT_WINDOWS = {
    "events_30": EventWindow(30, None),
    "digital_events_90": EventWindow(90, tuple(t for t in EVENT_TYPES if t != EventType.STORE_VISIT)),
    "app_events_90": EventWindow(90, (EventType.APP_OPEN.value,), (Channel.IN_APP.value, Channel.PUSH.value)),
    "store_visits_90": EventWindow(90, (EventType.STORE_VISIT.value,)),
    "cart_adds_30": EventWindow(30, (EventType.CART_ADD.value,)),
    "views_30": EventWindow(30, (EventType.VIEW.value,)),
}

C = TypeVar("C")


def to_days(values: np.ndarray) -> np.ndarray:
    """datetime64 -> float days since the epoch (NaT -> NaN)."""
    micros = values.astype("datetime64[us]")
    days = micros.astype(np.int64) / MICROS_PER_DAY
    return np.where(np.isnat(micros), np.nan, days)


def day_of(moment: datetime) -> float:
    return float(to_days(np.array([moment], dtype="datetime64[us]"))[0])


def from_days(days: float) -> datetime:
    return np.datetime64(int(round(days * MICROS_PER_DAY)), "us").astype(datetime)


@dataclass(frozen=True)
class Members:
    customer_id: np.ndarray  # int64, ascending
    external_id: np.ndarray  # object
    first_name: np.ndarray
    last_name: np.ndarray
    email: np.ndarray  # object, None when absent
    phone: np.ndarray
    birth_year: np.ndarray  # float, NaN when unknown
    gender: np.ndarray
    income_band: np.ndarray
    household_size: np.ndarray  # float, NaN when unknown
    postcode: np.ndarray
    locale: np.ndarray
    time_zone: np.ndarray
    joined: np.ndarray  # days
    synced: np.ndarray  # days, NaN when the member is fed continuously
    tier: np.ndarray  # object, None without a loyalty account
    points_balance: np.ndarray  # float, NaN without an account
    lifetime_points: np.ndarray

    def __len__(self) -> int:
        return len(self.customer_id)


@dataclass(frozen=True)
class Orders:
    """Sorted by member, then time."""

    member: np.ndarray  # int64 position in Members
    at: np.ndarray  # days
    channel: np.ndarray  # int8 index into ORDER_CHANNELS
    total: np.ndarray  # paid, after discounts
    discount: np.ndarray
    coupon: np.ndarray  # bool: a coupon code was used


@dataclass(frozen=True)
class Lines:
    order: np.ndarray  # int64 position in Orders
    category: np.ndarray  # int64 position in History.categories
    quantity: np.ndarray  # float
    gross: np.ndarray  # quantity x unit price
    cost: np.ndarray  # quantity x unit cost
    discount: np.ndarray


@dataclass(frozen=True)
class Outcomes:
    """Responses to messages sent before as_of."""

    member: np.ndarray
    contact: np.ndarray  # int64 contact id: several outcomes can answer one message
    channel: np.ndarray  # int8 index into CHANNELS, of the message
    at: np.ndarray
    type: np.ndarray  # int8 index into OUTCOME_TYPES


@dataclass(frozen=True)
class Activity:
    """Messages received and behavioural events, summarised per member as of one moment (by the
    database: there are far too many rows to bring over one by one)."""

    sends: np.ndarray  # members x CHANNELS: messages sent before the moment
    sends_90: np.ndarray  # messages sent in the 90 days before it
    newest_contact: np.ndarray  # days, NaN when none
    events: dict[str, np.ndarray]  # window counts, named as in `EVENT_WINDOWS`
    newest_event: np.ndarray


@dataclass(frozen=True)
class Consents:
    member: np.ndarray
    channel: np.ndarray
    granted: np.ndarray  # bool, already false after an opt-out
    updated: np.ndarray  # days


@dataclass(frozen=True)
class Visits:
    """Hours in which a member was active on the site or app of their own accord (behavioural
    events other than purchases): one entry per member and hour."""

    member: np.ndarray
    at: np.ndarray  # days: the middle of the hour


NO_VISITS = Visits(member=np.array([], dtype=np.int64), at=np.array([], dtype=float))


@dataclass(frozen=True)
class History:
    as_of: float  # days; every record here is strictly earlier
    categories: np.ndarray  # object: category names, indexed by Lines.category
    departments: np.ndarray
    members: Members
    orders: Orders
    lines: Lines
    outcomes: Outcomes
    consents: Consents
    activity: dict[float, Activity]  # by moment (days): as_of, and earlier cut-offs when training
    visits: Visits = NO_VISITS

    @property
    def current(self) -> Activity:
        return self.activity[self.as_of]

    def before(self, moment: float) -> "History":
        """The same members' history as it stood at an earlier `moment` (days); its activity
        summary must have been loaded for that moment."""
        if moment > self.as_of:
            raise ValueError("a history cannot be extended past its as_of")
        if moment not in self.activity:
            raise ValueError(f"no activity summary loaded for {from_days(moment):%Y-%m-%d}")
        members = self.members
        keep_member = members.joined < moment
        order_mask = self.orders.at < moment
        lines = _take(self.lines, order_mask[self.lines.order])
        lines = replace(lines, order=(np.cumsum(order_mask) - 1)[lines.order])
        return History(
            as_of=moment,
            categories=self.categories,
            departments=self.departments,
            members=replace(
                members,
                joined=np.where(keep_member, members.joined, np.nan),
                synced=np.where(members.synced < moment, members.synced, np.nan),
            ),
            orders=_take(self.orders, order_mask),
            lines=lines,
            # an outcome at `at` answers a message sent earlier, so it is before `moment` too
            outcomes=_take(self.outcomes, self.outcomes.at < moment),
            consents=_take(self.consents, self.consents.updated < moment),
            activity={moment: self.activity[moment]},
            visits=_take(self.visits, self.visits.at < moment),
        )

    def window_orders(self, start: float, end: float) -> np.ndarray:
        """Mask of orders placed in [start, end)."""
        return (self.orders.at >= start) & (self.orders.at < end)


def _take(columns: C, mask: np.ndarray) -> C:
    taken = {f.name: getattr(columns, f.name)[mask] for f in fields(columns)}  # type: ignore[arg-type]
    return replace(columns, **taken)  # type: ignore[type-var]
