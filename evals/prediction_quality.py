"""Prediction quality on real held-out data: Dunnhumby "The Complete Journey".

At several as-of dates ("cuts"), the product fits its models on the history before the cut and
profiles every household as of it; the predictions are compared with what households actually
did afterwards, against the strongest honest baselines computed from the same history
(evals/prediction_baselines.py), with household-bootstrap paired 95% intervals
(evals/paired_bootstrap.py). The data is imported once; every read for a cut keeps only what was
recorded strictly before it (the loader's rule), which is what `import completejourney --until`
would have imported.

Scored, per cut:
- churn (no order in the next 60 days): ROC-AUC and Brier score, every household that had joined;
- categories bought in the next 30 days: recall@10 and NDCG@10, households that bought;
- next order date (within 90 days): mean absolute error in days, households that ordered;
- replenishment: every member x category pair bought on 3+ separate days before the cut; error in
  days to the first purchase in the next 90 days, and 90 days when the pair was not bought again
  or the method gave no date for it;
- spend in the next 90 days: Spearman correlation and mean absolute error, every household (the
  product's 365-day value scaled to 90 days).

Usage: python -m evals.prediction_quality [--cuts 2017-07-01,2017-08-01,...] [--work DIR]
       [--write-doc docs/prediction-quality.md]
"""

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import structlog
from threadpoolctl import threadpool_limits

from evals import prediction_baselines as base
from evals.paired_bootstrap import Interval, Metric, Ranked, Ratio, paired
from loyalty.logs import configure_logging
from tools.importers import CompleteJourneyOptions, import_completejourney, load_tables
from tools.profiles import (
    SEGMENT_FIELDS,
    FittedModels,
    History,
    ModelStore,
    Pairs,
    ProfileFrame,
    ProfileService,
    Snapshots,
    bought_in,
    day_of,
    export_profiles,
    first_purchase_after,
    from_days,
    groups,
    load_history,
    member_features,
    pair_history,
)
from tools.progress import Silent
from tools.segments import load_segments
from tools.storage import Database, database, init_schema
from tools.time import utcnow

log = structlog.get_logger(__name__)

CUTS = ("2017-07-01", "2017-08-01", "2017-09-01", "2017-10-01")
CHURN_DAYS = 60
CATEGORY_DAYS = 30
NEXT_DAYS = 90
REPLENISH_DAYS = 90
SPEND_DAYS = 90
MIN_PAIR_DAYS = 3
TOP_K = 10
PRODUCT = "product"
START, END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass(frozen=True)
class Scored:
    metric: str
    higher_is_better: bool
    values: Metric
    units: str  # what was scored, for the notes
    baselines: tuple[str, ...]

    def point(self, method: str) -> float:
        return self.values.point(method)

    def best_baseline(self) -> str:
        pick = max if self.higher_is_better else min
        return pick(self.baselines, key=self.point)


@dataclass
class CutResult:
    as_of: datetime
    households: int
    scored: list[Scored]
    intervals: dict[str, Interval]  # metric -> product minus its best baseline
    info: dict[str, object] = field(default_factory=dict)


async def evaluate(
    cuts: list[datetime], work: Path, reuse: bool = False
) -> tuple[list[CutResult], dict[str, float]]:
    work.mkdir(parents=True, exist_ok=True)
    path = work / "completejourney.db"
    imported = reuse and path.exists()
    if not imported:
        path.unlink(missing_ok=True)
    db = database(f"sqlite+aiosqlite:///{path}")
    try:
        tables = load_tables()
        timing = {"import_seconds": float("nan")}
        if not imported:
            await init_schema(db)
            started = time.perf_counter()
            await import_completejourney(
                db, CompleteJourneyOptions(now=utcnow(), rejects_path=work / "rejects.csv"), Silent(), tables
            )
            timing["import_seconds"] = time.perf_counter() - started
        households_with_purchase = int(tables["transactions"]["household_id"].nunique())
        after = await load_history(db, datetime(2018, 1, 2))
        results = []
        for cut in cuts:
            results.append(await _evaluate_cut(db, after, cut, work))
            print(render(results[-1:], {}), file=sys.stderr, flush=True)  # progress: a cut takes minutes
            log.warning(
                "cut evaluated",
                as_of=cut.date().isoformat(),
                **{k: v for k, v in results[-1].info.items() if k.endswith("seconds")},
            )
        timing["households_with_a_purchase"] = households_with_purchase
        timing["households_profiled_at_data_end"] = len(after.members)
    finally:
        await db.dispose()
    return results, timing


