"""Building the product's parts from settings: the one place that knows how they fit together."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Literal

from anthropic import AsyncAnthropic
from mcp import Client

from agents.decision_log import DecisionLog
from agents.models.base import Model
from agents.models.claude import ClaudeConfig, ClaudeModel
from agents.team import Team, local_model, open_team
from loyalty.settings import Settings
from mcp_servers.registry import build_all
from mcp_servers.shared.deps import ServerDeps, system_clock
from policies.loader import load_policy
from policies.model import Policy
from tools.decisions.log import SqlDecisionLog
from tools.errors import InvalidInput
from tools.profiles.cached import CachedProfiles
from tools.profiles.service import open_profiles
from tools.rule_facts import ProfileFactsSource
from tools.storage.db import Database, check_schema, database


def policy_from(settings: Settings) -> Policy:
    return load_policy(settings.policy_path)  # a PolicyError is an InvalidInput, shown as it is


def profile_service(settings: Settings, db: Database, clock: Callable[[], datetime]) -> CachedProfiles:
    service = open_profiles(db, models_dir=settings.models_dir, segments_path=settings.segments_path)
    shared = {f.name: getattr(service, f.name) for f in fields(service)
              if f.init and not f.name.startswith("_") and f.name != "clock"}
    return CachedProfiles(**shared, clock=lambda: clock().astimezone(UTC).replace(tzinfo=None))


@dataclass(frozen=True)
class Product:
    """Everything a command needs, opened once."""

    settings: Settings
    db: Database
    policy: Policy
    profiles: CachedProfiles
    deps: ServerDeps


@asynccontextmanager
async def open_product(settings: Settings, *, clock: Callable[[], datetime] = system_clock,
                       sqlite_inline: bool = False) -> AsyncIterator[Product]:
    """`sqlite_inline` for a process deciding one trigger at a time (see `tools.storage.sqlite_driver`)."""
    db = database(settings.db_url, sqlite_inline=sqlite_inline)
    try:
        await check_schema(db)
        policy = policy_from(settings)
        profiles = profile_service(settings, db, clock)
        deps = ServerDeps(db=db, policy=policy, profile_facts=ProfileFactsSource(db, profiles), profiles=profiles,
                          clock=clock, exploration_share=settings.exploration_share)
        yield Product(settings, db, policy, profiles, deps)
    finally:
        await db.dispose()


def model_for(settings: Settings) -> Model:
    """Claude when a key is set (with the local model as its fallback), else the local model."""
    local = local_model()
    if settings.anthropic_api_key is None:
        return local
    client = AsyncAnthropic(api_key=settings.anthropic_api_key.get_secret_value())
    roles = {"orchestrator": settings.model_orchestrator, "guard": settings.model_guard}
    roles |= dict.fromkeys(("reactivation", "cart_abandonment", "upsell", "competitive_response"), settings.model_specialist)
    return ClaudeModel(client, config=ClaudeConfig(model_by_role=roles), fallback=local)


def named_model(choice: Literal["local", "claude"], settings: Settings) -> Model:
    """The local model, or Claude (its fallback the local model) when asked for: that needs a key."""
    if choice == "local":
        return local_model()
    if settings.anthropic_api_key is None:
        raise InvalidInput("the claude model needs ANTHROPIC_API_KEY in the environment")
    return model_for(settings)


@asynccontextmanager
async def open_agents(product: Product, model: Model, log: DecisionLog | None = None) -> AsyncIterator[Team]:
    """The team connected in-process (no sockets, no subprocess) to all four servers."""
    clients = {key: Client(server) for key, server in build_all(product.deps).items()}
    async with open_team(clients, model, log or SqlDecisionLog(product.db)) as team:  # enters the clients
        yield team
