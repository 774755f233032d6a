"""`loyalty demo`: the product's main job, end to end on a synthetic retailer, offline.

Seeds a world, then replays simulated days: members' own behaviour → triggers → orchestrator →
specialists → guard → channels → delivery (files in the outbox folder) → members' responses from
the hidden response model → feedback into profiles. Prints the KPI table and writes an HTML report.
"""

import os
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from evals.simulation import (
    LABELS,
    METRICS,
    PolicyMetrics,
    SimulationConfig,
    clear_previous_run,
    run_simulation,
    write_report,
)
from loyalty.cli.bars import day_bars
from loyalty.cli.common import console, quiet_logs, run
from loyalty.cli.report import print_alerts
from loyalty.settings import Settings, load_settings
from loyalty.wiring import policy_from
from tools.reporting import Alert, current_alerts, load_rules
from tools.storage import database
from tools.world import load_population


def demo_command(
    ctx: typer.Context,
    members: Annotated[
        int, typer.Option(min=50, max=200_000, help="Members in the synthetic world.")
    ] = 2_000,
    days: Annotated[int, typer.Option(min=1, max=60, help="Days to simulate.")] = 14,
    seed: Annotated[
        int, typer.Option(min=0, help="World seed (same seed, same world and member behaviour).")
    ] = 1,
    baselines: Annotated[
        bool,
        typer.Option(
            help="Run the rules / blast / nothing baselines beside the agents, flows and oracle "
            "(--no-baselines: agents, flows and oracle only)."
        ),
    ] = True,
    out: Annotated[Path, typer.Option(help="Folder for the databases, outbox and report.")] = Path(
        "demo-run"
    ),
) -> None:
    """Seed a retailer, run the agents over simulated days, print the KPIs and write a report."""
    quiet_logs(ctx)
    settings = load_settings()
    policy = policy_from(settings)
    config = SimulationConfig(
        population=settings.population_path,
        members=members,
        days=days,
        first_seed=seed,
        policies=("agents", "flows", "rules", "blast", "nothing", "oracle")
        if baselines
        else ("agents", "flows", "oracle"),
        directory=out.resolve(),
        decision_processes=2 if (os.cpu_count() or 1) > 1 else 1,
        model="claude" if settings.anthropic_api_key else "local",
    )
    _replace_previous(out, seed)
    started = time.perf_counter()
    with day_bars() as bars:
        tasks = {name: bars.add_task(f"{name:<8}", total=days) for name in config.policies}

        def tick(policy: str, _seed: int, day: int, _days: int) -> None:
            bars.update(tasks[policy], completed=day + 1)

        results = run(run_simulation(config, policy, progress=tick))
    elapsed = time.perf_counter() - started
    console.print(_table(results, members, days))
    models = _models_line(results, config.model)
    for line in _standing(results):
        console.print(line)
    report = write_report(
        results,
        out / "report.html",
        f"Loyalty agents: {members:,} members, {days} days",
        [f"seed {seed}", f"{elapsed:.0f} s; decisions {models}", f"outbox: {out / 'seed'}*"],
    )
    console.print(
        f"decisions: {sum(r.decisions for r in results.values()):,} {models} · "
        f"elapsed {elapsed:.0f} s ({_where_the_time_went(results, elapsed)})"
    )
    console.print(f"report: {report.resolve()}")
    console.print(f"messages sent (files): {out.resolve()}/seed{seed}/outbox")
    print_alerts(run(_alerts(settings, out / f"seed{seed}" / "agents.db", days)))


def _replace_previous(out: Path, seed: int) -> None:
    """Clear an earlier demo of this seed in `out` (a rerun in the same folder starts fresh) and
    say what was replaced."""
    report = out / "report.html"
    when = datetime.fromtimestamp(report.stat().st_mtime) if report.is_file() else None
    folder = clear_previous_run(out.resolve(), seed)
    if folder is None:
        return
    report.unlink(missing_ok=True)
    console.print(
        f"replaced the earlier run of seed {seed} in {folder}"
        + (f" and its report of {when:%Y-%m-%d %H:%M}" if when else ""),
        highlight=False,
        soft_wrap=True,
    )


async def _alerts(settings: Settings, path: Path, days: int) -> list[Alert]:
    """The alert rules over the agents' database, as of the end of the simulated days (the
    simulation starts the day after the population's history ends)."""
    first = load_population(settings.population_path).world.end_date + timedelta(days=1)
    end = datetime(first.year, first.month, first.day) + timedelta(days=days)
    store = database(f"sqlite+aiosqlite:///{path}")
    try:
        return await current_alerts(store, load_rules(settings.alert_rules_path), end, announce=False)
    finally:
        await store.dispose()


def _models_line(results: dict[str, PolicyMetrics], model: str) -> str:
    """Which model decided, and plainly when a fallback answered instead, with the model cost."""
    agents = results.get("agents")
    if agents is None or model == "local":
        return f"on the {model} model"
    cost = f"{agents.tokens:,} model tokens, est. ${agents.cost_usd:,.2f}"
    if agents.degraded:
        return (
            f"on the {model} model, DEGRADED: {agents.degraded:,} of {agents.decisions:,} fell back to the local "
            f"model (Claude unavailable) · {cost}"
        )
    return f"on the {model} model · {cost}"


def _where_the_time_went(results: dict[str, PolicyMetrics], elapsed: float) -> str:
    days = sum(r.seconds for r in results.values())
    agents = results.get("agents")
    steps = [f"{name} {seconds:.0f} s" for name, seconds in agents.phases.items()] if agents else []
    setup = [f"agents' start {agents.seconds - sum(agents.phases.values()):.0f} s"] if agents else []
    return ", ".join([f"world {elapsed - days:.0f} s", *setup, *steps])


def _standing(results: dict[str, PolicyMetrics]) -> list[str]:
    """Where the agents stand on the yardstick: their share of the oracle, their gap to the flows."""
    agents = results.get("agents")
    if agents is None:
        return []
    lines = []
    if "share_of_oracle" in agents.metrics:
        share = agents.metrics["share_of_oracle"]
        lines.append(
            f"agents earn {share.mean:.0%} of the oracle's expected incremental margin "
            f"[{share.low:.0%}, {share.high:.0%}]"
        )
    if "flows" in agents.versus:
        gap = agents.versus["flows"]
        verdict = "ahead of" if gap.low > 0 else "behind" if gap.high < 0 else "level with"
        lines.append(
            f"agents - flows: {gap.mean:,.2f} [{gap.low:,.2f}, {gap.high:,.2f}] expected margin "
            f"({verdict} the flows a competent marketer sets up)"
        )
    return lines


def _table(results: dict[str, PolicyMetrics], members: int, days: int) -> Table:
    table = Table(
        title=f"KPIs over {days} simulated days, {members:,} members (incremental vs. doing nothing)"
    )
    table.add_column("metric")
    for policy in results:
        table.add_column(policy, justify="right")
    for metric in METRICS:
        table.add_row(
            LABELS[metric],
            *(f"{r.metrics[metric].mean:,.3f}" if metric in r.metrics else "-" for r in results.values()),
        )
    table.add_row("Decisions", *(f"{r.decisions:,}" for r in results.values()))
    table.add_row("Messages sent", *(f"{r.contacts:,}" for r in results.values()))
    if any(r.degraded for r in results.values()):
        table.add_row(
            "[yellow]Degraded (fallback answered)[/]", *(f"{r.degraded:,}" for r in results.values())
        )
    if any(r.tokens for r in results.values()):
        table.add_row("Model cost ($, est.)", *(f"{r.cost_usd:,.2f}" for r in results.values()))
    return table