async def _evaluate_cut(db: Database, after: History, as_of: datetime, work: Path) -> CutResult:
    service = ProfileService(
        db=db,
        store=ModelStore(work / f"models-{as_of:%Y%m%d}"),
        segments=load_segments(SEGMENT_FIELDS),
        clock=lambda: as_of,
    )
    started = time.perf_counter()
    models = await service.fit(as_of)
    fitted = time.perf_counter() - started
    started = time.perf_counter()
    frame = await service.frame(as_of)
    profiled = time.perf_counter() - started
    started = time.perf_counter()
    export_profiles(frame, work / f"profiles-{as_of:%Y%m%d}.jsonl")
    exported = time.perf_counter() - started

    # One OpenMP thread for the baselines' trees, as for the product's (tools/profiles/training.py)
    with threadpool_limits(limits=1, user_api="openmp"):
        return await _score_cut(
            db,
            after,
            as_of,
            frame,
            models,
            {
                "fit_seconds": round(fitted, 1),
                "profile_seconds": round(profiled, 1),
                "export_seconds": round(exported, 1),
            },
        )


async def _score_cut(
    db: Database,
    after: History,
    as_of: datetime,
    frame: ProfileFrame,
    models: FittedModels,
    timing: dict[str, float],
) -> CutResult:
    today = float(np.floor(day_of(as_of)))
    windows = sorted({CHURN_DAYS, NEXT_DAYS, REPLENISH_DAYS, SPEND_DAYS})
    history = await load_history(db, as_of, also_at=[from_days(today - w) for w in windows])
    if not np.array_equal(history.members.customer_id, frame.history.members.customer_id):
        raise RuntimeError("the frame and the evaluation read different members")
    truth = _Truth(history, after, today)
    features = member_features(history)
    pairs = pair_history(history)
    snapshots = Snapshots(history)
    bg = base.bgnbd(history, today, (CHURN_DAYS, SPEND_DAYS))
    seed = int(today)
    scored = [
        *_churn(frame, history, features, snapshots, truth, bg, today),
        *_categories(frame, pairs, truth),
        _next_order(frame, history, features, snapshots, truth, today),
        _replenishment(frame, history, features, pairs, snapshots, truth, today),
        *_spend(frame, history, features, snapshots, truth, bg, today),
    ]
    intervals = {s.metric: paired(s.values, PRODUCT, s.best_baseline(), seed) for s in scored}
    info: dict[str, object] = timing | {
        "observed_churn": float(truth.churned.mean()),
        "mean_churn_risk": float(frame.predictions.churn_risk.mean()),
        "spend_actual": float(truth.spend.mean()),
        "spend_product": float((frame.predictions.clv_365 * SPEND_DAYS / 365).mean()),
        "stored_metrics": {k: round(v, 4) for k, v in models.metrics.items()},
        "replenishment_pairs": int((pairs.days_bought >= MIN_PAIR_DAYS).sum()),
        "replenishment_listed": len(frame.predictions.replenishment.category),
    }
    return CutResult(as_of, len(history.members), scored, intervals, info)


