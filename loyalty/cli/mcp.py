"""`loyalty mcp ...`: run the MCP servers and connect Claude Desktop to them."""

import json
import sys
from typing import Annotated

import typer

from loyalty.cli.common import DbOption, console, err_console, fail, run, settings_for
from loyalty.mcp_entry import run_server
from mcp_servers.registry import SERVERS
from tools.errors import LoyaltyError
from tools.profiles import DEFAULT_STALE_AFTER, ModelStore, default_models_dir
from tools.readiness import check_readiness
from tools.storage import canonical_url
from tools.time import utcnow

app = typer.Typer(help="Run the MCP servers; print a Claude Desktop configuration.", no_args_is_help=True)


@app.command("serve")
def serve_command(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVERS)}.")],
    db: DbOption = None,
    http: Annotated[bool, typer.Option("--http", help="Serve Streamable HTTP instead of stdio.")] = False,
    host: Annotated[str, typer.Option(help="HTTP bind address (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="HTTP port.")] = 8765,
) -> None:
    """Serve one server over stdio (for Claude Desktop) or, with --http, Streamable HTTP at /mcp
    (bearer token from LOYALTY_MCP_HTTP_TOKEN required)."""
    settings = settings_for(db)
    if name not in SERVERS:
        raise fail(f"unknown server {name!r}: choose one of {', '.join(SERVERS)}")
    if code := run_server(name, settings, http=(host, port) if http else None):
        raise typer.Exit(code)


@app.command("config")
def config_command(db: DbOption = None) -> None:
    """Print a claude_desktop_config.json fragment for all four servers, after checking the
    database is ready for them (on stderr: what to run when it is not)."""
    settings = settings_for(db)
    try:
        url = canonical_url(settings.db_url)
    except LoyaltyError as exc:
        raise fail(str(exc)) from None
    # Claude Desktop starts servers from its own working directory: every path must be absolute.
    models = settings.models_dir or default_models_dir(url)
    readiness = run(
        check_readiness(url, ModelStore(models.resolve()).available(), utcnow(), DEFAULT_STALE_AFTER)
    )
    for problem in readiness.blocking:
        err_console.print(
            f"[bold red]the servers will not start:[/] {problem}", highlight=False, soft_wrap=True
        )
    for advice in readiness.advice:
        err_console.print(f"[yellow]before using them:[/] {advice}", highlight=False, soft_wrap=True)
    env = {"LOYALTY_DB_URL": url, "LOYALTY_MODELS_DIR": str(models.resolve())}
    servers = {
        f"loyalty-{name}": {
            "command": sys.executable,
            "args": ["-m", f"mcp_servers.{name.replace('-', '_')}"],
            "env": env,
        }
        for name in SERVERS
    }
    console.print_json(json.dumps({"mcpServers": servers}))
