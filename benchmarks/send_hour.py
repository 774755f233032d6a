"""Send-hour benchmark: each member's estimated best hour against the simulator's hidden one.

    python -P benchmarks/send_hour.py                                  # the four shipped populations
    python -P benchmarks/send_hour.py --population my.toml --members 5000 --seeds 1 2

For each population and seed it builds the simulation's world (`evals.simulation.environment`:
six months of history, written to a temporary SQLite file), reads every member's history as of
the first simulated day, estimates their hour as the profiles do (`tools.profiles.engagement`,
the hour prior fitted on the same history), and prints the share of members whose estimate is
within ±1 h of the hidden preferred hour, overall and by hour segment (where they mostly order).
The hidden hours are read here only, to score; nothing of them reaches the estimate.

The simulation's own figure (`sends_on_hour`, `loyalty eval run simulation`) counts sends rather
than members, after quiet hours and scheduling: this one isolates the estimator, in seconds.
"""

import argparse
import asyncio
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from evals.simulation.environment import build_world
from loyalty.settings import PACKAGE_ROOT
from tools.profiles import load_history
from tools.profiles.engagement import HOUR_SEGMENTS, engagement, fit_send_hours, hour_signals
from tools.profiles.history import ORDER_CHANNELS, History
from tools.profiles.send_hour import circular_gap
from tools.world.population import load_population

POPULATIONS = (
    PACKAGE_ROOT / "tools/world/default_population.toml",
    PACKAGE_ROOT / "tools/world/populations/fashion.toml",
    PACKAGE_ROOT / "tools/world/populations/pet_pharmacy.toml",
    PACKAGE_ROOT / "tools/world/populations/value_grocer.toml",
)
SEGMENT_NAMES = (*ORDER_CHANNELS, "none")


async def world_history(
    population: Path, members: int, seed: int, directory: Path
) -> tuple[History, np.ndarray]:
    """Every member's history as of the first simulated day, and their hidden hours in its order."""
    spec = load_population(population)
    start = spec.world.end_date + timedelta(days=1)
    world = await build_world(
        spec, members=members, seed=seed, history_months=6, days=1, start=start, directory=directory
    )
    try:
        history = await load_history(world.db, datetime(start.year, start.month, start.day))
    finally:
        await world.db.dispose()
    position = np.searchsorted(world.truth.customer_id, history.members.customer_id)
    return history, world.truth.preferred_hour[position].astype(float)


def scores(history: History, hidden: np.ndarray) -> dict[str, tuple[int, float]]:
    """Members and share within ±1 h, overall and by hour segment."""
    estimate = engagement(history, fit_send_hours(history)).send_hour.astype(float)
    _, segment = hour_signals(history)
    near = circular_gap(estimate, hidden) <= 1.0
    out = {"all": (len(near), float(near.mean()))}
    for s in range(HOUR_SEGMENTS):
        chosen = segment == s
        if chosen.any():
            out[SEGMENT_NAMES[s]] = (int(chosen.sum()), float(near[chosen].mean()))
    return out


async def main(populations: list[Path], members: int, seeds: list[int]) -> None:
    table = Table(
        title=f"Members whose estimated hour is within ±1 h of the hidden one ({members:,} members)"
    )
    for column in ("population", "seed", "all", *SEGMENT_NAMES):
        table.add_column(column, justify="left" if column == "population" else "right")
    for population in populations:
        for seed in seeds:
            with tempfile.TemporaryDirectory(prefix="send-hour-") as directory:
                history, hidden = await world_history(population, members, seed, Path(directory))
            found = scores(history, hidden)
            cells = [
                f"{found[k][1]:.1%} ({found[k][0]:,})" if k in found else "-" for k in ("all", *SEGMENT_NAMES)
            ]
            table.add_row(population.stem, str(seed), *cells)
    Console().print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--population", type=Path, action="append", help="population file (repeatable)")
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    args = parser.parse_args()
    if args.members < 1:
        parser.error("--members must be at least 1")
    asyncio.run(main(args.population or list(POPULATIONS), args.members, args.seeds))