class _Truth:
    """What each household (rows of the history before the cut) did after it."""

    def __init__(self, before: History, after: History, today: float) -> None:
        self.after = after
        self.today = today
        self.row = np.searchsorted(after.members.customer_id, before.members.customer_id)
        self.k = len(after.categories)
        self.category_code = pd.Index(after.categories.astype(str)).get_indexer(before.categories.astype(str))
        orders, n = after.orders, len(after.members)
        self.churned = (_count(after, today, today + CHURN_DAYS)[self.row] == 0).astype(int)
        inside = after.window_orders(today, today + NEXT_DAYS)
        self.next_day = (np.floor(groups.minimum(orders.member[inside], orders.at[inside], n)) - today)[
            self.row
        ]
        inside = after.window_orders(today, today + SPEND_DAYS)
        self.spend = groups.total(orders.member[inside], orders.total[inside], n)[self.row]
        self.bought_keys = bought_in(after, today, today + CATEGORY_DAYS)
        self.bought_count = np.bincount(self.bought_keys // self.k, minlength=n)[self.row]
        self.rebuy_keys, wait = first_purchase_after(after, today, today + REPLENISH_DAYS)
        self.rebuy_day = np.floor(today + wait) - today

    def pair_keys(self, member: np.ndarray, category: np.ndarray) -> np.ndarray:
        return self.row[member].astype(np.int64) * self.k + self.category_code[category]


def _count(history: History, start: float, end: float) -> np.ndarray:
    inside = history.window_orders(start, end)
    return groups.count(history.orders.member[inside], len(history.members))


def _churn(
    frame: ProfileFrame, history: History, features, snapshots: Snapshots, truth: _Truth, bg, today: float
) -> list[Scored]:
    risk = {
        PRODUCT: frame.predictions.churn_risk,
        "days since last purchase (logistic)": base.recency_churn(history, features, today, CHURN_DAYS),
        "BG/NBD": bg[CHURN_DAYS][0],
        "gradient boosting, last window": base.gbm_churn(
            snapshots.at(today - CHURN_DAYS), history, today, features
        ),
    }
    y = truth.churned
    names = tuple(k for k in risk if k != PRODUCT)
    households = f"{len(y):,} households, {y.mean():.1%} churned"
    return [
        Scored("churn ROC-AUC", True, Ranked("auc", risk, y), households, names),
        Scored(
            "churn Brier score",
            False,
            Ratio({k: (v - y) ** 2 for k, v in risk.items()}, np.ones(len(y))),
            households,
            names,
        ),
    ]


def _categories(frame: ProfileFrame, pairs: Pairs, truth: _Truth) -> list[Scored]:
    n = len(truth.row)
    ranked = frame.predictions.affinity
    member, rank = ranked.member_and_rank()
    lists = {PRODUCT: _top(member, rank, ranked.category, n, truth)}
    by_days = np.lexsort((pairs.recency, -pairs.days_bought, pairs.member))
    lists["own purchase frequency"] = _top(*_ranks(pairs, by_days), n, truth)
    by_weight = np.lexsort((pairs.recency, -pairs.weighted[:, 1], pairs.member))
    lists["own frequency, recency-weighted"] = _top(*_ranks(pairs, by_weight), n, truth)
    relevant = truth.bought_count
    scored = relevant > 0
    recall, ndcg = {}, {}
    discount = 1.0 / np.log2(np.arange(TOP_K) + 2)
    ideal = np.cumsum(discount)[np.minimum(relevant, TOP_K) - 1]
    for name, codes in lists.items():
        keys = truth.row[:, None].astype(np.int64) * truth.k + codes
        hit = (codes >= 0) & groups.contains(truth.bought_keys, keys.ravel()).reshape(keys.shape)
        recall[name] = np.where(scored, hit.sum(axis=1) / np.maximum(relevant, 1), 0.0)
        ndcg[name] = np.where(scored, (hit * discount).sum(axis=1) / ideal, 0.0)
    names = tuple(k for k in lists if k != PRODUCT)
    units = f"{int(scored.sum()):,} households buying in the {CATEGORY_DAYS} days after"
    weight = scored.astype(float)
    return [
        Scored("categories recall@10", True, Ratio(recall, weight), units, names),
        Scored("categories NDCG@10", True, Ratio(ndcg, weight), units, names),
    ]


def _ranks(pairs: Pairs, order: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    member = pairs.member[order]
    return member, np.arange(len(order)) - np.searchsorted(member, member), pairs.category[order]


def _top(member: np.ndarray, rank: np.ndarray, category: np.ndarray, n: int, truth: _Truth) -> np.ndarray:
    """households x TOP_K category codes of the full history (-1: none)."""
    out = np.full((n, TOP_K), -1, dtype=np.int64)
    keep = rank < TOP_K
    out[member[keep], rank[keep]] = truth.category_code[category[keep]]
    return out


def _next_order(
    frame: ProfileFrame, history: History, features, snapshots: Snapshots, truth: _Truth, today: float
) -> Scored:
    actual = truth.next_day
    ordered = ~np.isnan(actual)
    gap = features.fields["median_interval"]
    gap = np.where(np.isnan(gap), np.nanmedian(gap), gap)
    last = np.floor(today - features.fields["recency_days"])
    rule = np.where(np.isnan(last), today + gap, base.rolled_forward(last, gap, today)) - today
    predicted = {
        PRODUCT: np.floor(frame.predictions.next_purchase_day) - today,
        "last order + median interval, rolled forward": rule,
        "gradient boosting, last window": np.floor(
            base.gbm_next_order(snapshots.at(today - NEXT_DAYS), history, today, features)
        ),
    }
    errors = {k: np.where(ordered, np.abs(v - np.nan_to_num(actual)), 0.0) for k, v in predicted.items()}
    return Scored(
        "next order MAE (days)",
        False,
        Ratio(errors, ordered.astype(float)),
        f"{int(ordered.sum()):,} households ordering within {NEXT_DAYS} days",
        tuple(k for k in predicted if k != PRODUCT),
    )


def _replenishment(
    frame: ProfileFrame,
    history: History,
    features,
    pairs: Pairs,
    snapshots: Snapshots,
    truth: _Truth,
    today: float,
) -> Scored:
    rows = np.nonzero(pairs.days_bought >= MIN_PAIR_DAYS)[0]
    keys = truth.pair_keys(pairs.member[rows], pairs.category[rows])
    rebought = groups.contains(truth.rebuy_keys, keys)
    actual = np.where(
        rebought,
        truth.rebuy_day[np.minimum(np.searchsorted(truth.rebuy_keys, keys), len(truth.rebuy_keys) - 1)],
        np.nan,
    )
    listed = frame.predictions.replenishment
    listed_member = np.repeat(np.arange(len(truth.row)), np.diff(listed.offsets))
    listed_keys = truth.pair_keys(listed_member, listed.category)
    order = np.argsort(listed_keys)
    listed_keys, listed_day = listed_keys[order], np.floor(listed.next_day[order]) - today
    has_date = groups.contains(listed_keys, keys)
    product = np.where(
        has_date, listed_day[np.minimum(np.searchsorted(listed_keys, keys), len(listed_keys) - 1)], np.nan
    )
    last = np.floor(today - pairs.recency[rows])
    predicted = {
        PRODUCT: product,
        "last purchase + median interval, rolled forward": base.rolled_forward(
            last, pairs.median_interval[rows], today
        )
        - today,
        "gradient boosting, last window": np.floor(
            base.gbm_rebuy(snapshots.at(today - REPLENISH_DAYS), history, today, pairs, rows, features)
        ),
    }
    member = pairs.member[rows]
    n = len(truth.row)
    errors = {}
    for name, days in predicted.items():
        error = np.where(
            rebought & ~np.isnan(days), np.abs(days - np.nan_to_num(actual)), float(REPLENISH_DAYS)
        )
        errors[name] = np.bincount(member, weights=error, minlength=n)
    units = (
        f"{len(rows):,} member x category pairs bought on {MIN_PAIR_DAYS}+ days; {rebought.mean():.0%} bought "
        f"again within {REPLENISH_DAYS} days; the product dates {has_date.mean():.0%} of them"
    )
    return Scored(
        "replenishment MAE, every pair (days)",
        False,
        Ratio(errors, np.bincount(member, minlength=n).astype(float)),
        units,
        tuple(k for k in predicted if k != PRODUCT),
    )


def _spend(
    frame: ProfileFrame, history: History, features, snapshots: Snapshots, truth: _Truth, bg, today: float
) -> list[Scored]:
    fields = features.fields
    per_day = fields["spend_365"] / np.clip(fields["first_order_days"], 1.0, 365.0)
    shopping_days = np.maximum(fields["shopping_days"], 1.0)
    predicted = {
        PRODUCT: frame.predictions.clv_365 * SPEND_DAYS / 365,
        "last 90 days again": fields["spend_90"],
        "own pace over the last year": np.nan_to_num(per_day) * SPEND_DAYS,
        "BG/NBD x average spend per shopping day": bg[SPEND_DAYS][1] * fields["spend_total"] / shopping_days,
        "gradient boosting, last window": base.gbm_spend(
            snapshots.at(today - SPEND_DAYS), history, today, features
        ),
    }
    predicted = {k: np.nan_to_num(v) for k, v in predicted.items()}
    actual = truth.spend
    names = tuple(k for k in predicted if k != PRODUCT)
    units = f"{len(actual):,} households, mean spend {actual.mean():.0f} in the {SPEND_DAYS} days after"
    errors = {k: np.abs(v - actual) for k, v in predicted.items()}
    return [
        Scored(
            f"spend next {SPEND_DAYS} days, Spearman",
            True,
            Ranked("spearman", predicted, actual),
            units,
            names,
        ),
        Scored(
            f"spend next {SPEND_DAYS} days, MAE", False, Ratio(errors, np.ones(len(actual))), units, names
        ),
    ]


def render(results: list[CutResult], timing: dict[str, float]) -> str:
    out = [
        f"Generated by `python -m evals.prediction_quality` at {len(results)} cuts "
        f"({', '.join(f'{r.as_of:%Y-%m-%d}' for r in results)}). Intervals: 95%, household bootstrap, "
        "paired (product minus the best baseline on the same resampled households).",
        "",
        "### Summary: the product against the best baseline at each cut",
        "",
        "| metric | " + " | ".join(f"{r.as_of:%Y-%m-%d}" for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for i, s in enumerate(results[0].scored):
        cells = []
        for r in results:
            this = r.scored[i]
            interval = r.intervals[this.metric]
            cells.append(
                f"{_verdict(interval.verdict(this.higher_is_better))} {interval.difference:+.4g} "
                f"[{interval.low:+.3g}, {interval.high:+.3g}]"
            )
        out.append(f"| {s.metric} | " + " | ".join(cells) + " |")
    for r in results:
        out += [
            "",
            f"### As of {r.as_of:%Y-%m-%d} ({r.households:,} households)",
            "",
            "| metric | product | best baseline | its value | other baselines |",
            "|---|---:|---|---:|---|",
        ]
        for s in r.scored:
            best = s.best_baseline()
            others = "; ".join(f"{b} {s.point(b):.4g}" for b in s.baselines if b != best)
            out.append(f"| {s.metric} | {s.point(PRODUCT):.4g} | {best} | {s.point(best):.4g} | {others} |")
        out += [""] + [
            f"- {s.metric}: {s.units}"
            for s in r.scored
            if s.metric.endswith(("AUC", "@10", "(days)", "Spearman"))
        ]
        info = r.info
        out += [
            f"- churn: observed {info['observed_churn']:.3f}, product's mean risk {info['mean_churn_risk']:.3f}; "
            f"spend in the next {SPEND_DAYS} days: observed mean {info['spend_actual']:.0f}, product's "
            f"{info['spend_product']:.0f}",
            f"- fitting the models {info['fit_seconds']} s; profiles and predictions for every household "
            f"{info['profile_seconds']} s; export {info['export_seconds']} s",
        ]
    if not timing:
        return "\n".join(out)
    out += [
        "",
        f"Importing the full data set took {timing['import_seconds']:.0f} s; "
        f"{timing['households_profiled_at_data_end']:,} of the {timing['households_with_a_purchase']:,} "
        "households with a purchase have a profile at the data's end.",
    ]
    return "\n".join(out)


def _verdict(word: str) -> str:
    return {"ahead": "ahead", "level": "level", "behind": "**behind**"}[word]


def write_doc(path: Path, body: str) -> None:
    text = path.read_text() if path.exists() else f"{START}\n{END}\n"
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(f"{head}{START}\n{body}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cuts", default=",".join(CUTS), help="as-of dates, comma-separated")
    parser.add_argument(
        "--work", type=Path, default=Path("reports/prediction-quality"), help="scratch directory"
    )
    parser.add_argument(
        "--reuse-import",
        action="store_true",
        help="keep the database a previous run imported into --work (no import timing)",
    )
    parser.add_argument("--write-doc", type=Path, help="replace the results section of this Markdown file")
    args = parser.parse_args()
    configure_logging("warning")
    try:
        cuts = [datetime.fromisoformat(c.strip()) for c in args.cuts.split(",") if c.strip()]
    except ValueError as exc:
        raise SystemExit(f"--cuts: {exc}") from None
    results, timing = asyncio.run(evaluate(cuts, args.work, args.reuse_import))
    body = render(results, timing)
    print(body)
    if args.write_doc:
        write_doc(args.write_doc, body)


if __name__ == "__main__":
    main()
