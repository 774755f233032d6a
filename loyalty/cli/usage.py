"""`loyalty usage`: what the models cost — tokens, cache share and estimated cost by agent and model."""

import re
from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from loyalty.cli.common import DbOption, console, fail, run, settings_for
from tools.reporting import UsageRow, usage_since
from tools.storage import database
from tools.time import to_storage, utcnow

_DURATION = re.compile(r"^(\d+)([hd])$")


def usage_command(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="From when: an ISO date or time (UTC), or a span "
            "back from now such as 24h or 7d (default: everything logged).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Model tokens, cache share and estimated cost by agent and model, from the decision log."""
    try:
        start = _since(since, utcnow())
    except ValueError:
        raise fail(f"--since {since!r}: give an ISO date or time, or a span like 24h or 7d") from None
    settings = settings_for(db)

    async def go() -> list[UsageRow]:
        store = database(settings.db_url)
        try:
            return await usage_since(store, start)
        finally:
            await store.dispose()

    rows = run(go())
    console.print(usage_table(rows, start))


def _since(value: str | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    if match := _DURATION.match(value.strip()):
        amount, unit = int(match[1]), match[2]
        return now - (timedelta(hours=amount) if unit == "h" else timedelta(days=amount))
    moment = datetime.fromisoformat(value)
    return to_storage(moment)


def usage_table(rows: list[UsageRow], since: datetime | None) -> Table:
    table = Table(
        title=f"model usage {'since ' + f'{since:%Y-%m-%d %H:%M} UTC' if since else '(everything logged)'}"
    )
    for name, right in (
        ("agent", False),
        ("model", False),
        ("calls", True),
        ("degraded", True),
        ("input", True),
        ("output", True),
        ("cache read", True),
        ("cache write", True),
        ("cache share", True),
        ("cost ($)", True),
    ):
        table.add_column(name, justify="right" if right else "left", no_wrap=not right)
    for r in rows:
        table.add_row(
            r.agent,
            r.model,
            f"{r.requests:,}",
            f"{r.degraded:,}",
            f"{r.input_tokens:,}",
            f"{r.output_tokens:,}",
            f"{r.cache_read_tokens:,}",
            f"{r.cache_write_tokens:,}",
            f"{r.cache_share:.0%}",
            _cost(r.cost_usd, r.unpriced),
        )
    if rows:
        total = sum(r.cost_usd for r in rows)
        table.add_row(
            "total",
            "",
            f"{sum(r.requests for r in rows):,}",
            f"{sum(r.degraded for r in rows):,}",
            f"{sum(r.input_tokens for r in rows):,}",
            f"{sum(r.output_tokens for r in rows):,}",
            f"{sum(r.cache_read_tokens for r in rows):,}",
            f"{sum(r.cache_write_tokens for r in rows):,}",
            "",
            _cost(total, sum(r.unpriced for r in rows)),
            style="bold",
        )
    return table


def _cost(cost: float, unpriced: int) -> str:
    # An unknown model's calls are not free: the figure is then a lower bound, and says so.
    return f"≥ {cost:,.4f} ({unpriced:,} unpriced)" if unpriced else f"{cost:,.4f}"
