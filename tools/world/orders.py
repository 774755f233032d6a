"""When members order: their own rhythm, their replenishment cycles, and orders a message prompted.

- Regular orders: Poisson per member and month at the member's hidden purchase rate, shaped by
  seasonality, only while the member is active; days lean to the preferred weekday, hours to the
  preferred hour.
- Replenishment: each replenisher of a consumable buys it again every cycle (with jitter) while
  active, so "due for coffee beans" is visible in the history.
- Prompted orders follow a converting contact. A share of them would have happened anyway
  (cannibalisation): for those the member's next own order is the one that moved, so it is removed.
"""

from dataclasses import dataclass

import numpy as np

from tools.world.activity import Activity
from tools.world.campaigns import PUSH
from tools.world.clocks import LocalClocks
from tools.world.contacts import NOT, Contacts
from tools.world.members import Members
from tools.world.population import Population
from tools.world.sessions import days_in_period, expand_counts
from tools.world.timeline import DAY, HOUR, Timeline
from tools.world.traits import Traits

ORDER_CHANNELS = ("online", "app", "store")
ONLINE, APP, STORE = range(3)
REGULAR, REPLENISHMENT, PROMPTED = range(3)
STORE_HOURS = (9, 20)


@dataclass(frozen=True)
class Orders:
    member: np.ndarray
    placed_at: np.ndarray  # seconds since the window start, ascending
    channel: np.ndarray  # index into ORDER_CHANNELS
    kind: np.ndarray  # REGULAR, REPLENISHMENT or PROMPTED
    focus_category: np.ndarray  # the category the order is for, or -1
    focus_product: np.ndarray  # the product the order is for, or -1
    contact: np.ndarray  # index of the prompting contact, or -1

    @property
    def count(self) -> int:
        return len(self.member)


