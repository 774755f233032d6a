"""One generated world, cut in two at the start of the simulation.

The generator draws history and "the future" from the same hidden traits and random streams. The
past goes into the database the policy sees; the future's organic behaviour (orders the member
places on their own, browsing, carts) is replayed day by day, identical for every policy. The
future's contacts — the retailer's old campaign programme — are dropped, with the orders they
drove: the policy under test replaces that programme.
"""

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from tools.world import Columns, World

MESSAGE_EVENTS = ("message_open", "message_click", "unsubscribe", "complaint")


@dataclass(frozen=True)
class Future:
    orders: Columns
    order_lines: Columns
    events: Columns


def _take(columns: Columns, mask: np.ndarray) -> Columns:
    return {
        name: (np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values)[mask]
        for name, values in columns.items()
    }


def split_world(world: World, cutoff: datetime) -> tuple[World, Future]:
    at = np.datetime64(cutoff.replace(tzinfo=None), "us")
    tables = dict(world.tables)
    orders, lines, events = tables["orders"], tables["order_lines"], tables["events"]
    contacts, outcomes = tables["contacts"], tables["outcomes"]

    past_orders = orders["placed_at"] < at
    driven = np.array([c is not None for c in np.asarray(orders["contact_id"], dtype=object)])
    organic_future = ~past_orders & ~driven
    past_ids = np.asarray(orders["id"])[past_orders]
    future_ids = np.asarray(orders["id"])[organic_future]
    line_orders = np.asarray(lines["order_id"])
    past_events = events["occurred_at"] < at
    organic_events = ~past_events & ~np.isin(np.asarray(events["type"], dtype=object), MESSAGE_EVENTS)
    past_contacts = contacts["scheduled_at"] < at
    past_outcomes = (outcomes["occurred_at"] < at) & np.isin(
        np.asarray(outcomes["contact_id"]), np.asarray(contacts["id"])[past_contacts]
    )

    tables["orders"] = _take(orders, past_orders)
    tables["order_lines"] = _take(lines, np.isin(line_orders, past_ids))
    tables["events"] = _take(events, past_events)
    tables["contacts"] = _take(contacts, past_contacts)
    tables["outcomes"] = _take(outcomes, past_outcomes)
    # An outcome may name an order placed after the cut: drop the link, keep the response.
    kept_orders = set(past_ids.tolist())
    order_ref = np.asarray(tables["outcomes"]["order_id"], dtype=object)
    tables["outcomes"]["order_id"] = np.array(
        [o if o in kept_orders else None for o in order_ref], dtype=object
    )
    future = Future(
        orders=_take(orders, organic_future),
        order_lines=_take(lines, np.isin(line_orders, future_ids)),
        events=_take(events, organic_events),
    )
    return replace(world, tables=tables), future


def rows_between(columns: Columns, time_column: str, start: np.datetime64, end: np.datetime64) -> Columns:
    when = columns[time_column]
    return _take(columns, (when >= start) & (when < end))
