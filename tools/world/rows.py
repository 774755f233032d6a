"""How the generated world maps onto the storage tables, column by column.

Ids are positions + 1 throughout (members, products, orders, contacts are already in time or
catalogue order), so foreign keys are plain arithmetic. Money goes from integer cents to dollars
only here. Idempotency keys are zero-padded and ascend with the id, which keeps their unique index
append-only while loading.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from policies.vocabulary import Channel
from tools.world.accounts import Accounts
from tools.world.baskets import Baskets
from tools.world.catalogue import Catalogue
from tools.world.contacts import Contacts
from tools.world.events import EVENT_CHANNELS, Events
from tools.world.inventory import Stock
from tools.world.labels import padded
from tools.world.market import CompetitorSignals
from tools.world.members import MESSAGE_CHANNELS, NEVER, Members
from tools.world.offers import OFFER_CODES, OFFER_TEMPLATES, BudgetRows
from tools.world.orders import ORDER_CHANNELS, Orders
from tools.world.outcomes import Outcomes
from tools.world.taxonomy import SEASONS
from tools.world.timeline import Timeline

Columns = dict[str, np.ndarray | Sequence[Any]]


def ids(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.int64)


def keys(prefix: str, n: int, width: int = 10) -> np.ndarray:
    return padded(prefix, ids(n), width)


def dollars(cents: np.ndarray) -> np.ndarray:
    return cents / 100


def nullable(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """An object array with None where `missing`, for nullable integer and money columns."""
    out = values.astype(object)
    out[missing] = None
    return out


def nullable_time(clock: Timeline, seconds: np.ndarray) -> np.ndarray:
    """Datetimes with NaT (NULL) where `seconds` is NEVER."""
    when = clock.datetimes(np.where(seconds == NEVER, 0, seconds))
    when[seconds == NEVER] = np.datetime64("NaT")
    return when


def catalogue_tables(catalogue: Catalogue, stock: Stock, clock: Timeline) -> dict[str, Columns]:
    n = catalogue.products
    return {
        "categories": {
            "id": ids(catalogue.categories),
            "name": catalogue.category_name,
            "department": [catalogue.department_name[d] for d in catalogue.category_department],
        },
        "category_complements": {
            "category_id": catalogue.complement_from.astype(np.int64) + 1,
            "complement_id": catalogue.complement_to.astype(np.int64) + 1,
            "strength": catalogue.complement_strength,
        },
        "products": {
            "id": ids(n),
            "sku": catalogue.sku,
            "name": catalogue.name,
            "category_id": catalogue.category.astype(np.int64) + 1,
            "product_type": catalogue.product_type,
            "brand": catalogue.brand,
            "price": dollars(catalogue.price_cents),
            "unit_cost": dollars(catalogue.cost_cents),
            "season": np.array(SEASONS, dtype=object)[catalogue.season],
            "is_consumable": catalogue.is_consumable,
            "full_price_only": catalogue.full_price_only,
            "launched_at": clock.datetimes(catalogue.launched_at),
        },
        "inventory": {
            "product_id": ids(n),
            "on_hand": stock.on_hand,
            "weekly_demand": stock.weekly_demand,
            "clearance": stock.clearance,
            "updated_at": np.full(n, clock.datetimes(np.array([clock.span - 1]))[0]),
        },
    }


def member_tables(
    members: Members, accounts: Accounts, contacts: Contacts, clock: Timeline
) -> dict[str, Columns]:
    n = members.count
    joined = clock.datetimes(members.joined_at)
    customers: Columns = {
        "id": ids(n),
        "external_id": keys("M", n, 8),
        "first_name": members.first_name,
        "last_name": members.last_name,
        "email": members.email,
        "phone": members.phone,
        "birth_year": members.birth_year.astype(np.int64),
        "gender": members.gender,
        "income_band": members.income_band,
        "household_size": members.household_size.astype(np.int64),
        "postcode": members.postcode,
        "locale": np.array([r.locale for r in members.regions], dtype=object)[members.region],
        "time_zone": np.array([r.time_zone for r in members.regions], dtype=object)[members.region],
        "quiet_start_hour": members.quiet_start.astype(np.int64),
        "quiet_end_hour": members.quiet_end.astype(np.int64),
        "joined_at": joined,
        "data_synced_at": nullable_time(clock, members.data_synced_at),
        "notes": members.notes,
    }
    # Opt-outs: made outside any message (members.opted_out_at) or through one (unsubscribe, complaint).
    opted = np.minimum(members.opted_out_at, contacts.opted_out_at(n))
    granted = members.consent & (opted == NEVER)
    channels = [c.value for c in Channel]
    grant_all = {
        Channel.IN_APP.value: members.app_user,  # in-app messages reach whoever uses the app
        Channel.IN_STORE.value: np.ones(n, dtype=bool),  # shown at the till: no opt-in to withdraw
    }
    per_channel_granted, per_channel_opted = [], []
    for name in channels:
        if name in MESSAGE_CHANNELS:
            c = MESSAGE_CHANNELS.index(name)
            per_channel_granted.append(granted[:, c])
            per_channel_opted.append(opted[:, c])
        else:
            per_channel_granted.append(grant_all[name])
            per_channel_opted.append(np.full(n, NEVER))
    opted_all = np.concatenate(per_channel_opted)
    consents: Columns = {
        "customer_id": np.tile(ids(n), len(channels)),
        "channel": np.repeat(np.array(channels, dtype=object), n),
        "granted": np.concatenate(per_channel_granted),
        "opted_out_at": nullable_time(clock, opted_all),
        "updated_at": np.where(
            opted_all != NEVER, nullable_time(clock, opted_all), np.tile(joined, len(channels))
        ),
    }
    accounts_table: Columns = {
        "customer_id": ids(n),
        "tier": accounts.tier,
        "points_balance": accounts.points_balance,
        "lifetime_points": accounts.lifetime_points,
        "enrolled_at": joined,
    }
    return {"customers": customers, "channel_consents": consents, "loyalty_accounts": accounts_table}


def offer_tables(budgets: BudgetRows, signals: CompetitorSignals, clock: Timeline) -> dict[str, Columns]:
    t = OFFER_TEMPLATES
    return {
        "offer_templates": {
            "id": ids(len(t)),
            "code": [o.code for o in t],
            "type": [o.type.value for o in t],
            "description": [o.description for o in t],
            "discount_pct": [o.discount_pct for o in t],
            "amount_off": [o.amount_off for o in t],
            "points_multiplier": [o.points_multiplier for o in t],
            "bonus_points": [o.bonus_points for o in t],
            "min_spend": [o.min_spend for o in t],
            "active": [True] * len(t),
        },
        "budgets": {
            "id": ids(len(budgets.use_case)),
            "use_case": budgets.use_case,
            "period_start": np.full(len(budgets.use_case), budgets.period_start),
            "period_end": np.full(len(budgets.use_case), budgets.period_end),
            "amount": budgets.amount,
            "spent": budgets.spent,
            "paused": [False] * len(budgets.use_case),
        },
        "competitor_signals": {
            "id": ids(signals.count),
            "competitor": signals.competitor,
            "category_id": signals.category + 1,
            "discount_pct": signals.discount_pct,
            "starts_at": clock.datetimes(signals.starts_at),
            "ends_at": clock.datetimes(signals.ends_at),
            "description": signals.description,
        },
    }


def activity_tables(
    contacts: Contacts, orders: Orders, baskets: Baskets, outcomes: Outcomes, events: Events, clock: Timeline
) -> dict[str, Columns]:
    sent = clock.datetimes(contacts.sent_at)

    def pick(attr: str) -> np.ndarray:
        return np.array([getattr(c, attr) for c in contacts.campaigns], dtype=object)[contacts.campaign]

    n_lines = len(baskets.order)
    return {
        "contacts": {
            "id": ids(contacts.count),
            "idempotency_key": keys("seed-c", contacts.count),
            "customer_id": contacts.member.astype(np.int64) + 1,
            "channel": np.array(MESSAGE_CHANNELS, dtype=object)[contacts.channel],
            "use_case": pick("use_case"),
            "campaign": pick("name"),
            "offer_code": OFFER_CODES[contacts.offer],
            "subject": pick("subject"),
            "body": pick("body"),
            "status": np.full(contacts.count, "sent", dtype=object),
            "attempts": np.ones(contacts.count, dtype=np.int64),
            "scheduled_at": sent,
            "sent_at": sent,
        },
        "orders": {
            "id": ids(orders.count),
            "external_id": keys("O", orders.count),
            "customer_id": orders.member.astype(np.int64) + 1,
            "placed_at": clock.datetimes(orders.placed_at),
            "channel": np.array(ORDER_CHANNELS, dtype=object)[orders.channel],
            "subtotal": dollars(baskets.subtotal),
            "discount_total": dollars(baskets.discount_total),
            "total": dollars(baskets.total),
            "coupon_code": np.where(baskets.coupon >= 0, OFFER_CODES[np.maximum(baskets.coupon, 0)], None),
            "contact_id": nullable(orders.contact + 1, orders.contact < 0),
        },
        "order_lines": {
            "id": ids(n_lines),
            "order_id": baskets.order + 1,
            "product_id": baskets.product + 1,
            "quantity": baskets.quantity,
            "unit_price": dollars(baskets.unit_price),
            "unit_cost": dollars(baskets.unit_cost),
            "discount": dollars(baskets.discount),
        },
        "outcomes": {
            "id": ids(outcomes.count),
            "contact_id": outcomes.contact + 1,
            "customer_id": outcomes.member.astype(np.int64) + 1,
            "type": outcomes.type,
            "occurred_at": clock.datetimes(outcomes.at),
            "order_id": nullable(outcomes.order + 1, outcomes.order < 0),
            "revenue": dollars(outcomes.revenue),
            "margin": dollars(outcomes.margin),
        },
        "events": {
            "id": ids(events.count),
            "idempotency_key": keys("seed-e", events.count),
            "customer_id": events.member.astype(np.int64) + 1,
            "type": events.type_names(),
            "occurred_at": clock.datetimes(events.at),
            "product_id": nullable(events.product + 1, events.product < 0),
            "category_id": nullable(events.category + 1, events.category < 0),
            "channel": np.array(EVENT_CHANNELS, dtype=object)[events.channel],
            "session_id": events.session_ids(),
            "value": nullable(dollars(events.value), events.value < 0),
            "payload": events.payload,
        },
    }
