"""Settings, read once at the edge (CLI, server entry points) and passed down as a frozen value.

Sources, highest first: explicit overrides (CLI options), environment variables `LOYALTY_*`,
an optional `loyalty.toml` in the working directory (or the file named by `LOYALTY_CONFIG`),
then the defaults below.
"""

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from policies.vocabulary import Channel, UseCase
from tools.errors import InvalidInput
from tools.nba import DEFAULT_EXPLORATION_SHARE, PolicyName

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOYALTY_", frozen=True, extra="forbid", validate_by_name=True
    )

    db_url: str = Field("sqlite+aiosqlite:///loyalty.db", description="SQLAlchemy URL of the database")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "json", "console"] = "auto"
    policy_path: Path = PACKAGE_ROOT / "policies" / "default.toml"
    population_path: Path = PACKAGE_ROOT / "tools" / "world" / "default_population.toml"
    truth_dir: Path = Field(Path(".loyalty-truth"), description="where the simulator's hidden traits live")
    models_dir: Path | None = Field(None, description="fitted profile models (default: beside the database)")
    segments_path: Path | None = Field(None, description="segment definitions (default: the shipped file)")
    outbox_dir: Path = Path("outbox")
    reports_dir: Path = Path("reports")
    alert_rules_path: Path = Field(
        PACKAGE_ROOT / "tools" / "reporting" / "default_alerts.toml",
        description="alert rules for `loyalty alerts` and `loyalty report`",
    )
    mcp_http_token: SecretStr | None = None
    exploration_share: float = Field(
        DEFAULT_EXPLORATION_SHARE,
        ge=0,
        le=0.5,
        description="share of decisions that explore: lever "
        "factors drawn from their posteriors (Thompson sampling) instead of their means",
    )
    decision_policy: PolicyName | None = Field(
        None,
        description="score every decision as this target policy would choose (greedy, nothing, "
        "no_discount, email_only or min_value:X; none: the agents' own, exploring): how the "
        "simulator runs a changed policy whose value `loyalty eval offline` estimated",
    )
    profile_frame_refresh: bool = Field(
        True,
        description="a served customer-data or offers server keeps a whole-base "
        "profile frame fresh, and answers single profiles from it",
    )
    profile_catch_up_seconds: float = Field(
        10.0,
        ge=1,
        le=900,
        description="how often such a server computes the "
        "profiles of members with records newer than its frames",
    )
    disabled_use_cases: tuple[UseCase, ...] = Field(
        (),
        description="use cases the decision service leaves alone: their trigger rules are not evaluated, and "
        "`loyalty check` reports them disabled (e.g. LOYALTY_DISABLED_USE_CASES='[\"upsell\"]')",
    )
    double_opt_in_channels: tuple[Channel, ...] = Field(
        (Channel.EMAIL,),
        description="channels whose consent counts only once confirmed (double opt-in): "
        "`loyalty import consents` refuses a grant on them without a confirmed_at",
    )
    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    # Claude (used when ANTHROPIC_API_KEY is set; every setting is documented in the README).
    # Specialists are on Sonnet too: their cached prefix (tools + prompt, ~3,600 tokens) is below
    # Haiku 4.5's 4,096-token cache minimum, so on Haiku nothing of theirs would be cached.
    model_orchestrator: str = Field("claude-sonnet-4-6", min_length=1, max_length=60)
    model_guard: str = Field("claude-sonnet-4-6", min_length=1, max_length=60)
    model_specialist: str = Field("claude-sonnet-4-6", min_length=1, max_length=60)
    claude_max_tokens: int = Field(
        4096,
        ge=256,
        le=21_000,
        description="output tokens per Claude call (non-streaming calls allow up to ~21,000)",
    )
    claude_timeout_seconds: float = Field(25.0, gt=0, le=600, description="one Claude call's timeout")
    claude_cache_ttl: Literal["5m", "1h"] = "5m"
    claude_retries: int = Field(
        3, ge=0, le=10, description="retries of a failed call (429, 529, 5xx, timeouts)"
    )
    claude_retry_max_wait_seconds: float = Field(
        30.0,
        ge=0,
        le=600,
        description="the longest wait before a retry, even if the API's retry-after asks for more",
    )
    claude_breaker_failures: int = Field(
        5,
        ge=1,
        le=1_000,
        description="consecutive failed calls that open "
        "the circuit (the local model answers, marked degraded)",
    )
    claude_breaker_reset_seconds: float = Field(
        30.0, gt=0, le=3_600, description="how long the circuit stays open before one probe call"
    )
    decision_seconds: float = Field(
        180.0, gt=0, le=3_600, description="deadline of one decision (all its runs)"
    )
    guard_seconds: float = Field(
        60.0, gt=0, le=3_600, description="deadline of one guard review; past it the review fails closed"
    )
    chat_reply_seconds: float = Field(300.0, gt=0, le=3_600, description="deadline of one chat reply")
    tokens_per_decision: int | None = Field(
        200_000,
        ge=1_000,
        description="token budget of one decision, the guard's tokens included (none: unlimited)",
    )
    tokens_per_chat_reply: int | None = Field(300_000, ge=1_000, description="token budget of one chat reply")
    tokens_per_day: int | None = Field(
        None,
        ge=1_000,
        description="Claude tokens per UTC day per process, from "
        "what the decision log holds for the day; past it the local model answers, "
        "marked degraded (none: unlimited)",
    )

    @model_validator(mode="after")
    def _deadlines_fit(self) -> "Settings":
        # A guard review must outlive a failed call and its retry, and a decision its guard review,
        # or the retries configured above could never happen.
        if self.guard_seconds < 2 * self.claude_timeout_seconds:
            raise ValueError(
                f"guard_seconds ({self.guard_seconds:g}) must be at least twice claude_timeout_seconds "
                f"({self.claude_timeout_seconds:g}), so a timed-out guard call can be retried"
            )
        if self.decision_seconds <= self.guard_seconds:
            raise ValueError(
                f"decision_seconds ({self.decision_seconds:g}) must exceed guard_seconds "
                f"({self.guard_seconds:g})"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("LOYALTY_CONFIG", "loyalty.toml"))
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file)


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning validation failures into one readable error."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise InvalidInput(f"invalid settings: {problems}") from exc
    except ValueError as exc:  # e.g. a malformed loyalty.toml
        raise InvalidInput(f"invalid settings file: {exc}") from exc
