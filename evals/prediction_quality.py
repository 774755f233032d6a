"""Prediction quality on real held-out data: Dunnhumby "The Complete Journey".

An as-of split, run the way a retailer would: import the data up to the as-of date only
(`import completejourney --until`), fit the models and export every household's profile as of
that date, then compare with what households actually did afterwards (read from a second, full
import). Baselines, computed from the same history before the as-of date:

- churn: days since the last purchase (ranked as is for ROC-AUC; as a probability through a
  one-feature logistic regression fitted on the same label window as the model, for Brier and
  calibration);
- categories: the member's own purchase frequency (days bought, ties by recency);
- replenishment and next purchase: last purchase + the median interval.

Usage: python -m evals.prediction_quality [--as-of 2017-09-01] [--work DIR] [--write-doc docs/prediction-quality.md]
"""

import argparse
import asyncio
import json
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import structlog
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from loyalty.logs import configure_logging
from tools.importers.completejourney import CompleteJourneyOptions, import_completejourney, load_tables
from tools.importers.progress import Silent
from tools.profiles.artefact import ModelStore
from tools.profiles.export import export_profiles
from tools.profiles.frame import SEGMENT_FIELDS
from tools.profiles.history import History, day_of
from tools.profiles.loader import load_history
from tools.profiles.pairs import pair_history
from tools.profiles.purchases import purchase_features
from tools.profiles.service import ProfileService
from tools.segments.definitions import load_segments
from tools.storage.db import Database, database, init_schema, utcnow

log = structlog.get_logger(__name__)

CHURN_DAYS = 60
CATEGORY_DAYS = 30
REPLENISH_DAYS = 90
TOP_K = 10
START, END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass(frozen=True)
class Row:
    metric: str
    model: float
    baseline: float
    higher_is_better: bool
    baseline_name: str
    note: str = ""

    @property
    def wins(self) -> bool:
        return self.model > self.baseline if self.higher_is_better else self.model < self.baseline


async def evaluate(as_of: datetime, work: Path) -> tuple[list[Row], dict[str, object]]:
    work.mkdir(parents=True, exist_ok=True)
    tables = load_tables()
    started = time.perf_counter()
    past = await _imported(work / "until.db", tables, until=as_of)
    future = await _imported(work / "full.db", tables, until=None)
    imported = time.perf_counter() - started
    try:
        service = ProfileService(db=past, store=ModelStore(work / "models"),
                                 segments=load_segments(SEGMENT_FIELDS), clock=lambda: as_of)
        started = time.perf_counter()
        frame = await service.frame(as_of)
        fitted = time.perf_counter() - started
        out = work / "profiles.jsonl"
        export_profiles(frame, out)
        exported = [json.loads(line) for line in out.read_text().splitlines()]
        before = frame.history
        after = await load_history(future, datetime(2018, 1, 2))
    finally:
        await past.dispose()
        await future.dispose()
    rows, extra = _compare(exported, before, after, as_of)
    extra |= {"import_seconds_both": round(imported, 1), "fit_and_profile_seconds": round(fitted, 1),
              "households": len(exported), "model_metrics_on_training_holdout": (await _metrics(work))}
    return rows, extra


async def _imported(path: Path, tables, until: datetime | None) -> Database:
    path.unlink(missing_ok=True)
    db = database(f"sqlite+aiosqlite:///{path}")
    await init_schema(db)
    await import_completejourney(db, CompleteJourneyOptions(now=utcnow(), until=until,
                                                            rejects_path=path.with_suffix(".rejects.csv")),
                                 Silent(), tables)
    return db


async def _metrics(work: Path) -> dict[str, float]:
    store = ModelStore(work / "models")
    models = store.for_as_of(datetime.max)
    return {} if models is None else {k: round(v, 4) for k, v in models.metrics.items()}


