"""`loyalty events ...`: ingest behavioural events from a file or stdin, or serve them over HTTP."""

import ipaddress
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import structlog
import typer

from loyalty.cli.common import DbOption, console, fail, run, settings_for
from tools.errors import InvalidInput
from tools.events import IngestReport, create_app, ingest_jsonl
from tools.storage import checked_database

app = typer.Typer(
    help="Behavioural events: ingest them, or serve an HTTP endpoint that does.", no_args_is_help=True
)
log = structlog.get_logger(__name__)


@app.command("ingest")
def ingest(
    source: Annotated[str, typer.Argument(help="A JSON Lines file, or - for stdin.")],
    db: DbOption = None,
    rejects: Annotated[
        Path | None,
        typer.Option(
            help="Where rejected lines go (default: next to the file as <name>.rejects.jsonl; events.rejects.jsonl "
            "for stdin)."
        ),
    ] = None,
) -> None:
    """Validate and store events; invalid ones are rejected with the reason, duplicates ignored."""
    settings = settings_for(db)
    rejects_path = rejects or (
        Path("events.rejects.jsonl") if source == "-" else Path(f"{source}.rejects.jsonl")
    )

    async def go() -> IngestReport:
        async with checked_database(settings.db_url) as store:
            now = datetime.now(UTC)
            if source == "-":
                return await ingest_jsonl(store, sys.stdin.buffer, now=now, rejects_path=rejects_path)
            try:
                handle = Path(source).open("rb")  # noqa: SIM115 - closed by the `with` below; only opening is the user's error
            except OSError as exc:
                raise InvalidInput(f"cannot read {source}: {exc.strerror}") from exc
            with handle:
                return await ingest_jsonl(store, handle, now=now, rejects_path=rejects_path)

    report = run(go())
    console.print(
        f"accepted {report.accepted:,}   duplicates {report.duplicates:,}   rejected {report.rejected:,}",
        highlight=False,
    )
    if report.rejected:
        reasons = ", ".join(f"{code} {count:,}" for code, count in sorted(report.reject_counts.items()))
        console.print(f"rejects ({reasons}) → {report.rejects_path}", highlight=False, soft_wrap=True)


@app.command("serve")
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to bind; loopback unless you mean it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8787,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="LOYALTY_EVENTS_TOKEN",
            show_default=False,
            help="Bearer token clients must send; prefer the LOYALTY_EVENTS_TOKEN variable to the command line.",
        ),
    ] = None,
) -> None:
    """Serve POST /events (JSON or JSON Lines, bearer token) until interrupted."""
    import uvicorn  # only this command needs a server

    if not token:
        raise fail("the endpoint needs a token: set LOYALTY_EVENTS_TOKEN")
    settings = settings_for(db)
    if not _is_loopback(host):
        log.warning("events.serve_exposed", host=host, note="reachable beyond this machine")

    async def go() -> None:
        async with checked_database(settings.db_url) as store:
            server = uvicorn.Server(
                uvicorn.Config(create_app(store, token), host=host, port=port, log_config=None)
            )
            console.print(f"events endpoint: http://{host}:{port}/events", highlight=False)
            await server.serve()

    run(go())


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
