"""Running one MCP server from settings: over stdio (Claude Desktop) or Streamable HTTP.

Nothing may be printed to stdout here: under stdio it is the protocol wire. A failure to start
(bad settings, no database, an uninitialised one) is one line on stderr and exit code 2, and
leaves nothing behind: the database must exist before anything opens it.

Only what the named server needs is imported: rules and channels never load the profile models
(scikit-learn), and no server loads the agents (the Anthropic SDK). When the client closes stdin
the process exits within a second, even while a background profile frame is still computing in a
thread (Python would otherwise wait for that thread, and clients kill a server that lingers).
"""

import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import anyio
import structlog

from loyalty.logs import configure_logging
from loyalty.settings import Settings, load_settings
from loyalty.wiring import policy_from, profile_service
from mcp_servers.registry import PROFILE_SERVERS, SERVERS
from mcp_servers.shared import HttpAuth, ServerDeps, system_clock
from policies.proposal import OfferProposal
from tools.errors import InvalidInput, LoyaltyError
from tools.events import MIN_TOKEN_CHARS
from tools.readiness import require_existing
from tools.rule_facts import ProfileFacts, ProfileFactsSource
from tools.storage import Database, check_schema, database

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from tools.profiles import CachedProfiles

log = structlog.get_logger(__name__)
SHUTDOWN_GRACE = 0.5  # seconds for closing the database once the client has gone
# A client such as Claude Desktop launches every server at once and asks its first questions in
# the first seconds; each is answered from the member's records in milliseconds. The whole-base
# frame (seconds of CPU on a large base, and scikit-learn's import) waits until they are answered
# rather than taking the cores the servers' start-up shares.
FIRST_FRAME_AFTER = 20.0


def http_auth(settings: Settings, host: str, port: int) -> HttpAuth:
    token = settings.mcp_http_token.get_secret_value() if settings.mcp_http_token is not None else ""
    if len(token) < MIN_TOKEN_CHARS:
        raise InvalidInput(
            f"serving over HTTP needs a bearer token of {MIN_TOKEN_CHARS}+ characters: set "
            f"LOYALTY_MCP_HTTP_TOKEN ({len(token)} given)"
        )
    return HttpAuth(host=host, port=port, token=token)


class LazyProfileFacts:
    """The rules server's profile facts, its profile service (and with it scikit-learn, which
    loading fitted models needs) built on the first proposal checked rather than at startup."""

    def __init__(self, db: Database, make: "Callable[[], CachedProfiles]") -> None:
        self._db, self._make = db, make
        self._source: ProfileFactsSource | None = None

    async def __call__(self, proposal: OfferProposal, now: datetime) -> ProfileFacts:
        if self._source is None:
            self._source = ProfileFactsSource(self._db, self._make())
        return await self._source(proposal, now)


@asynccontextmanager
async def open_server_deps(
    name: str, settings: Settings, clock: Callable[[], datetime] = system_clock
) -> AsyncIterator[ServerDeps]:
    """What server `name` is built from. Profiles never fit models inside a call: they answer
    from the newest fitted models, or say to run `loyalty models fit`."""
    require_existing(settings.db_url)
    db = database(settings.db_url)
    try:
        await check_schema(db)
        policy = policy_from(settings)
        make_profiles = partial(profile_service, settings, db, clock, fit_when_missing=False)
        profiles = make_profiles() if name in PROFILE_SERVERS else None
        facts = (
            ProfileFactsSource(db, profiles) if profiles is not None else LazyProfileFacts(db, make_profiles)
        )
        yield ServerDeps(
            db=db,
            policy=policy,
            profile_facts=facts,
            profiles=profiles,
            clock=clock,
            exploration_share=settings.exploration_share,
            decision_policy=settings.decision_policy,
        )
    finally:
        with anyio.move_on_after(SHUTDOWN_GRACE, shield=True):
            await db.dispose()


async def serve(name: str, settings: Settings, *, http: tuple[str, int] | None = None) -> None:
    if name not in SERVERS:
        raise InvalidInput(f"unknown server {name!r}: choose one of {', '.join(SERVERS)}")
    auth = http_auth(settings, *http) if http else None
    _, builder = SERVERS[name]
    async with open_server_deps(name, settings) as deps, anyio.create_task_group() as background:
        if settings.profile_frame_refresh and deps.profiles is not None:
            from loyalty.runtime.frames import keep_frame_fresh

            background.start_soon(
                partial(
                    keep_frame_fresh,
                    deps.profiles,
                    every=settings.profile_catch_up_seconds,
                    first_after=FIRST_FRAME_AFTER,
                )
            )
        server = builder(deps, auth)
        if auth is None:
            await server.run_stdio_async()
        else:
            await _serve_http(server.streamable_http_app(host=auth.host), auth, settings.log_level)
        background.cancel_scope.cancel()


async def _serve_http(app: "Starlette", auth: HttpAuth, log_level: str) -> None:
    """uvicorn with its own logging left unconfigured (`log_config=None`): its access and error
    records go through the root logger, which `configure_logging` renders as JSON lines."""
    import uvicorn

    config = uvicorn.Config(app, host=auth.host, port=auth.port, log_config=None, log_level=log_level)
    await uvicorn.Server(config).serve()


async def _serve_and_exit(name: str, settings: Settings, http: tuple[str, int] | None) -> None:
    """Serve, then leave at once: a profile frame or model load still running in a worker
    thread would hold the interpreter's exit until it finished (seconds on a large base). A
    failure to start raises instead, before any such thread exists."""
    await serve(name, settings, http=http)
    log.info("mcp.server_stopped", server=name)
    sys.stderr.flush()
    os._exit(0)


def run_server(name: str, settings: Settings, http: tuple[str, int] | None = None) -> int:
    """Serve until the client goes (stdin closes) or Ctrl-C. A failure to start is one line on
    stderr and exit code 2 (returned)."""
    try:
        anyio.run(_serve_and_exit, name, settings, http)
    except LoyaltyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        sys.stderr.flush()
        os._exit(130)
    return 0


def main(name: str) -> None:
    """`python -m mcp_servers.<name>`: stdio with settings from the environment."""
    try:
        settings = load_settings()
        configure_logging(settings.log_level, "json")
    except LoyaltyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    raise SystemExit(run_server(name, settings))