def _compare(exported: list[dict], before: History, after: History, as_of: datetime) -> tuple[list[Row], dict]:
    t0 = day_of(as_of)
    ids = [p["customer_id"] for p in exported]
    who_after = {e: i for i, e in enumerate(after.members.external_id.tolist())}
    rows_after = np.array([who_after[e] for e in ids])
    rows_before = np.arange(len(ids))  # the export follows the history's member order
    assert [str(x) for x in before.members.external_id.tolist()] == ids

    # --- churn ---------------------------------------------------------------------------------
    bought = _orders_between(after, t0, t0 + CHURN_DAYS)[rows_after]
    churned = (bought == 0).astype(int)
    risk = np.array([p["churn_risk"] for p in exported])
    recency = np.array([np.inf if p["recency_days"] is None else p["recency_days"] for p in exported])
    baseline_risk = _recency_probability(before, t0)
    rows = [
        Row("churn ROC-AUC", roc_auc_score(churned, risk), roc_auc_score(churned, np.nan_to_num(recency, posinf=1e6)),
            True, "days since last purchase"),
        Row("churn Brier score", brier_score_loss(churned, risk), brier_score_loss(churned, baseline_risk), False,
            "days since last purchase, logistic"),
        Row("churn calibration error (ECE, 10 bins)", _ece(risk, churned), _ece(baseline_risk, churned), False,
            "days since last purchase, logistic"),
    ]
    calibration = {
        "observed_churn_rate": round(float(churned.mean()), 4),
        "mean_predicted_model": round(float(risk.mean()), 4),
        "mean_predicted_baseline": round(float(baseline_risk.mean()), 4),
        "reliability_model": _reliability(risk, churned),
    }

    # --- categories ----------------------------------------------------------------------------
    names_after = after.categories.astype(str)
    relevant = _categories_bought(after, t0, t0 + CATEGORY_DAYS, names_after)
    pairs = pair_history(before)
    names_before = before.categories.astype(str)
    own = _own_frequency_ranking(pairs, names_before, len(ids))
    model_lists = [[c["category"] for c in p["category_affinity"]][:TOP_K] for p in exported]
    scored = [i for i in range(len(ids)) if relevant.get(rows_after[i])]
    rec_m = np.mean([_recall(model_lists[i], relevant[rows_after[i]]) for i in scored])
    rec_b = np.mean([_recall(own[i], relevant[rows_after[i]]) for i in scored])
    ndcg_m = np.mean([_ndcg(model_lists[i], relevant[rows_after[i]]) for i in scored])
    ndcg_b = np.mean([_ndcg(own[i], relevant[rows_after[i]]) for i in scored])
    rows += [
        Row("categories recall@10", rec_m, rec_b, True, "own purchase frequency",
            f"{len(scored):,} households buying in the {CATEGORY_DAYS} days after"),
        Row("categories NDCG@10", ndcg_m, ndcg_b, True, "own purchase frequency"),
    ]

    # --- replenishment -------------------------------------------------------------------------
    errors_m, errors_b = [], []
    first_after = _first_purchase_after(after, t0, t0 + REPLENISH_DAYS, names_after)
    last_bought = {(m, c): t0 - r for m, c, r in zip(pairs.member.tolist(), names_before[pairs.category].tolist(),
                                                      pairs.recency.tolist(), strict=True)}
    for i, p in enumerate(exported):
        for item in p["replenishment"]:
            actual = first_after.get((rows_after[i], item["category"]))
            if actual is None:
                continue
            predicted = day_of(datetime.fromisoformat(item["expected_next_date"]))
            last = last_bought[(rows_before[i], item["category"])]
            errors_m.append(abs(predicted - np.floor(actual)))
            errors_b.append(abs(np.floor(last + item["interval_days"]) - np.floor(actual)))
    rows.append(Row("replenishment MAE (days)", float(np.mean(errors_m)), float(np.mean(errors_b)), False,
                    "last purchase + median interval",
                    f"{len(errors_m):,} regular member-category pairs bought again within {REPLENISH_DAYS} days"))

    # --- next purchase (beyond the list) -------------------------------------------------
    next_actual = _first_order_after(after, t0, t0 + REPLENISH_DAYS)[rows_after]
    has_next = ~np.isnan(next_actual)
    predicted_next = np.array([day_of(datetime.fromisoformat(p["predicted_next_purchase_date"])) for p in exported])
    last_order = t0 - recency
    median_gap = _median_order_gap(before)
    usable = has_next & np.isfinite(last_order) & ~np.isnan(median_gap)
    rows.append(Row(
        "next purchase MAE (days)",
        float(np.mean(np.abs(predicted_next[usable] - np.floor(next_actual[usable])))),
        float(np.mean(np.abs(np.floor(last_order[usable] + median_gap[usable]) - np.floor(next_actual[usable])))),
        False, "last purchase + median interval",
        f"{int(usable.sum()):,} households ordering within {REPLENISH_DAYS} days",
    ))
    return rows, {"calibration": calibration}


def _orders_between(history: History, start: float, end: float) -> np.ndarray:
    inside = history.window_orders(start, end)
    return np.bincount(history.orders.member[inside], minlength=len(history.members))


def _first_order_after(history: History, start: float, end: float) -> np.ndarray:
    inside = history.window_orders(start, end)
    first = np.full(len(history.members), np.inf)
    np.minimum.at(first, history.orders.member[inside], history.orders.at[inside])
    return np.where(np.isinf(first), np.nan, first)


def _median_order_gap(history: History) -> np.ndarray:
    return purchase_features(history)["median_interval"]


def _recency_probability(history: History, t0: float) -> np.ndarray:
    """Baseline churn probability: logistic regression on log days since the last purchase,
    fitted on the window before as_of exactly like the model's labels."""
    cutoff = np.floor(t0) - CHURN_DAYS
    exists = history.members.joined < cutoff
    y_fit = (_orders_between(history, cutoff, cutoff + CHURN_DAYS) == 0).astype(int)
    model = LogisticRegression().fit(_log_recency(history, cutoff)[exists, None], y_fit[exists])
    return model.predict_proba(_log_recency(history, t0)[:, None])[:, 1]


