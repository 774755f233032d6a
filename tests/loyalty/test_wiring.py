"""Which model the agents get: local by default, Claude (falling back to local) when asked and keyed."""

import pytest
from pydantic import SecretStr

from agents.models.claude import ClaudeModel
from agents.models.local import LocalModel
from loyalty.settings import Settings
from loyalty.wiring import model_for, named_model
from tools.errors import InvalidInput


def test_without_a_key_the_agents_run_on_the_local_model() -> None:
    settings = Settings(ANTHROPIC_API_KEY=None)
    assert isinstance(model_for(settings), LocalModel)
    assert isinstance(named_model("local", settings), LocalModel)
    with pytest.raises(InvalidInput, match="ANTHROPIC_API_KEY"):
        named_model("claude", settings)


def test_with_a_key_claude_is_used_with_the_local_model_behind_it() -> None:
    settings = Settings(
        ANTHROPIC_API_KEY=SecretStr("sk-test-not-used")
    )  # nothing is sent: no request is made
    model = named_model("claude", settings)
    assert isinstance(model, ClaudeModel) and isinstance(model_for(settings), ClaudeModel)
    assert isinstance(model._fallback, LocalModel)  # what answers, marked degraded, once retries run out
    assert isinstance(named_model("local", settings), LocalModel)  # asked for local, local it is
