"""Settings, read once at the edge (CLI, server entry points) and passed down as a frozen value.

Sources, highest first: explicit overrides (CLI options), environment variables `LOYALTY_*`,
an optional `loyalty.toml` in the working directory (or the file named by `LOYALTY_CONFIG`),
then the defaults below.
"""

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tools.errors import InvalidInput
from tools.nba.exploration import DEFAULT_EXPLORATION_SHARE

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOYALTY_", frozen=True, extra="forbid")

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
    alert_rules_path: Path = Field(PACKAGE_ROOT / "tools" / "reporting" / "default_alerts.toml",
                                   description="alert rules for `loyalty alerts` and `loyalty report`")
    mcp_http_token: SecretStr | None = None
    exploration_share: float = Field(DEFAULT_EXPLORATION_SHARE, ge=0, le=0.5, description="share of decisions that explore: lever "
                                     "factors drawn from their posteriors (Thompson sampling) instead of their means")
    profile_frame_refresh: bool = Field(True, description="a served customer-data or offers server keeps a whole-base "
                                        "profile frame fresh, and answers single profiles from it")
    profile_catch_up_seconds: float = Field(10.0, ge=1, le=900, description="how often such a server computes the "
                                            "profiles of members with records newer than its frames")
    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    model_orchestrator: str = "claude-sonnet-4-6"
    model_guard: str = "claude-sonnet-4-6"
    model_specialist: str = "claude-haiku-4-5"

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
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidInput(f"invalid settings: {problems}") from exc
    except ValueError as exc:  # e.g. a malformed loyalty.toml
        raise InvalidInput(f"invalid settings file: {exc}") from exc
