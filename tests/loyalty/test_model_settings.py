"""Every Claude setting reaches the model; the defaults are current models with known prices."""

import pytest
from anthropic import AsyncAnthropic
from anthropic._data.deprecated_models import DEPRECATED_MODELS

from agents.models.claude import ClaudeModel
from agents.models.pricing import CLAUDE_PRICES
from loyalty.settings import Settings, load_settings
from loyalty.wiring import claude_config, model_for
from tools.errors import InvalidInput

MODEL_SETTINGS = ("model_orchestrator", "model_guard", "model_specialist")


def test_no_default_model_is_deprecated_and_every_default_is_priced() -> None:
    defaults = {name: Settings.model_fields[name].default for name in MODEL_SETTINGS}
    assert not set(defaults.values()) & set(DEPRECATED_MODELS), defaults
    assert set(defaults.values()) <= set(CLAUDE_PRICES)
    assert not set(CLAUDE_PRICES) & set(DEPRECATED_MODELS)


def test_settings_reach_the_claude_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOYALTY_MODEL_SPECIALIST", "claude-haiku-4-5")
    monkeypatch.setenv("LOYALTY_CLAUDE_MAX_TOKENS", "2048")
    monkeypatch.setenv("LOYALTY_CLAUDE_CACHE_TTL", "1h")
    monkeypatch.setenv("LOYALTY_CLAUDE_TIMEOUT_SECONDS", "20")
    monkeypatch.setenv("LOYALTY_TOKENS_PER_DAY", "5000000")
    config = claude_config(load_settings())
    assert (
        config.model_for("upsell") == "claude-haiku-4-5" and config.model_for("guard") == "claude-sonnet-4-6"
    )
    assert (config.max_tokens, config.cache_ttl, config.timeout_seconds) == (2048, "1h", 20)
    assert config.daily_token_budget == 5_000_000


def test_a_guard_deadline_shorter_than_two_calls_is_refused() -> None:
    with pytest.raises(InvalidInput, match="guard_seconds .* twice claude_timeout_seconds"):
        load_settings(claude_timeout_seconds=40, guard_seconds=60)


def test_the_model_is_claude_with_a_key_or_a_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert model_for(Settings()).name == "local"
    model = model_for(Settings(), client=AsyncAnthropic(api_key="test-key"))
    assert isinstance(model, ClaudeModel) and model.model_id("reactivation") == "claude-sonnet-4-6"
