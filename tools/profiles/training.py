"""Fitting every profile model as of a date, from the history before it.

Each model learns from snapshots: features computed at cut-off dates `as_of − window − k·stride`
exactly as they would be at prediction time, labels from the window after each cut-off (which
ends by the as-of date). Cut-offs fall on whole days and every window is a multiple of the stride,
so models share snapshots. A fifth of members is held out of every fit to measure it; those
metrics travel with the artefact.
"""

import time
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import structlog
from sqlalchemy import func, select
from threadpoolctl import threadpool_limits

from tools.errors import InvalidInput
from tools.profiles import groups
from tools.profiles.affinity import candidates, fit_affinity
from tools.profiles.artefact import ARTEFACT_VERSION, FittedModels
from tools.profiles.churn import fit_churn
from tools.profiles.clv import YEAR_DAYS, clv_inputs, fit_clv
from tools.profiles.engagement import fit_send_hours
from tools.profiles.features import FIELDS, MODEL_INPUTS, member_features
from tools.profiles.history import History, day_of, from_days
from tools.profiles.loader import load_history
from tools.profiles.next_purchase import fit_next_purchase
from tools.profiles.order_value import fit_order_value_prior
from tools.profiles.pairs import bought_in, first_purchase_after, pair_history
from tools.profiles.population import category_stats
from tools.profiles.predictions import predict
from tools.profiles.replenishment import Regularity, fit_replenishment, regular_inputs
from tools.profiles.training_data import Snapshot, Snapshots, holdout_split
from tools.storage import Database, Order

log = structlog.get_logger(__name__)

HOLDOUT_SHARE = 0.2
MIN_ROWS = 20  # fewer labelled rows than this and a model would learn noise


