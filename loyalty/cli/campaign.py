"""`loyalty campaign plan`: plan a campaign, preview it, and execute it once confirmed."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import anyio
import typer

from loyalty.cli.bars import StageBars
from loyalty.cli.common import DbOption, console, is_interactive, run, settings_for
from loyalty.cli.moments import parse_moment
from loyalty.ops.chat import open_chat
from loyalty.ops.render import render
from mcp_servers.shared import system_clock
from policies.vocabulary import UseCase

app = typer.Typer(
    help="Campaigns: members and offers chosen under a budget, audited, then queued.", no_args_is_help=True
)

AtOption = Annotated[
    str | None,
    typer.Option(
        "--at", help="Act as if it were this moment (ISO time, UTC): replays a seeded world. Default: now."
    ),
]


def clock_for(at: str | None) -> Callable[[], datetime]:
    moment = parse_moment(at, "--at")
    if moment is None:
        return system_clock
    fixed = moment.replace(tzinfo=UTC)
    return lambda: fixed


@app.command("plan")
def plan(
    use_case: Annotated[
        UseCase, typer.Option("--use-case", help="reactivation, upsell or competitive_response.")
    ],
    segment: Annotated[str, typer.Option("--segment", help="Segment id (see `loyalty segments`), or 'all'.")],
    budget: Annotated[float, typer.Option("--budget", min=0.01, help="Money the campaign may give away.")],
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many members.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Execute without asking.")] = False,
    db: DbOption = None,
    at: AtOption = None,
) -> None:
    """Plan a campaign and show its preview; execute it on confirmation (or with --yes)."""
    settings = settings_for(db)
    clock = clock_for(at)

    async def go() -> None:
        async with open_chat(settings, clock=clock) as chat:
            with StageBars(width=32) as bars:
                chat.service.progress = bars
                preview = await chat.service.plan_campaign(use_case, segment, budget, limit)
            console.print(render(preview))
            if not preview.fair:
                console.print("[bold red]Not executable:[/] the campaign fails the fairness check.")
                raise typer.Exit(1)
            if preview.members == 0:
                console.print("Nothing to execute: no member has an action worth its cost under this budget.")
                return
            question = f"Execute campaign {preview.campaign_id} for {preview.members:,} members?"
            # The prompt blocks: it runs in a thread so the in-process servers' tasks keep running.
            if not yes and not (is_interactive() and await anyio.to_thread.run_sync(typer.confirm, question)):
                console.print("Not executed." + ("" if is_interactive() else " Pass --yes to execute."))
                return
            with StageBars(width=32) as bars:
                chat.service.progress = bars
                result = await chat.service.confirm_campaign(preview.campaign_id)
            console.print(render(result))

    run(go())
