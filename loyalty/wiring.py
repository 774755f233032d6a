"""Building the product's parts from settings: the one place that knows how they fit together."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from loyalty.settings import Settings
from mcp_servers.shared import ServerDeps, system_clock
from policies.loader import load_policy
from policies.model import Policy
from tools.errors import InvalidInput
from tools.nba import LiftCache, ResponseCache
from tools.rule_facts import ProfileFactsSource
from tools.storage import Database, check_schema, database
from tools.time import to_storage

# The agents (with the Anthropic SDK) and the profile models (with scikit-learn) are imported where
# they are used: an MCP server process that needs neither starts without them (seconds saved).
if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

    from agents.decision_log import DecisionLog
    from agents.models import ClaudeConfig, Model
    from agents.team import Team
    from tools.profiles import CachedProfiles


def policy_from(settings: Settings) -> Policy:
    return load_policy(settings.policy_path)  # a PolicyError is an InvalidInput, shown as it is


def profile_service(
    settings: Settings, db: Database, clock: Callable[[], datetime], *, fit_when_missing: bool = True
) -> "CachedProfiles":
    """`fit_when_missing=False` for a server: a tool call never spends minutes fitting models."""
    from tools.profiles import CachedProfiles, open_profiles

    service = open_profiles(db, models_dir=settings.models_dir, segments_path=settings.segments_path)
    shared = {
        f.name: getattr(service, f.name)
        for f in fields(service)
        if f.init and not f.name.startswith("_") and f.name != "clock"
    }
    cached = CachedProfiles(**shared, clock=lambda: to_storage(clock()))
    return replace(cached, fit_when_missing=fit_when_missing)


@dataclass(frozen=True)
class Product:
    """Everything a command needs, opened once."""

    settings: Settings
    db: Database
    policy: Policy
    profiles: "CachedProfiles"
    deps: ServerDeps


@asynccontextmanager
async def open_product(
    settings: Settings, *, clock: Callable[[], datetime] = system_clock, sqlite_inline: bool = False
) -> AsyncIterator[Product]:
    """`sqlite_inline` for a process deciding one trigger at a time (see `tools.storage.sqlite_driver`)."""
    db = database(settings.db_url, sqlite_inline=sqlite_inline)
    try:
        await check_schema(db)
        policy = policy_from(settings)
        profiles = profile_service(settings, db, clock)
        deps = ServerDeps(
            db=db,
            policy=policy,
            profile_facts=ProfileFactsSource(db, profiles),
            profiles=profiles,
            clock=clock,
            exploration_share=settings.exploration_share,
            decision_policy=settings.decision_policy,
            response=ResponseCache(db, clock),
            lift=LiftCache(db, clock),
        )
        yield Product(settings, db, policy, profiles, deps)
    finally:
        await db.dispose()


def claude_config(settings: Settings) -> "ClaudeConfig":
    """Every Claude setting (models per role, tokens, timeouts, cache, retries, breaker, budget)."""
    from tenacity import stop_after_attempt

    from agents.models import ClaudeConfig, RetryConfig, WaitRetryAfter

    roles = {"orchestrator": settings.model_orchestrator, "guard": settings.model_guard}
    roles |= dict.fromkeys(
        ("reactivation", "cart_abandonment", "upsell", "competitive_response"), settings.model_specialist
    )
    retry = RetryConfig(
        stop=stop_after_attempt(settings.claude_retries + 1),
        wait=WaitRetryAfter(max_seconds=settings.claude_retry_max_wait_seconds),
    )
    return ClaudeConfig(
        default_model=settings.model_orchestrator,
        model_by_role=roles,
        max_tokens=settings.claude_max_tokens,
        timeout_seconds=settings.claude_timeout_seconds,
        cache_ttl=settings.claude_cache_ttl,
        retry=retry,
        breaker_failures=settings.claude_breaker_failures,
        breaker_reset_seconds=settings.claude_breaker_reset_seconds,
        daily_token_budget=settings.tokens_per_day,
    )


def model_for(settings: Settings, *, client: "AsyncAnthropic | None" = None) -> "Model":
    """Claude when a key is set (with the local model as its fallback), else the local model.
    `client` replaces the real API client (tests and the resilience benchmark pass a mock)."""
    from anthropic import AsyncAnthropic

    from agents.models import ClaudeModel
    from agents.team import local_model

    local = local_model()
    if settings.anthropic_api_key is None and client is None:
        return local
    if client is None:
        assert settings.anthropic_api_key is not None
        client = AsyncAnthropic(api_key=settings.anthropic_api_key.get_secret_value())
    return ClaudeModel(client, config=claude_config(settings), fallback=local)


def named_model(choice: Literal["local", "claude"], settings: Settings) -> "Model":
    """The local model, or Claude (its fallback the local model) when asked for: that needs a key."""
    from agents.team import local_model

    if choice == "local":
        return local_model()
    if settings.anthropic_api_key is None:
        raise InvalidInput("the claude model needs ANTHROPIC_API_KEY in the environment")
    return model_for(settings)


@asynccontextmanager
async def open_agents(
    product: Product, model: "Model", log: "DecisionLog | None" = None
) -> AsyncIterator["Team"]:
    """The team connected in-process (no sockets, no subprocess) to all four servers."""
    from agents.guard import GuardConfig
    from agents.limits import Limits
    from agents.models import ClaudeModel
    from agents.team import open_team
    from mcp_servers.registry import build_all
    from mcp_servers.shared import InProcessClient
    from tools.decisions.log import SqlDecisionLog
    from tools.reporting import paid_tokens_since

    clients = {key: InProcessClient(server) for key, server in build_all(product.deps).items()}
    settings = product.settings
    if isinstance(model, ClaudeModel) and model.budget.limit is not None and model.budget.spent == 0:
        # The day's budget counts what this database's decision log already spent today.
        midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        model.budget.charge(await paid_tokens_since(product.db, midnight))
    limits = Limits(
        max_turns=12, max_seconds=settings.decision_seconds, max_total_tokens=settings.tokens_per_decision
    )
    guard = GuardConfig(timeout_seconds=settings.guard_seconds, credential=product.deps.guard_credential)
    async with open_team(
        clients, model, log or SqlDecisionLog(product.db), limits=limits, guard=guard
    ) as team:  # enters the clients
        yield team
