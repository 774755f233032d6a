"""Members' history as column arrays: what every profile field and prediction is computed from.

One `History` holds any number of members (one for the real-time path, all for batch work), with
nothing dated at or after its `as_of`. Times are float days since the Unix epoch, so windows and
intervals are plain arithmetic; `before(t)` cuts the same history at an earlier instant, which is
how training snapshots are made without reading the database again.
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
class Contacts:
    member: np.ndarray
    at: np.ndarray  # days sent
    channel: np.ndarray  # int8 index into CHANNELS


@dataclass(frozen=True)
class Outcomes:
    """A contact is always sent before its outcomes, so each outcome's contact is in `Contacts`."""

    member: np.ndarray
    contact: np.ndarray  # int64 position in Contacts
    at: np.ndarray
    type: np.ndarray  # int8 index into OUTCOME_TYPES


@dataclass(frozen=True)
class Events:
    """Behavioural events counted per member, type, channel and day: enough for windows and
    freshness without loading every page view."""

    member: np.ndarray
    day: np.ndarray  # days, start of the day
    newest: np.ndarray  # days, the latest event in the group
    type: np.ndarray  # int8 index into EVENT_TYPES
    channel: np.ndarray  # int8 index into CHANNELS, -1 when none
    count: np.ndarray  # float


@dataclass(frozen=True)
class Consents:
    member: np.ndarray
    channel: np.ndarray
    granted: np.ndarray  # bool, already false after an opt-out
    updated: np.ndarray  # days


@dataclass(frozen=True)
class History:
    as_of: float  # days; every record here is strictly earlier
    categories: np.ndarray  # object: category names, indexed by Lines.category
    departments: np.ndarray
    members: Members
    orders: Orders
    lines: Lines
    contacts: Contacts
    outcomes: Outcomes
    events: Events
    consents: Consents

    def before(self, moment: float) -> "History":
        """The same members' history as it stood at an earlier `moment` (days)."""
        if moment > self.as_of:
            raise ValueError("a history cannot be extended past its as_of")
        members = self.members
        keep_member = members.joined < moment
        order_mask = self.orders.at < moment
        lines = _take(self.lines, order_mask[self.lines.order])
        lines = replace(lines, order=(np.cumsum(order_mask) - 1)[lines.order])
        contact_mask = self.contacts.at < moment
        outcomes = _take(self.outcomes, self.outcomes.at < moment)
        outcomes = replace(outcomes, contact=(np.cumsum(contact_mask) - 1)[outcomes.contact])
        return History(
            as_of=moment,
            categories=self.categories,
            departments=self.departments,
            members=replace(members, joined=np.where(keep_member, members.joined, np.nan),
                            synced=np.where(members.synced < moment, members.synced, np.nan)),
            orders=_take(self.orders, order_mask),
            lines=lines,
            contacts=_take(self.contacts, contact_mask),
            outcomes=outcomes,
            events=_events_before(self.events, moment),
            consents=_take(self.consents, self.consents.updated < moment),
        )

    def window_orders(self, start: float, end: float) -> np.ndarray:
        """Mask of orders placed in [start, end)."""
        return (self.orders.at >= start) & (self.orders.at < end)


def _take(columns: C, mask: np.ndarray) -> C:
    return replace(columns, **{f.name: getattr(columns, f.name)[mask] for f in fields(columns)})  # type: ignore[type-var]


def _events_before(events: Events, moment: float) -> Events:
    # Events are counted per day, so the cut is exact for whole-day moments (training cutoffs
    # always are); a day straddling any other moment is dropped whole rather than let later
    # events leak in.
    return _take(events, events.day + 1 <= moment)
