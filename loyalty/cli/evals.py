"""`loyalty eval`: score agent decisions before anything reaches a member, and compare runs.

    loyalty eval run SUITE [--model local|claude] [--out DIR] [--db FILE] ...
    loyalty eval run simulation --population FILE --members N --days D --seeds K
    loyalty eval compare RUN_A RUN_B
    loyalty eval offline --policy greedy --policy no_discount [--db URL]

`run` exits 0 whenever the suite ran, however many cases failed (the report says which); it
exits 2 only when it could not run (unknown suite, bad suite file, no API key for Claude, an
unusable --db, no simulator).
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from evals.harness import (
    CaseResult,
    Comparison,
    RunOptions,
    RunSummary,
    SimulationOptions,
    compare_runs,
    run_simulation_suite,
    run_suite,
)
from loyalty.cli.bars import case_bar
from loyalty.cli.common import console, fail, quiet_logs, run, settings_for
from tools.nba import LoggedDecision, evaluate, logged_decisions, target_policy
from tools.storage import checked_database, parse_url

app = typer.Typer(
    help="Score agent decisions: scenario suites, the guard's suite, the simulator.", no_args_is_help=True
)

SIMULATION = "simulation"
SuiteArgument = Annotated[
    str, typer.Argument(help="seed, scenarios, guard, simulation, or a suite JSON file.")
]


@app.command("run")
def run_command(
    ctx: typer.Context,
    suite: SuiteArgument,
    model: Annotated[
        str, typer.Option("--model", help="local (deterministic, offline) or claude.")
    ] = "local",
    out: Annotated[
        Path | None, typer.Option("--out", help="Run directory (default: reports/<suite>-<time>).")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="SQLite file (or URL) for the base world: reused when it holds the suite's world, seeded "
            "there otherwise (default: a temporary one).",
        ),
    ] = None,
    members: Annotated[
        int | None,
        typer.Option("--members", help="Base world size (simulation: members simulated, default 1,000)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Base world seed instead of the suite's.")
    ] = None,
    sample: Annotated[
        int | None, typer.Option("--sample", help="Run this many cases, spread over the suite.")
    ] = None,
    case: Annotated[list[str] | None, typer.Option("--case", help="Run only this case (repeatable).")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Cases run at once.")] = 2,
    population: Annotated[
        Path | None, typer.Option("--population", help="Simulation: population file.")
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", help="Simulation: days simulated (default 7).")
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", help="Simulation: seeds (worlds) to average over.")] = 1,
) -> None:
    """Run a suite, print its score table, and write summary.json, cases.jsonl, transcripts and report.html."""
    if model not in ("local", "claude"):
        raise fail(f"--model must be local or claude, not {model!r}")
    quiet_logs(ctx)
    settings = settings_for(None)
    out_dir = out or settings.reports_dir / f"{Path(suite).stem}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    if suite == SIMULATION:
        if population is None:
            raise fail("the simulation suite needs --population FILE")
        if model != "local":
            raise fail("the simulator drives the local model only")
        try:
            sizes = {k: v for k, v in (("members", members), ("days", days)) if v is not None}
            options = SimulationOptions(population=population, seeds=seeds, **sizes)
        except ValidationError as error:
            raise fail(_problem(error)) from None
        with console.status("simulating every policy…"):
            summary = run(run_simulation_suite(options, out_dir))
        _print_summary(summary, out_dir)
        return
    try:
        options = RunOptions(
            suite=suite,
            out_dir=out_dir,
            model=model,
            world_db=_world_file(db),
            members=members,
            seed=seed,
            sample=sample,
            cases=tuple(case or ()),
            concurrency=concurrency,
        )
    except ValidationError as error:
        raise fail(_problem(error)) from None
    with case_bar(console) as progress:
        task = progress.add_task(f"{suite}: preparing", total=None, last="")

        def started(total: int) -> None:
            progress.update(task, total=total, description=suite)

        def finished(result: CaseResult) -> None:
            progress.update(task, advance=1, last=f"{'✓' if result.passed else '✗'} {result.id}")

        summary = run(run_suite(options, settings, on_start=started, on_case=finished))
    _print_summary(summary, out_dir)


@app.command("compare")
def compare_command(
    run_a: Annotated[Path, typer.Argument(help="The earlier run directory.")],
    run_b: Annotated[Path, typer.Argument(help="The later run directory.")],
) -> None:
    """Show what changed between two runs, case by case, and how the metrics moved."""
    try:
        comparison = compare_runs(run_a, run_b)
    except ValueError as error:
        raise fail(str(error)) from None
    _print_comparison(comparison)


def _world_file(db: str | None) -> Path | None:
    if db is None:
        return None
    if "://" not in db:
        return Path(db)
    url = parse_url(db)
    if not url.drivername.startswith("sqlite") or not url.database:
        raise fail("--db must be a SQLite file: each case works on a copy of it")
    return Path(url.database)


def _problem(error: ValidationError) -> str:
    return "; ".join(
        f"--{'.'.join(map(str, e['loc'])).replace('_', '-')}: {e['msg']}" for e in error.errors()
    )


def _print_summary(summary: RunSummary, out_dir: Path) -> None:
    counts = summary.cases
    table = Table(
        title=f"{summary.suite} · model {summary.model} · {counts.passed}/{counts.total} cases passed "
        f"({counts.failed} failed, {counts.errored} errored) · {summary.seconds:.1f} s",
        show_edge=False,
    )
    for column in ("evaluator", "passed", "failed", "n/a", "rate"):
        table.add_column(column, justify="left" if column == "evaluator" else "right")
    for name, score in summary.evaluators.items():
        style = "green" if score.failed == 0 else "red"
        table.add_row(
            name,
            str(score.passed),
            str(score.failed),
            str(score.not_applicable),
            f"[{style}]{score.rate:.0%}[/]",
        )
    console.print(table)
    scalars = {k: v for k, v in summary.metrics.items() if isinstance(v, float | int)}
    if scalars:
        console.print("  ".join(f"{name} [bold]{value:.3g}[/]" for name, value in scalars.items()))
    written = ", ".join(
        name for name in ("summary.json", "cases.jsonl", "transcripts/") if (out_dir / name).exists()
    )
    console.print(f"report: {out_dir / 'report.html'}  ({written})")


def _print_comparison(c: Comparison) -> None:
    console.print(
        f"[bold]{c.a.suite}[/] {c.a.directory} ({c.a.model}, {c.a.passed}/{c.a.total}) → "
        f"{c.b.directory} ({c.b.model}, {c.b.passed}/{c.b.total}): {len(c.fixed)} fixed, "
        f"{len(c.broken)} broken, {len(c.changed)} changed, {c.unchanged} unchanged"
    )
    if c.changed:
        table = Table(show_edge=False)
        for column in ("case", "before", "after", "outcome", "what changed"):
            table.add_column(column)
        for change in c.changed:
            # Checks that merely stopped or started applying (nothing sent any more) add noise here.
            flips = "; ".join(
                f"{e.evaluator}: {_mark(e.before)}→{_mark(e.after)} ({e.reason[:120]})"
                for e in change.evaluators
                if e.before is not None and e.after is not None
            )
            outcome = (
                (change.outcome_before or "—")
                if change.outcome_before == change.outcome_after
                else f"{change.outcome_before or '—'} → {change.outcome_after or '—'}"
            )
            table.add_row(change.id, _mark(change.before), _mark(change.after), outcome, flips or "—")
        console.print(table)
    if c.metrics:
        metrics = Table(title="metrics that moved", show_edge=False)
        for column in ("metric", "before", "after"):
            metrics.add_column(column, justify="left" if column == "metric" else "right")
        for name, (before, after) in c.metrics.items():
            metrics.add_row(
                name, "—" if before is None else f"{before:.4g}", "—" if after is None else f"{after:.4g}"
            )
        console.print(metrics)


def _mark(value: bool | None) -> str:
    return "—" if value is None else "[green]pass[/]" if value else "[red]fail[/]"


@app.command("offline")
def offline_command(
    policy: Annotated[
        list[str],
        typer.Option(
            "--policy",
            help="Target policy: greedy, nothing, no_discount, email_only or min_value:X (repeatable).",
        ),
    ],
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: the settings').")] = None,
) -> None:
    """Estimate policies from the logged decisions before they run: inverse-propensity (IPS),
    self-normalised (SNIPS) and doubly-robust (DR) estimates of the margin per decision, with 95%
    bootstrap intervals, next to what the logging policy earned."""
    settings = settings_for(db)
    for name in policy:
        try:
            target_policy(name)
        except ValueError as exc:
            raise fail(str(exc)) from None

    async def work() -> tuple[list[LoggedDecision], int]:
        async with checked_database(settings.db_url) as store:
            return await logged_decisions(store)

    decisions, unmatched = run(work())
    if not decisions:
        raise fail("no logged decisions with choice probabilities in this database: run the agents first")
    table = Table(
        title=f"off-policy estimates over {len(decisions):,} logged decisions "
        f"({unmatched:,} unusable): margin per decision",
        show_edge=False,
    )
    for column in ("policy", "agrees", "logged", "IPS", "SNIPS", "DR"):
        table.add_column(column, justify="left" if column == "policy" else "right")
    for name in policy:
        report = evaluate(decisions, unmatched, name)
        table.add_row(
            name,
            f"{report.agreeing:,}",
            *(
                f"{e.mean:,.3f} [{e.low:,.3f}, {e.high:,.3f}]"
                for e in (report.logged_reward, report.ips, report.snips, report.dr)
            ),
        )
    console.print(table)
