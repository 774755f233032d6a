"""`loyalty worker`: the decision service, deciding triggers as they come due."""

import os
import socket
from typing import Annotated, Literal

import typer
from rich.table import Table

from loyalty.cli.campaign import AtOption, clock_for
from loyalty.cli.common import DbOption, console, run, settings_for
from loyalty.runtime.service import PassReport, ServiceConfig, decide_due, serve_decisions
from loyalty.wiring import named_model, open_agents, open_product


def worker_command(
    db: DbOption = None,
    once: Annotated[
        bool, typer.Option(help="One pass (queue due triggers, decide them), then exit.")
    ] = False,
    poll: Annotated[float, typer.Option(min=0.5, max=3600, help="Seconds between passes.")] = 5.0,
    model: Annotated[
        Literal["local", "claude"] | None,
        typer.Option(help="local or claude (default: claude when ANTHROPIC_API_KEY is set)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Decisions at a time (default: 1 on the local model, 4 on Claude)."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Lease holder name (default: host-pid).")] = None,
    at: AtOption = None,
) -> None:
    """Queue the triggers that fire and decide every due one, pass after pass (Ctrl-C stops)."""
    settings = settings_for(db)
    choice = model or ("claude" if settings.anthropic_api_key else "local")
    config = ServiceConfig(
        poll_seconds=poll,
        workers=workers or (1 if choice == "local" else 4),
        name=name or f"{socket.gethostname()}-{os.getpid()}",
        keep_frames=settings.profile_frame_refresh,
        catch_up_seconds=settings.profile_catch_up_seconds,
        disabled_use_cases=frozenset(settings.disabled_use_cases),
    )
    clock = clock_for(at)

    async def go() -> PassReport | None:
        # One decision at a time: statements run on the loop's thread (see tools.storage.sqlite_driver).
        async with (
            open_product(settings, clock=clock, sqlite_inline=config.workers == 1) as product,
            open_agents(product, named_model(choice, settings)) as team,
        ):
            if once:
                return await decide_due(product, team, clock, config, prime=True)
            console.print(
                f"worker {config.name}: {choice} model, {config.workers} at a time, "
                f"a pass every {poll:g} s (Ctrl-C stops)",
                highlight=False,
            )
            await serve_decisions(product, team, clock, config, on_pass=_print_activity)
            return None

    report = run(go())
    if report is not None:
        console.print(_summary(report))


def _print_activity(report: PassReport) -> None:
    if report.eventful:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.work.outcomes.items())) or "none"
        degraded = (
            f", DEGRADED {report.work.degraded} (a fallback model answered)" if report.work.degraded else ""
        )
        if report.work.nothing_causes:
            outcomes += "; nothing by cause: " + ", ".join(
                f"{k} {v}" for k, v in report.work.nothing_causes.most_common()
            )
        screened = f", screened out {report.work.screened}" if report.work.screened else ""
        console.print(
            f"{report.at:%Y-%m-%d %H:%M:%S} queued {report.enqueued}{screened}, decided {report.work.decided} "
            f"({outcomes}), failed {report.work.failed}{degraded}",
            highlight=False,
        )


def _summary(report: PassReport) -> Table:
    table = Table(title=f"one pass at {report.at:%Y-%m-%d %H:%M} UTC")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("triggers queued", f"{report.enqueued:,}")
    if report.work.set_based:
        table.add_row("always-on: decided set-based (no agent run)", f"{report.work.set_based:,}")
    if report.work.screened:
        table.add_row("always-on: screened out (nothing worth sending)", f"{report.work.screened:,}")
    table.add_row("decided", f"{report.work.decided:,}")
    for outcome, count in sorted(report.work.outcomes.items()):
        table.add_row(f"  {outcome}", f"{count:,}")
        if outcome == "nothing":  # by cause, most first: what to fix
            for cause, n in report.work.nothing_causes.most_common():
                table.add_row(f"    {cause}", f"{n:,}")
    table.add_row("failed (retried later)", f"{report.work.failed:,}")
    if report.work.degraded:
        table.add_row(
            "[yellow]degraded: a fallback model answered[/]", f"[yellow]{report.work.degraded:,}[/]"
        )
    table.add_row("model tokens (guard included)", f"{report.work.tokens:,}")
    table.add_row("estimated cost ($)", f"{report.work.cost_usd:,.4f}")
    return table
