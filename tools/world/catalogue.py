"""The catalogue: categories, their complement graph, and SKUs with prices, costs and launches.

Products are laid out sorted by (category, price), so a category is a contiguous slice and
"cheaper" means a lower position in it; baskets use that to steer price-sensitive members down
the range. Money is held in integer cents until it is written.
"""

from dataclasses import dataclass

import numpy as np

from tools.world.population import CatalogueSpec
from tools.world.taxonomy import COMPLEMENTS, DEPARTMENTS, SEASONS, CategorySpec, season_of_month
from tools.world.timeline import DAY, Timeline


@dataclass(frozen=True)
class Catalogue:
    # categories, indexed 0..C-1 (database id = index + 1)
    category_name: list[str]
    category_department: list[str]  # department key
    category_season: np.ndarray  # index into SEASONS
    category_cycle_days: np.ndarray  # NaN for durables
    category_start: np.ndarray  # first product index of the category
    category_count: np.ndarray
    department_name: dict[str, str]
    # complement edges between category indexes
    complement_from: np.ndarray
    complement_to: np.ndarray
    complement_strength: np.ndarray
    # products, indexed 0..P-1 (database id = index + 1), sorted by (category, price)
    sku: list[str]
    name: list[str]
    product_type: list[str]
    brand: list[str]
    category: np.ndarray
    price_cents: np.ndarray
    cost_cents: np.ndarray
    full_price_only: np.ndarray
    launched_at: np.ndarray  # seconds since the window start (negative: before it)
    established: np.ndarray  # index of a product of the same category on sale all window

    @property
    def categories(self) -> int:
        return len(self.category_name)

    @property
    def products(self) -> int:
        return len(self.sku)

    @property
    def is_consumable(self) -> np.ndarray:
        return ~np.isnan(self.category_cycle_days[self.category])

    @property
    def season(self) -> np.ndarray:
        return self.category_season[self.category]

    def consumable_categories(self) -> np.ndarray:
        return np.flatnonzero(~np.isnan(self.category_cycle_days))


def category_weights(spec: CatalogueSpec, departments: list[str]) -> np.ndarray:
    """Share of each category (given by its department) in the range and in members' taste: the
    department's weight shared by its categories, so adding a category does not grow a department."""
    size = {d: departments.count(d) for d in set(departments)}
    weights = np.array([spec.departments[d].weight / size[d] for d in departments])
    return weights / weights.sum()


