"""Vectorised choices shared by baskets and browsing: which category, which product, which complement.

Per-row categorical draws use one trick: each member's cumulative weights are offset by the
member's row number and flattened, so a single `searchsorted` of `row + u` picks for every row.
"""

from dataclasses import dataclass

import numpy as np

from tools.world.catalogue import Catalogue
from tools.world.population import Behaviour
from tools.world.taxonomy import SEASONS

OPPOSITE = {"summer": "winter", "winter": "summer", "spring": "autumn", "autumn": "spring"}


def _flat_cumulative(weights: np.ndarray) -> np.ndarray:
    cum = np.cumsum(weights, axis=1)
    cum /= cum[:, -1:]
    cum[:, -1] = 1.0  # exact, so u < 1 never falls past a row's end
    return (cum + np.arange(len(weights))[:, None]).ravel()


def categorical_rows(rng: np.random.Generator, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each entry of `rows`, a column index drawn with probabilities proportional to weights[row]."""
    flat = _flat_cumulative(weights.astype(np.float64))
    picks = np.searchsorted(flat, rows + rng.random(len(rows)), side="right")
    return (picks - rows * weights.shape[1]).astype(np.int64)


@dataclass(frozen=True)
class CategoryPicker:
    """Categories by a member's hidden taste, tilted toward what is in season."""

    taste: np.ndarray  # (N, C)
    season_weight: np.ndarray  # (len(SEASONS), C) multiplier per period season and category

    @classmethod
    def build(cls, taste: np.ndarray, catalogue: Catalogue, behaviour: Behaviour) -> "CategoryPicker":
        weight = np.ones((len(SEASONS), catalogue.categories))
        for s, season in enumerate(SEASONS):
            if season == "all":
                continue
            category_season = np.array(SEASONS)[catalogue.category_season]
            weight[s, category_season == season] = behaviour.in_season_boost
            weight[s, category_season == OPPOSITE[season]] = behaviour.off_season_damp
        return cls(taste, weight)

    def pick(self, rng: np.random.Generator, member: np.ndarray, season: np.ndarray) -> np.ndarray:
        out = np.empty(len(member), dtype=np.int64)
        for s in np.unique(season):
            rows = np.flatnonzero(season == s)
            users, local = np.unique(member[rows], return_inverse=True)
            out[rows] = categorical_rows(rng, self.taste[users] * self.season_weight[s], local)
        return out


@dataclass(frozen=True)
class ProductPicker:
    """A product within a category: price-sensitive members lean to the cheap end of the range, and
    nothing sells before its launch (a not-yet-launched pick becomes its nearest established SKU)."""

    catalogue: Catalogue
    price_tilt: float
    mean_price_sensitivity: float

    def pick(
        self, rng: np.random.Generator, category: np.ndarray, price_sensitivity: np.ndarray, when: np.ndarray
    ) -> np.ndarray:
        cat = self.catalogue
        exponent = np.exp(self.price_tilt * (price_sensitivity - self.mean_price_sensitivity))
        position = np.floor(cat.category_count[category] * rng.random(len(category)) ** exponent).astype(
            np.int64
        )
        product = cat.category_start[category] + np.minimum(position, cat.category_count[category] - 1)
        return np.where(cat.launched_at[product] > when, cat.established[product], product)


@dataclass(frozen=True)
class ComplementPicker:
    """A complement of a category, drawn by edge strength; -1 where the category has none."""

    weights: np.ndarray  # (C, C) strength of category -> complement

    @classmethod
    def build(cls, catalogue: Catalogue) -> "ComplementPicker":
        weights = np.zeros((catalogue.categories, catalogue.categories))
        weights[catalogue.complement_from, catalogue.complement_to] = catalogue.complement_strength
        return cls(weights)

    def pick(self, rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
        sources = np.flatnonzero(self.weights.sum(axis=1) > 0)
        has = np.isin(category, sources)
        out = np.full(len(category), -1, dtype=np.int64)
        out[has] = categorical_rows(rng, self.weights[sources], np.searchsorted(sources, category[has]))
        return out
