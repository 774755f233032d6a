"""Outcomes of contacts: opens, clicks, opt-outs, and the orders (and coupon redemptions) they led to.

One outcome of each type per contact at most, as the schema requires. Order outcomes carry the
order's revenue and gross margin (after discounts), so campaign reports add up to the orders.
"""

from dataclasses import dataclass

import numpy as np

from policies.vocabulary import OutcomeType
from tools.world.baskets import Baskets
from tools.world.contacts import NOT, Contacts
from tools.world.orders import PROMPTED, Orders


@dataclass(frozen=True)
class Outcomes:
    contact: np.ndarray  # contact index
    member: np.ndarray
    type: np.ndarray  # object: OutcomeType value
    at: np.ndarray  # seconds since the window start, ascending
    order: np.ndarray  # order index, -1 for none
    revenue: np.ndarray  # cents
    margin: np.ndarray  # cents

    @property
    def count(self) -> int:
        return len(self.contact)


def collect_outcomes(contacts: Contacts, orders: Orders, baskets: Baskets) -> Outcomes:
    contact, kind, at, order = [], [], [], []
    for outcome, when in (
        (OutcomeType.OPEN, contacts.opened_at),
        (OutcomeType.CLICK, contacts.clicked_at),
        (OutcomeType.UNSUBSCRIBE, contacts.unsubscribed_at),
        (OutcomeType.COMPLAINT, contacts.complained_at),
    ):
        rows = np.flatnonzero(when != NOT)
        contact.append(rows)
        kind.append(np.full(len(rows), outcome.value, dtype=object))
        at.append(when[rows])
        order.append(np.full(len(rows), -1))
    prompted = np.flatnonzero(orders.kind == PROMPTED)
    redeemed = prompted[baskets.redeemed[prompted]]
    for outcome, rows in ((OutcomeType.ORDER, prompted), (OutcomeType.REDEEM, redeemed)):
        contact.append(orders.contact[rows])
        kind.append(np.full(len(rows), outcome.value, dtype=object))
        at.append(orders.placed_at[rows])
        order.append(rows)
    contact_all, order_all = np.concatenate(contact), np.concatenate(order)
    is_order = np.concatenate(kind) == OutcomeType.ORDER.value
    safe = np.maximum(order_all, 0)
    revenue = np.where(is_order, baskets.total[safe], 0)
    margin = np.where(is_order, baskets.total[safe] - baskets.cost[safe], 0)
    at_all = np.concatenate(at)
    sort = np.lexsort((contact_all, at_all))
    return Outcomes(
        contact=contact_all[sort],
        member=contacts.member[contact_all][sort],
        type=np.concatenate(kind)[sort],
        at=at_all[sort],
        order=order_all[sort],
        revenue=revenue[sort],
        margin=margin[sort],
    )
