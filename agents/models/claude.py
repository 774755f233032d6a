"""Claude behind the `Model` interface: per-role models, prompt caching, retries, fallback."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

import anthropic
import structlog
from anthropic.types import CacheControlEphemeralParam
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from agents.errors import ModelUnavailableError
from agents.messages import ModelResponse
from agents.models import claude_wire
from agents.models.base import Model, ModelRequest
from agents.models.pricing import CLAUDE_PRICES, ModelPrice

logger = structlog.get_logger()

# Transient failures: rate limits (429), overload (529) and other 5xx, request timeouts (408),
# and the connection dropping or timing out. Everything else (400, 401, ...) is our bug or our
# config, and retrying it would only hide that.
RETRYABLE: tuple[type[Exception], ...] = (
    anthropic.RateLimitError,
    anthropic.OverloadedError,
    anthropic.InternalServerError,
    anthropic.RequestTimeoutError,
    anthropic.APIConnectionError,
)


@dataclass(frozen=True)
class RetryConfig:
    """How tenacity retries a failing call; tests inject `wait_none()` to keep them fast."""

    stop: stop_base = field(default_factory=lambda: stop_after_attempt(4))
    wait: wait_base = field(default_factory=lambda: wait_random_exponential(multiplier=0.5, max=8))


@dataclass(frozen=True)
class ClaudeConfig:
    """Which Claude model answers for which role, and how each call is made."""

    default_model: str = "claude-sonnet-4-6"
    model_by_role: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    max_tokens: int = 4096
    timeout_seconds: float = 120.0
    cache_ttl: Literal["5m", "1h"] = "5m"
    retry: RetryConfig = field(default_factory=RetryConfig)
    prices: Mapping[str, ModelPrice] = field(default_factory=lambda: CLAUDE_PRICES)

    def model_for(self, role: str) -> str:
        return self.model_by_role.get(role, self.default_model)


class ClaudeModel(Model):
    """Claude through an injected `AsyncAnthropic` client.

    When the retries are used up, the `fallback` model (the local model in production) answers
    and the response is marked `degraded`; with no fallback the run ends with
    `ModelUnavailableError`.
    """

    def __init__(
        self, client: anthropic.AsyncAnthropic, *, config: ClaudeConfig = ClaudeConfig(), fallback: Model | None = None
    ) -> None:
        # tenacity owns retries; SDK retries underneath would multiply the attempts and the wait.
        self._client = client.with_options(max_retries=0)
        self._config = config
        self._fallback = fallback

    @property
    def name(self) -> str:
        return "claude"

    async def request(self, request: ModelRequest) -> ModelResponse:
        model = self._config.model_for(request.role)
        retrying = AsyncRetrying(
            stop=self._config.retry.stop,
            wait=self._config.retry.wait,
            retry=retry_if_exception_type(RETRYABLE),
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            message: anthropic.types.Message = await retrying(self._send, model, request)
        except RETRYABLE as exc:
            return await self._fall_back(request, model, exc)
        return claude_wire.model_response(message, self._price(message.model))

    async def _send(self, model: str, request: ModelRequest) -> anthropic.types.Message:
        cache: CacheControlEphemeralParam = {"type": "ephemeral", "ttl": self._config.cache_ttl}
        tools = claude_wire.tool_params(request.tools, cache)
        system = claude_wire.system_blocks(request.system_prompt, cache)
        return await self._client.messages.create(
            model=model,
            max_tokens=self._config.max_tokens,
            messages=claude_wire.conversation_breakpoint(claude_wire.message_params(request.messages), cache),
            system=system if system else anthropic.omit,
            tools=tools if tools else anthropic.omit,
            timeout=self._config.timeout_seconds,
        )

    async def _fall_back(self, request: ModelRequest, model: str, exc: Exception) -> ModelResponse:
        if self._fallback is None:
            raise ModelUnavailableError(f"{model} failed after retries: {exc}") from exc
        logger.warning(
            "claude.fallback", role=request.role, model=model, fallback=self._fallback.name, error=type(exc).__name__
        )
        response = await self._fallback.request(request)
        return replace(response, degraded=True)

    def _price(self, model: str) -> ModelPrice | None:
        price = self._config.prices.get(model)
        if price is None:
            logger.warning("claude.no_price", model=model)
        return price


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.info(
        "claude.retry",
        attempt=state.attempt_number,
        wait_seconds=state.upcoming_sleep,
        error=type(error).__name__ if error else None,
    )
