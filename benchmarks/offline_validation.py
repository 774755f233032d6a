"""Off-policy estimates from the agents' decision log against the simulator's truth (issue 16).

    python -P benchmarks/offline_validation.py --members 1000 --days 7
    python -P benchmarks/offline_validation.py --members 300 --days 3 --seed 2
    python -P benchmarks/offline_validation.py --members 1000 --days 7 --run-targets

Runs the agents and `nothing` on one simulated world, reads the agents' decision log as
`loyalty eval offline` does, and prints per target policy, reward and method the estimate per
decision with its 95% bootstrap interval, the simulator's expected incremental margin per decision
(for `agents` and `nothing`, and with `--run-targets` for `greedy`, `no_discount` and `email_only`
too, each run for real on its own copy of the world), whether the interval covers it, the bias and
the interval's width. See `evals.simulation.offline_check` for what each row means.
"""

import argparse
import asyncio
import time

from rich.console import Console
from rich.table import Table

from evals.simulation.engine import SimulationConfig
from evals.simulation.offline_check import Check, OfflineValidation, validate
from loyalty.logs import configure_logging
from loyalty.settings import PACKAGE_ROOT

METHODS = ("IPS", "SNIPS", "DR")
POPULATION = PACKAGE_ROOT / "tools" / "world" / "default_population.toml"


def show(result: OfflineValidation, seconds: float) -> None:
    console = Console(width=200)
    table = Table(
        title=f"{result.members:,} members × {result.days} days, seed {result.seed}: "
        f"{result.decisions:,} logged decisions ({result.unmatched} unusable), {result.messages:,} sent, "
        f"{result.rewarded:,} with a logged reward, "
        f"{result.exploring:,} explored · agents' expected margin {result.truth_agents:.3f}, "
        f"realised {result.realised_agents:.3f}, predicted {result.predicted_agents:.3f} per decision · "
        f"{seconds:.0f} s",
        show_edge=False,
    )
    for column in ("policy", "reward", "truth", *METHODS):
        table.add_column(column, justify="left" if column in ("policy", "reward") else "right")
    rows: dict[tuple[str, str], dict[str, Check]] = {}
    for c in result.checks:
        rows.setdefault((c.policy, c.reward), {})[c.method] = c
    for (policy, reward), checks in rows.items():
        truth = next(iter(checks.values())).truth
        table.add_row(
            policy, reward, "—" if truth is None else f"{truth:.3f}", *(_cell(checks[m]) for m in METHODS)
        )
    console.print(table)
    console.print("a cell: estimate per decision [95% bootstrap interval] · covers the truth? · width")


def _cell(c: Check) -> str:
    e = c.estimate
    covered = "" if c.covered is None else (" [green]✓[/]" if c.covered else " [red]✗[/]")
    return f"{e.mean:.3f} [{e.low:.3f}, {e.high:.3f}]{covered} · {c.width:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--run-targets", action="store_true", help="run each deterministic target too, for its truth"
    )
    args = parser.parse_args()
    configure_logging("warning")
    config = SimulationConfig(
        population=POPULATION, members=args.members, days=args.days, first_seed=args.seed
    )
    started = time.perf_counter()
    result = asyncio.run(validate(config, run_targets=args.run_targets))
    show(result, time.perf_counter() - started)


if __name__ == "__main__":
    main()
