"""Browsing that does not end in a purchase: product views, searches and abandoned carts.

A session looks at one category (in season, to the member's taste). Some put the last product
viewed in the cart and leave: an abandoned cart, more often for price-sensitive members. Lapsed
members still browse, less.
"""

from dataclasses import dataclass

import numpy as np

from tools.world.activity import Activity
from tools.world.clocks import LocalClocks
from tools.world.members import Members
from tools.world.picking import CategoryPicker, ProductPicker
from tools.world.population import Population
from tools.world.timeline import DAY, HOUR, Timeline
from tools.world.traits import Traits


@dataclass(frozen=True)
class Sessions:
    member: np.ndarray
    start: np.ndarray  # seconds since the window start
    app: np.ndarray  # in the app rather than on the web
    category: np.ndarray
    searched: np.ndarray
    carted: np.ndarray
    checkout: np.ndarray
    removed: np.ndarray
    cart_product: np.ndarray  # -1 without a cart
    view_session: np.ndarray  # (V,) session of each product view
    view_product: np.ndarray

    @property
    def count(self) -> int:
        return len(self.member)

    def views_per_session(self) -> np.ndarray:
        return np.bincount(self.view_session, minlength=self.count)


def days_in_period(
    rng: np.random.Generator, member_join_day: np.ndarray, first: np.ndarray, stop: np.ndarray
) -> np.ndarray:
    """A uniform day in [max(first, join day), stop) for each row."""
    low = np.maximum(first, np.ceil(member_join_day).astype(np.int64))
    low = np.minimum(low, stop - 1)
    return low + np.floor(rng.random(len(low)) * (stop - low)).astype(np.int64)


def expand_counts(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, P) counts -> (member, period) of every event they stand for."""
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    return flat // counts.shape[1], flat % counts.shape[1]


def browse(
    population: Population,
    traits: Traits,
    members: Members,
    activity: Activity,
    clock: Timeline,
    clocks: LocalClocks,
    categories: CategoryPicker,
    products: ProductPicker,
    rng: np.random.Generator,
) -> Sessions:
    b = population.behaviour
    season_mult = np.array([b.seasonality[p.month - 1] for p in clock.periods])
    rate = traits.purchase_rate[:, None] / 12 * b.browse_sessions_per_order * season_mult[None, :]
    rate = (
        rate * clock.month_shares()[None, :]
    )  # a partial first or last month gets its share of a month's visits
    rate = rate * activity.exposure * np.where(activity.active, 1.0, b.lapsed_browse_factor)
    member, period = expand_counts(rng.poisson(rate))
    first = np.array([p.first_day for p in clock.periods])[period]
    stop = np.array([p.stop_day for p in clock.periods])[period]
    day = days_in_period(rng, members.joined_at[member] / DAY, first, stop)
    hour = np.mod(traits.preferred_hour[member] + rng.normal(0, b.shopping_hour_spread, len(member)), 24)
    start = np.maximum(clocks.to_utc(member, day, (hour * HOUR).astype(np.int64)), members.joined_at[member])

    mix = traits.channel_mix[member]
    app = rng.random(len(member)) * (mix[:, 0] + mix[:, 1]) < mix[:, 1]
    category = categories.pick(rng, member, clock.season_of_period()[period])
    ps = traits.price_sensitivity[member]
    cart_p = np.clip(
        b.cart_session_share + b.cart_sensitivity * (ps - population.traits.price_sensitivity.mean),
        0.02,
        0.98,
    )
    carted = rng.random(len(member)) < cart_p
    checkout = carted & (rng.random(len(member)) < b.checkout_share)
    removed = carted & ~checkout & (rng.random(len(member)) < b.cart_remove_share)
    searched = rng.random(len(member)) < b.search_share

    n_views = 1 + rng.poisson(b.views_per_session - 1, len(member))
    view_session = np.repeat(np.arange(len(member)), n_views)
    view_product = products.pick(rng, category[view_session], ps[view_session], start[view_session])
    last_view = np.cumsum(n_views) - 1
    return Sessions(
        member=member.astype(np.int32),
        start=start,
        app=app,
        category=category,
        searched=searched,
        carted=carted,
        checkout=checkout,
        removed=removed,
        cart_product=np.where(carted, view_product[last_view], -1),
        view_session=view_session,
        view_product=view_product,
    )
