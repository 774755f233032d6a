"""Generating a synthetic retail world, in memory, from a population file and one seed.

Every step draws from its own named random stream (`tools.world.streams`), is vectorised over
members, orders, lines and events, and depends only on the steps before it:

    catalogue -> members -> hidden traits -> lapsing -> competitor calendar -> browsing
      -> contacts and responses -> orders -> baskets -> outcomes, loyalty accounts
      -> events -> inventory, offers, budgets

Nothing reads the clock: the window ends on the requested end date. Same request, same bytes.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import structlog

from tools.errors import InvalidInput
from tools.progress import Progress
from tools.world.accounts import build_accounts
from tools.world.activity import simulate_activity
from tools.world.baskets import fill_baskets
from tools.world.campaigns import plan_campaigns
from tools.world.catalogue import build_catalogue
from tools.world.clocks import LocalClocks
from tools.world.contacts import send_contacts
from tools.world.events import build_events
from tools.world.inventory import stock_at_end
from tools.world.market import competitor_calendar
from tools.world.members import MESSAGE_CHANNELS, build_members
from tools.world.offers import current_budgets
from tools.world.orders import schedule_orders
from tools.world.outcomes import collect_outcomes
from tools.world.picking import CategoryPicker, ComplementPicker, ProductPicker
from tools.world.population import Population
from tools.world.response import ResponseModel
from tools.world.rows import Columns, activity_tables, catalogue_tables, ids, member_tables, offer_tables
from tools.world.sessions import browse
from tools.world.streams import Streams
from tools.world.timeline import Timeline, timeline
from tools.world.traits import draw_traits
from tools.world.truth import HiddenTraits

log = structlog.get_logger(__name__)
T = TypeVar("T")

MAX_CUSTOMERS = 10_000_000
MAX_SEED = 2**63 - 1
STEPS = 13


@dataclass(frozen=True)
class WorldRequest:
    population: Population
    customers: int
    seed: int
    months: int
    end_date: date

    def __post_init__(self) -> None:
        if not 1 <= self.customers <= MAX_CUSTOMERS:
            raise InvalidInput(f"--customers must be between 1 and {MAX_CUSTOMERS:,}, got {self.customers}")
        if not 0 <= self.seed <= MAX_SEED:
            raise InvalidInput(f"--seed must be between 0 and {MAX_SEED}, got {self.seed}")
        if not 1 <= self.months <= 60:
            raise InvalidInput(f"--months must be between 1 and 60, got {self.months}")


@dataclass(frozen=True)
class World:
    request: WorldRequest
    clock: Timeline
    tables: dict[str, Columns]
    truth: HiddenTraits

    def row_counts(self) -> dict[str, int]:
        return {name: len(next(iter(columns.values()))) for name, columns in self.tables.items()}


def generate_world(request: WorldRequest, progress: Progress) -> World:
    population, n = request.population, request.customers
    streams = Streams(request.seed)
    clock = timeline(request.end_date, request.months)
    progress.stage("generating", STEPS)

    def step(name: str, make: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = make()
        log.debug("world step", step=name, seconds=round(time.perf_counter() - started, 3))
        progress.advance()
        return result

    catalogue = step("catalogue", lambda: build_catalogue(population.catalogue, streams("catalogue"), clock))
    members = step("members", lambda: build_members(population.members, n, streams("members"), clock))
    traits = step("traits", lambda: draw_traits(population, members, catalogue, streams("traits")))
    activity = step(
        "activity", lambda: simulate_activity(population.traits, traits, members, clock, streams("activity"))
    )
    signals = step(
        "market", lambda: competitor_calendar(population.market, catalogue, clock, streams("market"))
    )
    clocks = LocalClocks.build(members, clock)
    categories = CategoryPicker.build(traits.taste, catalogue, population.behaviour)
    products = ProductPicker(
        catalogue, population.behaviour.price_tilt, population.traits.price_sensitivity.mean
    )
    sessions = step(
        "browsing",
        lambda: browse(
            population, traits, members, activity, clock, clocks, categories, products, streams("browsing")
        ),
    )
    model = ResponseModel.from_population(population)
    contacts = step(
        "contacts",
        lambda: send_contacts(
            population,
            plan_campaigns(population.contacts, clock, catalogue, signals, streams("campaigns")),
            members,
            traits,
            activity,
            sessions,
            catalogue,
            clock,
            clocks,
            model,
            streams("contacts"),
        ),
    )
    orders = step(
        "orders",
        lambda: schedule_orders(
            population, traits, members, activity, contacts, clock, clocks, streams("orders")
        ),
    )
    baskets = step(
        "baskets",
        lambda: fill_baskets(
            population,
            orders,
            contacts,
            traits,
            members,
            catalogue,
            clock,
            categories,
            products,
            ComplementPicker.build(catalogue),
            streams("baskets"),
        ),
    )
    outcomes = step("outcomes", lambda: collect_outcomes(contacts, orders, baskets))
    accounts = step(
        "accounts", lambda: build_accounts(population.loyalty, orders, baskets, n, clock, streams("accounts"))
    )
    events = step(
        "events",
        lambda: build_events(
            population,
            orders,
            baskets,
            sessions,
            contacts,
            traits,
            members,
            activity,
            catalogue,
            clock,
            clocks,
            streams("events"),
        ),
    )
    stock = stock_at_end(population.inventory, catalogue, orders, baskets, clock, streams("inventory"))
    budgets = current_budgets(population.budgets, clock, streams("budgets"))
    tables = step(
        "tables",
        lambda: {
            **catalogue_tables(catalogue, stock, clock),
            **member_tables(members, accounts, contacts, clock),
            **offer_tables(budgets, signals, clock),
            **activity_tables(contacts, orders, baskets, outcomes, events, clock),
        },
    )
    truth = HiddenTraits(
        seed=request.seed,
        population=population,
        first_day=clock.first,
        last_day=clock.last,
        customer_id=ids(n),
        category_id=ids(catalogue.categories),
        channels=MESSAGE_CHANNELS,
        price_sensitivity=traits.price_sensitivity,
        taste=traits.taste,
        channel_response=traits.channel_response,
        preferred_hour=traits.preferred_hour,
        preferred_weekday=traits.preferred_weekday,
        purchase_rate=traits.purchase_rate,
        churn_hazard=traits.churn_hazard,
        return_rate=traits.return_rate,
        replenish_category_id=traits.replenish_category.astype("int64") + 1,
        replenish_cycle_days=traits.replenish_cycle,
        channel_mix=traits.channel_mix,
        active_by_month=activity.active,
        injected=members.injected,
    )
    return World(request, clock, tables, truth)