def _shop_channel(traits: Traits, member: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cum = np.cumsum(traits.channel_mix[member], axis=1)
    return (rng.random(len(member))[:, None] > cum[:, :2]).sum(axis=1).astype(np.int8)


def _time_of_day(
    population: Population,
    traits: Traits,
    clocks: LocalClocks,
    members: Members,
    member: np.ndarray,
    day: np.ndarray,
    channel: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    spread = population.behaviour.shopping_hour_spread
    hour = np.mod(traits.preferred_hour[member] + rng.normal(0, spread, len(member)), 24)
    hour = np.where(channel == STORE, np.clip(hour, *STORE_HOURS), hour)
    t = clocks.to_utc(member, day, (hour * HOUR).astype(np.int64))
    return np.maximum(t, members.joined_at[member])


def _regular(
    population: Population,
    traits: Traits,
    members: Members,
    activity: Activity,
    clock: Timeline,
    clocks: LocalClocks,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    b = population.behaviour
    season = np.array([b.seasonality[p.month - 1] for p in clock.periods])
    monthly = traits.purchase_rate[:, None] / 12 * season[None, :]
    # a partial first or last month gets its share of a month's orders, not a whole month's in fewer days
    rate = monthly * clock.month_shares()[None, :] * activity.exposure * activity.active
    member, period = expand_counts(rng.poisson(rate))
    first = np.array([p.first_day for p in clock.periods])[period]
    stop = np.array([p.stop_day for p in clock.periods])[period]
    day = days_in_period(rng, members.joined_at[member] / DAY, first, stop)
    # Habit: some orders move to the member's preferred weekday, within the same week and month.
    shift = np.mod(traits.preferred_weekday[member] - clock.weekday(day), 7)
    shift = np.where(shift > 3, shift - 7, shift)
    moved = day + shift
    pull = (rng.random(len(day)) < b.weekday_pull) & (moved >= first) & (moved < stop)
    day = np.where(pull, moved, day)
    channel = _shop_channel(traits, member, rng)
    return member, _time_of_day(population, traits, clocks, members, member, day, channel, rng), channel


def _replenishment(
    population: Population,
    traits: Traits,
    members: Members,
    activity: Activity,
    clock: Timeline,
    clocks: LocalClocks,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    jitter = population.traits.replenishment.interval_jitter
    member, k = np.nonzero(~np.isnan(traits.replenish_cycle))
    cycle = traits.replenish_cycle[member, k].astype(np.float64)
    begin = np.maximum(members.joined_at[member] / DAY, 0) + rng.random(len(member)) * cycle
    # Intervals are at least half a cycle, so this many slots always reaches the window's end.
    slots = np.maximum(np.floor((clock.days - begin) / (0.5 * cycle)).astype(np.int64) + 1, 1)
    pair = np.repeat(np.arange(len(member)), slots)
    interval = cycle[pair] * np.maximum(0.5, 1 + rng.normal(0, jitter, len(pair)))
    starts = np.cumsum(slots) - slots
    interval[starts] = 0
    cum = np.cumsum(interval)
    when = begin[pair] + cum - cum[starts][pair]
    period_of_day = clock.period_of_day()
    inside = when < clock.days
    day = np.floor(np.where(inside, when, 0)).astype(np.int64)
    keep = inside & activity.active[member[pair], period_of_day[day]]
    who, day = member[pair][keep], day[keep]
    channel = _shop_channel(traits, who, rng)
    t = _time_of_day(population, traits, clocks, members, who, day, channel, rng)
    return who, t, channel, traits.replenish_category[k[pair][keep]].astype(np.int64)


def _drop_cannibalised(
    member: np.ndarray, t: np.ndarray, prompted_member: np.ndarray, prompted_t: np.ndarray, window: int
) -> np.ndarray:
    """Mask of own orders to keep: each order-anyway removes its member's next own order in `window`."""
    key = member.astype(np.int64) << 32 | t
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    probe = prompted_member.astype(np.int64) << 32 | prompted_t
    at = np.searchsorted(sorted_key, probe)
    at_safe = np.minimum(at, len(sorted_key) - 1)
    hit = (
        (at < len(sorted_key))
        & (sorted_key[at_safe] >> 32 == prompted_member)
        & ((sorted_key[at_safe] & 0xFFFFFFFF) - prompted_t <= window)
    )
    keep = np.ones(len(member), dtype=bool)
    keep[order[at_safe[hit]]] = False
    return keep


def schedule_orders(
    population: Population,
    traits: Traits,
    members: Members,
    activity: Activity,
    contacts: Contacts,
    clock: Timeline,
    clocks: LocalClocks,
    rng: np.random.Generator,
) -> Orders:
    reg_member, reg_t, reg_channel = _regular(population, traits, members, activity, clock, clocks, rng)
    rep_member, rep_t, rep_channel, rep_category = _replenishment(
        population, traits, members, activity, clock, clocks, rng
    )
    prompting = np.flatnonzero(contacts.converts_at != NOT)
    pro_member = contacts.member[prompting].astype(np.int64)
    pro_t = contacts.converts_at[prompting]
    pro_channel = np.where(contacts.channel[prompting] == PUSH, APP, ONLINE).astype(np.int8)

    own_member = np.concatenate([reg_member, rep_member])
    own_t = np.concatenate([reg_t, rep_t])
    anyway = contacts.anyway[prompting]
    keep = _drop_cannibalised(
        own_member,
        own_t,
        pro_member[anyway],
        pro_t[anyway],
        population.response.cannibalisation_window_days * DAY,
    )
    n_reg, n_rep, n_pro = len(reg_member), len(rep_member), len(prompting)
    member = np.concatenate([own_member, pro_member])
    placed = np.concatenate([own_t, pro_t])
    channel = np.concatenate([reg_channel, rep_channel, pro_channel])
    kind = np.repeat(np.array([REGULAR, REPLENISHMENT, PROMPTED], dtype=np.int8), [n_reg, n_rep, n_pro])
    category = np.concatenate([np.full(n_reg, -1), rep_category, contacts.focus_category[prompting]])
    product = np.concatenate([np.full(n_reg + n_rep, -1), contacts.focus_product[prompting]])
    contact = np.concatenate([np.full(n_reg + n_rep, -1), prompting])
    keep = np.concatenate([keep, np.ones(n_pro, dtype=bool)])
    order = np.lexsort((member[keep], placed[keep]))
    return Orders(*(a[keep][order] for a in (member, placed, channel, kind, category, product, contact)))