@dataclass(frozen=True)
class TrainingPlan:
    churn_days: int = 60
    affinity_days: int = 30
    next_purchase_days: int = 90
    replenishment_days: int = 90
    clv_days: int = YEAR_DAYS  # shortened, in strides, to what the history allows
    snapshots: int = 3
    stride_days: int = 30
    min_history_days: int = 60  # history a snapshot needs before its cut-off
    max_pair_members: int = 6000  # members per snapshot for the member x category models
    regularity: Regularity = Regularity()

    def clv_window(self, base: float, earliest: float) -> int:
        """The CLV label window: a year, or the longest whole number of strides that leaves room
        for every snapshot."""
        available = int(base - earliest - self.min_history_days) - (self.snapshots - 1) * self.stride_days
        return max(self.stride_days, min(self.clv_days, available // self.stride_days * self.stride_days))

    def cutoffs(self, window: int, base: float, earliest: float) -> list[float]:
        """Snapshot cut-offs (days) for a model with this label window; only those with enough
        history before them."""
        found = [base - window - i * self.stride_days for i in range(self.snapshots)]
        return [c for c in found if c - earliest >= self.min_history_days]

    def all_cutoffs(self, base: float, earliest: float) -> list[float]:
        windows = (
            self.churn_days,
            self.affinity_days,
            self.next_purchase_days,
            self.replenishment_days,
            self.clv_window(base, earliest),
        )
        return sorted({c for w in windows for c in self.cutoffs(w, base, earliest)})


async def load_training_history(db: Database, as_of: datetime, plan: TrainingPlan) -> History:
    """Everything before `as_of`, with activity summaries at every cut-off the plan will use."""
    async with db.session() as session:
        first = await session.scalar(select(func.min(Order.placed_at)).where(Order.placed_at < as_of))
    if first is None:
        raise InvalidInput(f"no orders before {as_of:%Y-%m-%d}: nothing to learn from")
    base, earliest = float(np.floor(day_of(as_of))), float(np.floor(day_of(first)))
    moments = [from_days(c) for c in plan.all_cutoffs(base, earliest)]
    return await load_history(db, as_of, also_at=moments)


def fit_models(history: History, plan: TrainingPlan, fitted_at: datetime) -> FittedModels:
    # One thread: on a busy machine OpenMP threads spin-waiting on each other made fitting ~20x
    # slower, and on an idle one a second thread buys little at these sizes.
    with threadpool_limits(limits=1, user_api="openmp"):
        return _fit_models(history, plan, fitted_at)


def _fit_models(history: History, plan: TrainingPlan, fitted_at: datetime) -> FittedModels:
    started = time.perf_counter()
    if not len(history.orders.at):
        raise InvalidInput(f"no orders before {from_days(history.as_of):%Y-%m-%d}: nothing to learn from")
    base = float(np.floor(history.as_of))
    earliest = float(np.floor(history.orders.at.min()))
    snapshots = Snapshots(history)

    def cutoffs(window: int) -> list[float]:
        usable = plan.cutoffs(window, base, earliest)
        if not usable:
            need = window + plan.min_history_days
            raise InvalidInput(
                f"not enough history to fit models as of {from_days(history.as_of):%Y-%m-%d}: the first order "
                f"is {from_days(earliest):%Y-%m-%d}, and the models need at least {need} days before the as-of date"
            )
        return usable

    clv_days = plan.clv_window(base, earliest)
    metrics: dict[str, float] = {}
    rows: dict[str, int] = {}

    def learnable(model: str, labels: np.ndarray, classes: bool) -> None:
        few = len(labels) < MIN_ROWS or (classes and labels.min() == labels.max())
        if few:
            raise InvalidInput(
                f"cannot fit the {model} model as of {from_days(history.as_of):%Y-%m-%d}: the windows before it "
                f"hold too little to learn from (newest order {from_days(history.orders.at.max()):%Y-%m-%d}); "
                "choose an as-of date within the data"
            )

    churn_cutoffs = cutoffs(plan.churn_days)
    parts = [_churn_rows(snapshots.at(c), history, plan.churn_days) for c in churn_cutoffs]
    x, y, key = _stack(parts)
    latest = np.concatenate(
        [
            np.full(len(labels), c == max(churn_cutoffs))
            for (_, labels, _), c in zip(parts, churn_cutoffs, strict=True)
        ]
    )
    learnable("churn", y, classes=True)
    fit, held = holdout_split(key, HOLDOUT_SHARE)
    churn = fit_churn(x, y, key, latest, plan.churn_days, fit=fit)
    held &= latest  # judged where it is calibrated: the latest window
    if held.any():
        risk = churn.predict(x[held])
        metrics |= {
            "churn_auc": _auc(y[held], risk),
            "churn_brier": float(np.mean((y[held] - risk) ** 2)),  # the Brier score
            "churn_mean_predicted": float(risk.mean()),
            "churn_observed": float(y[held].mean()),
        }
    rows["churn"] = len(y)

    x, y, key = _stack(
        [
            _next_rows(snapshots.at(c), history, plan.next_purchase_days)
            for c in cutoffs(plan.next_purchase_days)
        ]
    )
    learnable("next purchase", y, classes=False)
    fit, held = holdout_split(key, HOLDOUT_SHARE)
    next_purchase = fit_next_purchase(x[fit], y[fit], plan.next_purchase_days)
    if held.any():
        metrics["next_purchase_mae_days"] = float(np.abs(next_purchase.predict(x[held]) - y[held]).mean())
    rows["next_purchase"] = len(y)

    x, y, key = _stack([_clv_rows(snapshots.at(c), history, clv_days) for c in cutoffs(clv_days)])
    learnable("lifetime value", y, classes=False)
    fit, held = holdout_split(key, HOLDOUT_SHARE)
    clv = fit_clv(x[fit], y[fit], clv_days)
    if held.any():
        metrics["clv_window_mae"] = float(
            np.abs(clv.predict(x[held]) * clv_days / YEAR_DAYS - y[held]).mean()
        )
    rows["clv"] = len(y)

    x, y, key = _stack(
        [_replenishment_rows(snapshots.at(c), history, plan) for c in cutoffs(plan.replenishment_days)]
    )
    learnable("replenishment", y[~np.isnan(y)], classes=False)
    fit, held = holdout_split(key, HOLDOUT_SHARE)
    replenishment = fit_replenishment(x[fit], y[fit], plan.replenishment_days, plan.regularity)
    again = held & ~np.isnan(y)
    if again.any():
        metrics["replenishment_mae_days"] = float(np.abs(replenishment.predict(x[again]) - y[again]).mean())
        metrics["replenishment_rebuy_auc"] = _auc(
            (~np.isnan(y[held])).astype(int), replenishment.likely(x[held])
        )
    rows["replenishment"] = len(y)

    x, y, key = _stack([_affinity_rows(snapshots.at(c), history, plan) for c in cutoffs(plan.affinity_days)])
    learnable("category affinity", y, classes=True)
    fit, held = holdout_split(key, HOLDOUT_SHARE)
    affinity = fit_affinity(x[fit], y[fit], plan.affinity_days)
    if held.any():
        metrics["affinity_auc"] = _auc(y[held], affinity.trees.predict(x[held]))
    rows["affinity"] = len(y)

    pairs = pair_history(history)
    unfinished = FittedModels(
        version=ARTEFACT_VERSION,
        as_of=from_days(history.as_of),
        fitted_at=fitted_at,
        stats=category_stats(history, pairs),
        churn=churn,
        next_purchase=next_purchase,
        clv=clv,
        replenishment=replenishment,
        affinity=affinity,
        reference={},
        metrics=metrics,
        training_rows=rows,
        send_hours=fit_send_hours(history),
        order_values=fit_order_value_prior(history.orders.member, history.orders.total, len(history.members)),
    )
    features = member_features(history, unfinished.send_hours, unfinished.order_values)
    models = replace(unfinished, reference=_reference(unfinished, history, features, pairs))
    log.info(
        "models fitted",
        as_of=models.as_of.isoformat(),
        seconds=round(time.perf_counter() - started, 1),
        **{k: round(v, 3) for k, v in metrics.items()},
    )
    return models


def _stack(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))  # type: ignore[return-value]


def _auc(truth: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score  # fitting only: serving needs no scikit-learn

    return float(roc_auc_score(truth, score)) if 0 < truth.mean() < 1 else float("nan")


def _orders_in(history: History, start: float, end: float) -> np.ndarray:
    window = history.window_orders(start, end)
    return groups.count(history.orders.member[window], len(history.members))


def _churn_rows(snap: Snapshot, history: History, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bought = _orders_in(history, snap.cutoff, snap.cutoff + window)
    rows = snap.exists
    return snap.features.matrix(MODEL_INPUTS)[rows], (bought[rows] == 0).astype(int), snap.member_key[rows]


def _next_rows(snap: Snapshot, history: History, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    orders = history.orders
    inside = history.window_orders(snap.cutoff, snap.cutoff + window)
    first = groups.minimum(orders.member[inside], orders.at[inside], len(history.members))
    rows = snap.exists & ~np.isnan(first)
    return snap.features.matrix(MODEL_INPUTS)[rows], first[rows] - snap.cutoff, snap.member_key[rows]


def _clv_rows(snap: Snapshot, history: History, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    orders = history.orders
    inside = history.window_orders(snap.cutoff, snap.cutoff + window)
    spend = groups.total(orders.member[inside], orders.total[inside], len(history.members))
    rows = snap.exists
    return clv_inputs(snap.features)[rows], spend[rows], snap.member_key[rows]


def _sampled_members(snap: Snapshot, limit: int) -> np.ndarray:
    """At most `limit` existing members, the same ones whichever run picks them."""
    existing = np.nonzero(snap.exists)[0]
    if len(existing) <= limit:
        chosen = existing
    else:
        rank = np.argsort((snap.member_key[existing].astype(float) * 0.7548776662466927) % 1.0, kind="stable")
        chosen = existing[rank[:limit]]
    mask = np.zeros(len(snap.exists), dtype=bool)
    mask[chosen] = True
    return mask


def _replenishment_rows(
    snap: Snapshot, history: History, plan: TrainingPlan
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair bought on enough days by the cutoff; days to its next purchase in the window
    after, NaN when there was none (censored)."""
    pairs = snap.pairs
    sampled = _sampled_members(snap, plan.max_pair_members)
    rows = np.nonzero((pairs.days_bought >= plan.regularity.min_days) & sampled[pairs.member])[0]
    keys, wait = first_purchase_after(history, snap.cutoff, snap.cutoff + plan.replenishment_days)
    k = max(len(history.categories), 1)
    pair_key = pairs.member[rows].astype(np.int64) * k + pairs.category[rows]
    found = groups.contains(keys, pair_key)
    days = np.full(len(rows), np.nan)
    days[found] = wait[np.searchsorted(keys, pair_key[found])]
    inputs = regular_inputs(pairs, snap.features, snap.stats, history.categories, rows)
    return inputs, days, snap.member_key[pairs.member[rows]]


def _affinity_rows(
    snap: Snapshot, history: History, plan: TrainingPlan
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sampled = _sampled_members(snap, plan.max_pair_members)
    found = candidates(snap.history, snap.features, snap.pairs, snap.stats, members=sampled)
    k = max(len(history.categories), 1)
    bought = bought_in(history, snap.cutoff, snap.cutoff + plan.affinity_days)
    label = np.isin(found.member.astype(np.int64) * k + found.category, bought).astype(int)
    return found.inputs, label, snap.member_key[found.member]


def _reference(models: FittedModels, history: History, features, pairs) -> dict[str, np.ndarray]:
    """Quantile grids of every numeric field over members who bought in the last year."""
    made = predict(models, history, features, pairs)
    values = dict(features.fields) | {
        "churn_risk": made.churn_risk,
        "clv_365": made.clv_365,
        "next_purchase_days": made.next_purchase_day - history.as_of,
    }
    buyers = features.fields["orders_365"] > 0
    grid = np.linspace(0, 100, 101)
    out = {}
    for name in (*FIELDS, "churn_risk", "clv_365", "next_purchase_days"):
        chosen = values[name][buyers]
        chosen = chosen[~np.isnan(chosen)]
        out[name] = np.percentile(chosen, grid) if len(chosen) else np.full(len(grid), np.nan)
    return out
