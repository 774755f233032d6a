"""`loyalty outbox ...`: deliver what is due, and list what could not be delivered."""

import os
import socket
from datetime import UTC, datetime
from typing import Annotated

import httpx2
import typer
from rich.table import Table
from sqlalchemy import func, select

from loyalty.cli.common import DbOption, console, fail, run, settings_for
from policies.vocabulary import Channel
from tools.delivery import (
    ChannelSetup,
    DeliveryConfig,
    DeliveryReport,
    SmtpConfig,
    WebhookConfig,
    build_adapters,
    deliver_due,
)
from tools.errors import InvalidInput
from tools.outbox.deliver import DeadLetter, dead_letters
from tools.storage import Contact, Database, checked_database

app = typer.Typer(help="The outbox: deliver due messages, list dead letters.", no_args_is_help=True)


@app.command("deliver")
def deliver(
    db: DbOption = None,
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Messages claimed per batch.")] = 50,
    once: Annotated[bool, typer.Option(help="One batch only (default: until nothing is due).")] = False,
    worker: Annotated[str | None, typer.Option(help="Worker id (default: host-pid).")] = None,
    smtp_host: Annotated[
        str | None, typer.Option(help="Send e-mail over SMTP (default: .eml files).")
    ] = None,
    smtp_port: Annotated[int, typer.Option(min=1, max=65535)] = 25,
    webhook: Annotated[
        list[str] | None,
        typer.Option(
            help="CHANNEL=URL for sms, push or in_app (default: a JSON Lines file per channel). Repeatable."
        ),
    ] = None,
) -> None:
    """Send due messages through the channel adapters; files land in the outbox folder."""
    settings = settings_for(db)
    try:
        setup = _setup(smtp_host, smtp_port, webhook or [])
    except InvalidInput as exc:
        raise fail(str(exc)) from None
    worker_id = worker or f"{socket.gethostname()}-{os.getpid()}"
    config = DeliveryConfig(batch_size=batch)

    async def go() -> tuple[DeliveryReport, tuple[int, datetime | None]]:
        total = DeliveryReport()
        async with checked_database(settings.db_url) as store, httpx2.AsyncClient() as client:
            adapters = build_adapters(setup, settings.outbox_dir, client)
            while True:
                report = await deliver_due(
                    store, adapters, datetime.now(UTC), worker_id=worker_id, config=config
                )
                total = DeliveryReport(**{k: v + getattr(report, k) for k, v in total.model_dump().items()})
                if once or report.claimed == 0:
                    return total, await _scheduled_later(store)

    total, (later, next_at) = run(go())
    console.print(
        ", ".join(f"{name.replace('_', ' ')} {count:,}" for name, count in total.model_dump().items()),
        highlight=False,
    )
    if (
        later
    ):  # messages wait for the member's send hour, outside quiet hours: say when, or nothing looks sent
        console.print(
            f"scheduled later: {later:,}, the next at {next_at:%Y-%m-%d %H:%M} UTC "
            f"(run `loyalty outbox deliver` again then)",
            highlight=False,
        )
    console.print(f"files: {settings.outbox_dir}", highlight=False)


async def _scheduled_later(store: Database) -> tuple[int, datetime | None]:
    """Messages still queued after a delivery run (all due later), and the soonest one's time."""
    async with store.session() as session:
        row = (
            await session.execute(
                select(func.count(), func.min(Contact.scheduled_at)).where(Contact.status == "queued")
            )
        ).one()
    return int(row[0]), row[1]


@app.command("dead-letters")
def list_dead_letters(db: DbOption = None, limit: Annotated[int, typer.Option(min=1)] = 50) -> None:
    """Messages that could not be delivered on any consented channel, newest first, with why."""
    settings = settings_for(db)

    async def go() -> list[DeadLetter]:
        async with checked_database(settings.db_url) as store:
            return await dead_letters(store, limit=limit)

    letters = run(go())
    if not letters:
        console.print("no dead letters")
        return
    table = Table("contact", "member", "channel", "use case", "attempts", "scheduled", "reason")
    for letter in letters:
        table.add_row(
            str(letter.contact_id),
            str(letter.customer_id),
            letter.channel,
            letter.use_case or "",
            str(letter.attempts),
            f"{letter.scheduled_at:%Y-%m-%d %H:%M}",
            letter.reason or "",
        )
    console.print(table)


def _setup(smtp_host: str | None, smtp_port: int, webhooks: list[str]) -> ChannelSetup:
    try:
        hooks: dict[Channel, WebhookConfig] = {}
        for item in webhooks:
            channel, sep, url = item.partition("=")
            if not sep:
                raise InvalidInput(f"--webhook {item!r}: expected CHANNEL=URL")
            hooks[Channel(channel)] = WebhookConfig(url=url)
        return ChannelSetup(
            smtp=SmtpConfig(host=smtp_host, port=smtp_port) if smtp_host else None, webhooks=hooks
        )
    except ValueError as exc:  # includes pydantic's ValidationError
        raise InvalidInput(f"invalid channel setup: {exc}") from exc
