"""The model seam: one narrow interface (`Model`: a request in, a response out) and what sits behind
it — the deterministic local model, a scripted one for tests, and Claude with retries, a circuit
breaker and a daily token budget.

`ClaudeModel`, its configs and `WaitRetryAfter` load the Anthropic SDK, so they are imported on
first use (PEP 562), not with the package: a local run never loads it."""

from importlib import import_module
from typing import TYPE_CHECKING

from agents.models.base import Model, ModelRequest, ToolDefinition
from agents.models.local import LOCAL_MODEL_NAME, EchoPolicy, LocalModel, RolePolicy, call_id

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from agents.models.claude import ClaudeConfig, ClaudeModel, RetryConfig
    from agents.models.retry_wait import WaitRetryAfter

__all__ = [
    "LOCAL_MODEL_NAME",
    "ClaudeConfig",
    "ClaudeModel",
    "EchoPolicy",
    "LocalModel",
    "Model",
    "ModelRequest",
    "RetryConfig",
    "RolePolicy",
    "ToolDefinition",
    "WaitRetryAfter",
    "call_id",
]

_ANTHROPIC = {
    "ClaudeConfig": "claude",
    "ClaudeModel": "claude",
    "RetryConfig": "claude",
    "WaitRetryAfter": "retry_wait",
}


def __getattr__(name: str) -> object:
    if name not in _ANTHROPIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_ANTHROPIC[name]}"), name)