def _log_recency(history: History, t: float) -> np.ndarray:
    """log(1 + days since the last order before t); ten years for a member with none."""
    before = history.orders.at < t
    last = np.full(len(history.members), -np.inf)
    np.maximum.at(last, history.orders.member[before], history.orders.at[before])
    return np.log1p(np.where(np.isinf(last), 3650.0, t - last))


def _categories_bought(history: History, start: float, end: float, names: np.ndarray) -> dict[int, set[str]]:
    inside = history.window_orders(start, end)
    chosen = inside[history.lines.order]
    member = history.orders.member[history.lines.order[chosen]]
    out: dict[int, set[str]] = {}
    for m, c in zip(member.tolist(), names[history.lines.category[chosen]].tolist(), strict=True):
        out.setdefault(m, set()).add(c)
    return out


def _first_purchase_after(history: History, start: float, end: float,
                          names: np.ndarray) -> dict[tuple[int, str], float]:
    inside = history.window_orders(start, end)
    chosen = np.nonzero(inside[history.lines.order])[0]
    out: dict[tuple[int, str], float] = {}
    orders = history.lines.order[chosen]
    for m, c, at in zip(history.orders.member[orders].tolist(), names[history.lines.category[chosen]].tolist(),
                        history.orders.at[orders].tolist(), strict=True):
        key = (m, c)
        if key not in out or at < out[key]:
            out[key] = at
    return out


def _own_frequency_ranking(pairs, names: np.ndarray, n: int) -> list[list[str]]:
    order = np.lexsort((pairs.recency, -pairs.days_bought, pairs.member))
    ranked: list[list[str]] = [[] for _ in range(n)]
    for m, c in zip(pairs.member[order].tolist(), names[pairs.category[order]].tolist(), strict=True):
        if len(ranked[m]) < TOP_K:
            ranked[m].append(c)
    return ranked


def _recall(ranked: list[str], relevant: set[str]) -> float:
    return len(set(ranked[:TOP_K]) & relevant) / len(relevant)


def _ndcg(ranked: list[str], relevant: set[str]) -> float:
    gains = [1.0 / np.log2(i + 2) for i, c in enumerate(ranked[:TOP_K]) if c in relevant]
    ideal = sum(1.0 / np.log2(i + 2) for i in range(min(TOP_K, len(relevant))))
    return sum(gains) / ideal


def _ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    edges = np.quantile(p, np.linspace(0, 1, bins + 1))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.mean() * abs(p[inside].mean() - y[inside].mean())
    return float(total)


def _reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    edges = np.quantile(p, np.linspace(0, 1, bins + 1))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    return [{"mean_predicted": round(float(p[which == b].mean()), 4), "observed": round(float(y[which == b].mean()), 4),
             "households": int((which == b).sum())} for b in range(bins) if (which == b).any()]


def render(rows: list[Row], extra: dict, as_of: datetime) -> str:
    lines = [
        f"As of **{as_of:%Y-%m-%d}** ({extra['households']:,} households; history before it only, outcomes after it). "
        f"Generated by `python -m evals.prediction_quality`.",
        "",
        "| metric | model | baseline | baseline is | model beats it? |",
        "|---|---:|---:|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r.metric} | {r.model:.4f} | {r.baseline:.4f} | {r.baseline_name} | "
                     f"{'yes' if r.wins else '**no**'} |")
    notes = [r for r in rows if r.note]
    lines += ["", *[f"- {r.metric}: {r.note}" for r in notes]]
    c = extra["calibration"]
    lines += ["", f"Calibration: observed churn rate {c['observed_churn_rate']:.3f}; mean predicted "
              f"{c['mean_predicted_model']:.3f} (model), {c['mean_predicted_baseline']:.3f} (baseline). "
              "Reliability of the model by decile of predicted risk:", "",
              "| mean predicted | observed | households |", "|---:|---:|---:|"]
    lines += [f"| {b['mean_predicted']:.3f} | {b['observed']:.3f} | {b['households']} |"
              for b in c["reliability_model"]]
    metrics = extra["model_metrics_on_training_holdout"]
    lines += ["", "Metrics stored with the fitted models (held-out members of the training windows, before the "
              "as-of date): " + ", ".join(f"{k} {v}" for k, v in metrics.items()) + ".",
              "", f"Both imports took {extra['import_seconds_both']} s; fitting and profiling every household "
              f"{extra['fit_and_profile_seconds']} s."]
    return "\n".join(lines)


def write_doc(path: Path, body: str) -> None:
    text = path.read_text() if path.exists() else f"{START}\n{END}\n"
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(f"{head}{START}\n{body}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2017-09-01", help="the split date (default 2017-09-01)")
    parser.add_argument("--work", type=Path, default=Path("reports/prediction-quality"), help="scratch directory")
    parser.add_argument("--write-doc", type=Path, help="replace the results section of this Markdown file")
    args = parser.parse_args()
    configure_logging("warning")
    as_of = datetime.fromisoformat(args.as_of)
    rows, extra = asyncio.run(evaluate(as_of, args.work))
    body = render(rows, extra, as_of)
    print(body)
    if args.write_doc:
        write_doc(args.write_doc, body)


if __name__ == "__main__":
    main()
