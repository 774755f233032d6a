"""`loyalty check`: is the product ready to decide and send? Per use case, what is missing, with
counts and the command that fixes each gap; exits 1 when no use case can send anything."""

from typing import Annotated

import typer

from loyalty.cli.campaign import AtOption, clock_for
from loyalty.cli.common import DbOption, console, run, settings_for
from loyalty.wiring import profile_service
from tools.readiness import Gap, Readiness, readiness
from tools.storage import checked_database
from tools.time import to_storage
from tools.triggers import load_trigger_rules


def check_command(
    db: DbOption = None,
    at: AtOption = None,
    warnings: Annotated[bool, typer.Option(help="Also list gaps that do not stop a send.")] = True,
) -> None:
    """Readiness: what every use case lacks (first), then each one's budget and triggers (✗ stops
    sending, · does not), with the command that fixes each. Exits 1 when no use case can send."""
    settings = settings_for(db)
    clock = clock_for(at)

    async def go() -> Readiness:
        now = to_storage(clock())
        async with checked_database(settings.db_url) as store:
            profiles = profile_service(settings, store, clock)
            return await readiness(
                store,
                now,
                rules=load_trigger_rules().enabled,
                models=profiles.store,
                stale_after=profiles.stale_after,
                disabled=settings.disabled_use_cases,
            )

    report = run(go())
    newest = f"{report.newest_data:%Y-%m-%d %H:%M}" if report.newest_data else "none"
    console.print(
        f"as of {report.at:%Y-%m-%d %H:%M} UTC: {report.members:,} members, {report.reachable:,} with a "
        f"consented channel; newest data {newest}",
        highlight=False,
        soft_wrap=True,
    )
    for gap in report.shared:
        _gap(gap, warnings)
    for use_case in report.use_cases:
        state = "[green]ready[/]" if use_case.ready else "[red]blocked[/]"
        triggers = f" (triggers: {', '.join(use_case.triggers_ready)})" if use_case.triggers_ready else ""
        console.print(
            f"[bold]{use_case.use_case.value}[/]: {state}{triggers}", highlight=False, soft_wrap=True
        )
        for gap in use_case.gaps:
            _gap(gap, warnings, indent="  ")
    if not report.can_send:
        console.print(
            "[bold red]not ready:[/] no use case can send anything; the fixes above say how.", highlight=False
        )
        raise typer.Exit(1)
    ready = [u.use_case.value for u in report.use_cases if u.ready]
    console.print(f"ready: {', '.join(ready)}", highlight=False)


def _gap(gap: Gap, warnings: bool, indent: str = "") -> None:
    if gap.blocking or warnings:  # one line per gap, unwrapped: the fix is a command to copy
        console.print(
            f"{indent}{'✗' if gap.blocking else '·'} {gap.what} → {gap.fix}",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
