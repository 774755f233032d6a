"""`loyalty mcp ...`: run the MCP servers and connect Claude Desktop to them."""

import json
import sys
from typing import Annotated

import typer

from loyalty.cli.common import DbOption, console, run, settings_for
from loyalty.mcp_entry import serve
from mcp_servers.registry import SERVERS
from tools.profiles.artefact import default_models_dir
from tools.storage.db import canonical_url

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
    run(serve(name, settings, http=(host, port) if http else None))


@app.command("config")
def config_command(db: DbOption = None) -> None:
    """Print a claude_desktop_config.json fragment for all four servers."""
    settings = settings_for(db)
    url = canonical_url(settings.db_url)
    # Claude Desktop starts servers from its own working directory: every path must be absolute.
    models = settings.models_dir or default_models_dir(url)
    env = {"LOYALTY_DB_URL": url, "LOYALTY_MODELS_DIR": str(models.resolve())}
    servers = {
        f"loyalty-{name}": {"command": sys.executable, "args": ["-m", f"mcp_servers.{name.replace('-', '_')}"],
                            "env": env}
        for name in SERVERS
    }
    console.print_json(json.dumps({"mcpServers": servers}))
