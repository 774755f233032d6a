"""The competitor promotion calendar: who discounted which category, by how much, and when.

Promotions follow the season (winter jackets go on sale as winter arrives), and a few are running
over the end date, so "a competitor is running 20% off right now" is a live situation.
"""

from dataclasses import dataclass

import numpy as np

from tools.world.catalogue import Catalogue
from tools.world.population import Market
from tools.world.taxonomy import SEASONS, season_of_month
from tools.world.timeline import DAY, Timeline

COMPETITORS: dict[str, tuple[str, ...]] = {
    "Southern Outfitters": ("outerwear", "footwear", "accessories"),
    "StyleStreet": ("apparel", "accessories", "footwear"),
    "BeanBarn": ("pantry", "home_kitchen"),
    "PawMart": ("pets",),
    "Coastline Living": ("home_kitchen", "outdoor_garden"),
    "GlowLab": ("beauty",),
    "VoltBox": ("electronics",),
}


@dataclass(frozen=True)
class CompetitorSignals:
    competitor: list[str]
    category: np.ndarray
    discount_pct: np.ndarray
    starts_at: np.ndarray  # seconds since the window start
    ends_at: np.ndarray
    description: list[str]

    @property
    def count(self) -> int:
        return len(self.competitor)


def _promos(
    spec: Market, catalogue: Catalogue, season: str, n: int, rng: np.random.Generator
) -> tuple[list[str], np.ndarray, np.ndarray]:
    names = list(COMPETITORS)
    who = rng.choice(len(names), n)
    category_season = np.array(SEASONS)[catalogue.category_season]
    categories, competitors = [], []
    for w in who:
        allowed = np.flatnonzero(np.isin(catalogue.category_department, COMPETITORS[names[w]]))
        weight = np.where(category_season[allowed] == season, 4.0, 1.0)
        categories.append(int(rng.choice(allowed, p=weight / weight.sum())))
        competitors.append(names[w])
    depth = rng.choice(spec.promo_depths, n).astype(float)
    return competitors, np.array(categories, dtype=np.int64), depth


def competitor_calendar(
    spec: Market, catalogue: Catalogue, clock: Timeline, rng: np.random.Generator
) -> CompetitorSignals:
    competitor: list[str] = []
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for period in clock.periods:
        n = int(rng.poisson(spec.competitor_promos_per_month * period.days / 30))
        who, category, depth = _promos(spec, catalogue, period.season, n, rng)
        start = (period.first_day + rng.random(n) * period.days) * DAY
        length = rng.uniform(spec.promo_days.low, spec.promo_days.high, n) * DAY
        competitor += who
        parts.append((category, depth, start.astype(np.int64), (start + length).astype(np.int64)))
    # Promotions live at the end date: started in its last days, still running after it.
    n = spec.promos_over_end_date
    coming = season_of_month(clock.last.month % 12 + 1)
    who, category, depth = _promos(spec, catalogue, coming, n, rng)
    start = clock.span - rng.uniform(1, 10, n) * DAY
    length = rng.uniform(max(spec.promo_days.low, 11), max(spec.promo_days.high, 12), n) * DAY
    competitor += who
    parts.append((category, depth, start.astype(np.int64), (start + length).astype(np.int64)))

    category = np.concatenate([p[0] for p in parts])
    depth = np.concatenate([p[1] for p in parts])
    starts = np.concatenate([p[2] for p in parts])
    ends = np.concatenate([p[3] for p in parts])
    order = np.argsort(starts, kind="stable")
    competitor = [competitor[i] for i in order]
    category, depth, starts, ends = category[order], depth[order], starts[order], ends[order]
    description = [
        f"{who}: {pct:.0f}% off {catalogue.category_name[c].lower()}"
        for who, pct, c in zip(competitor, depth, category, strict=True)
    ]
    return CompetitorSignals(competitor, category, depth, starts, ends, description)