def _allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Split `total` into integer counts >= minimum in proportion to weights (largest remainder)."""
    spare = total - minimum * len(weights)
    exact = spare * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: spare - counts.sum()]] += 1
    return counts + minimum


def _price_point(cents: np.ndarray) -> np.ndarray:
    """Retail price points: $9.99 below $20, $49.95 up to $200, $249 above."""
    dollars = cents / 100
    low = np.floor(dollars) * 100 + 99
    mid = np.round(dollars / 5) * 500 - 5
    high = np.round(dollars / 10) * 1000 - 100
    return np.where(dollars < 20, low, np.where(dollars < 200, mid, high)).astype(np.int64)


def build_catalogue(spec: CatalogueSpec, rng: np.random.Generator, clock: Timeline) -> Catalogue:
    departments = {d.key: d for d in DEPARTMENTS}
    cats: list[tuple[str, CategorySpec]] = [(d.key, c) for d in DEPARTMENTS for c in d.categories]
    counts = _allocate(spec.skus, category_weights(spec, [dep for dep, _ in cats]), minimum=3)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])

    sku, name, ptype, brand = [], [], [], []
    category_parts, price_parts, margin_parts = [], [], []
    for c, ((dep_key, cat), n) in enumerate(zip(cats, counts, strict=True)):
        dep = departments[dep_key]
        raw = np.exp(rng.uniform(np.log(cat.price_low), np.log(cat.price_high), n)) * 100
        prices = np.sort(np.clip(_price_point(raw), 99, None))
        band = spec.departments[dep_key].margin
        margin_parts.append(rng.uniform(band.low, band.high, n))
        price_parts.append(prices)
        category_parts.append(np.full(n, c, dtype=np.int16))
        types = rng.choice(len(cat.product_types), n)
        brands = rng.choice(len(dep.brands), n)
        descriptors = rng.choice(len(dep.descriptors), n)
        for i in range(n):
            sku.append(f"{dep.code}-{c + 1:02d}{i + 1:03d}")
            ptype.append(cat.product_types[types[i]])
            brand.append(dep.brands[brands[i]])
            name.append(
                f"{dep.brands[brands[i]]} {dep.descriptors[descriptors[i]]} {cat.product_types[types[i]]}"
            )

    category = np.concatenate(category_parts)
    price = np.concatenate(price_parts)
    margin = np.concatenate(margin_parts)
    cycle = np.array([c.cycle_days if c.cycle_days is not None else np.nan for _, c in cats])
    consumable = ~np.isnan(cycle[category])
    position = np.arange(len(price)) - starts[category]
    rank = position / np.maximum(counts[category] - 1, 1)

    # Premium, full-price-only items: the top of durable ranges, with margins at the top of the band.
    premium_weight = np.where(consumable, 0.0, rank**4)
    n_premium = min(round(spec.premium_share * len(price)), int((premium_weight > 0).sum()))
    premium = np.zeros(len(price), dtype=bool)
    if n_premium:
        premium[rng.choice(len(price), n_premium, replace=False, p=premium_weight / premium_weight.sum())] = (
            True
        )
    lows = np.array([spec.departments[dep].margin.low for dep, _ in cats])[category]
    highs = np.array([spec.departments[dep].margin.high for dep, _ in cats])[category]
    margin = np.where(premium, highs - (highs - lows) * 0.25 * rng.random(len(price)), margin)
    cost = np.round(price * (1 - margin)).astype(np.int64)

    launched = _launch_dates(spec, rng, clock, category, position, consumable, cats)
    season = np.array([SEASONS.index(c.season) for _, c in cats], dtype=np.int8)
    sources = {c.name: i for i, (_, c) in enumerate(cats)}
    return Catalogue(
        category_name=[c.name for _, c in cats],
        category_department=[dep for dep, _ in cats],
        category_season=season,
        category_cycle_days=cycle,
        category_start=starts,
        category_count=counts,
        department_name={d.key: d.name for d in DEPARTMENTS},
        complement_from=np.array([sources[a] for a, _, _ in COMPLEMENTS], dtype=np.int16),
        complement_to=np.array([sources[b] for _, b, _ in COMPLEMENTS], dtype=np.int16),
        complement_strength=np.array([s for _, _, s in COMPLEMENTS]),
        sku=sku,
        name=name,
        product_type=ptype,
        brand=brand,
        category=category,
        price_cents=price,
        cost_cents=cost,
        full_price_only=premium,
        launched_at=launched,
        established=_established(launched, category, starts, counts),
    )


def _launch_dates(
    spec: CatalogueSpec,
    rng: np.random.Generator,
    clock: Timeline,
    category: np.ndarray,
    position: np.ndarray,
    consumable: np.ndarray,
    cats: list[tuple[str, CategorySpec]],
) -> np.ndarray:
    """Most SKUs were launched before the window; a new collection for the coming season lands in
    its last months. The cheapest SKU of each category is never new, so every category sells
    something all window long."""
    count = len(category)
    launched = -rng.integers(60, 1000, count) * DAY
    coming = season_of_month(clock.last.month % 12 + 1)
    season = np.array([c.season for _, c in cats])[category]
    weight = np.where(season == coming, 4.0, np.where(season == "all", 1.0, 0.3))
    weight = np.where(consumable | (position == 0), 0.0, weight)
    n_new = min(round(spec.new_collection_share * count), int((weight > 0).sum()))
    if n_new:
        new = rng.choice(count, n_new, replace=False, p=weight / weight.sum())
        window = min(spec.new_collection_months * 30 * DAY, clock.span - DAY)
        launched[new] = clock.span - rng.integers(DAY, window, n_new)
    return launched


def _established(
    launched: np.ndarray, category: np.ndarray, starts: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """For each product, the nearest-priced product of its category launched before the window."""
    fallback = np.arange(len(launched))
    for start, n in zip(starts, counts, strict=True):
        block = slice(start, start + n)
        old = np.flatnonzero(launched[block] < 0)
        nearest = old[np.clip(np.searchsorted(old, np.arange(n)), 0, len(old) - 1)]
        fallback[block] = start + nearest
    return fallback
