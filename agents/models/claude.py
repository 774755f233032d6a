"""Claude behind the `Model` interface: per-role models, prompt caching, retries, fallback.

How a call fails decides what happens next:

- transient (429, 529 and other 5xx, 408, a dropped or timed-out connection, a malformed body):
  retried by tenacity, waiting what the server's `retry-after` asks; when the retries are spent
  the fallback model answers and the response is marked `degraded`;
- after a run of such failures the circuit breaker opens: calls go straight to the fallback until
  a probe finds the API back, so an outage costs seconds, not a retry storm per call;
- the request itself rejected (400, 401, 403, 404, 413, 422): no retry, no fallback (either would
  hide a configuration problem); the run stops with `ModelRequestError` and a one-line reason;
- the daily token budget spent: the fallback answers, degraded, until the UTC day turns.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

import anthropic
import anyio
import structlog
from anthropic.types import CacheControlEphemeralParam
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from agents.errors import ModelRequestError, ModelUnavailableError
from agents.messages import ModelResponse
from agents.models import claude_wire
from agents.models.base import Model, ModelRequest
from agents.models.breaker import CircuitBreaker
from agents.models.pricing import CLAUDE_PRICES, ModelPrice
from agents.models.retry_wait import WaitRetryAfter
from agents.models.token_budget import DailyTokenBudget

logger = structlog.get_logger()

# Transient failures: rate limits (429), overload (529) and other 5xx, request timeouts (408),
# the connection dropping or timing out, and a 200 whose body is not a message. Everything else
# (400, 401, ...) is our bug or our config, and retrying it would only hide that.
RETRYABLE: tuple[type[Exception], ...] = (
    anthropic.RateLimitError,
    anthropic.OverloadedError,
    anthropic.InternalServerError,
    anthropic.RequestTimeoutError,
    anthropic.APIConnectionError,
    claude_wire.MalformedResponse,
)

# The least time worth giving a call: past the run's deadline minus this, a retry is not started.
_MIN_CALL_SECONDS = 1.0


@dataclass(frozen=True)
class RetryConfig:
    """How tenacity retries a failing call; tests inject `wait_none()` to keep them fast."""

    stop: stop_base = field(default_factory=lambda: stop_after_attempt(4))
    wait: wait_base = field(default_factory=WaitRetryAfter)
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep


@dataclass(frozen=True)
class ClaudeConfig:
    """Which Claude model answers for which role, and how each call is made."""

    default_model: str = "claude-sonnet-4-6"
    model_by_role: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    max_tokens: int = 4096
    timeout_seconds: float = 25.0
    cache_ttl: Literal["5m", "1h"] = "5m"
    retry: RetryConfig = field(default_factory=RetryConfig)
    prices: Mapping[str, ModelPrice] = field(default_factory=lambda: CLAUDE_PRICES)
    breaker_failures: int = 5  # consecutive failed attempts that open the circuit
    breaker_reset_seconds: float = 30.0
    daily_token_budget: int | None = None

    def model_for(self, role: str) -> str:
        return self.model_by_role.get(role, self.default_model)


class ClaudeModel(Model):
    """Claude through an injected `AsyncAnthropic` client.

    When Claude cannot answer (retries spent, circuit open, daily budget spent) the `fallback`
    model (the local model in production) answers and the response is marked `degraded`; with no
    fallback the run ends with `ModelUnavailableError`.
    """

    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        *,
        config: ClaudeConfig = ClaudeConfig(),
        fallback: Model | None = None,
        breaker: CircuitBreaker | None = None,
        budget: DailyTokenBudget | None = None,
    ) -> None:
        # tenacity owns retries; SDK retries underneath would multiply the attempts and the wait.
        self._client = client.with_options(max_retries=0)
        self._config = config
        self._fallback = fallback
        self.breaker = breaker or CircuitBreaker(config.breaker_failures, config.breaker_reset_seconds)
        self.budget = budget or DailyTokenBudget(config.daily_token_budget)

    @property
    def name(self) -> str:
        return "claude"

    def model_id(self, role: str) -> str:
        return self._config.model_for(role)

    async def request(self, request: ModelRequest) -> ModelResponse:
        model = self._config.model_for(request.role)
        if self.budget.exhausted:
            return await self._fall_back(request, model, "daily token budget spent")
        if not self.breaker.allow():
            return await self._fall_back(request, model, "circuit open")
        retrying = AsyncRetrying(
            stop=self._config.retry.stop | _StopNearDeadline() | _StopWhenOpen(self.breaker),
            wait=self._config.retry.wait,
            retry=self._should_retry,
            sleep=self._config.retry.sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            message: anthropic.types.Message = await retrying(self._send, model, request)
        except RETRYABLE as exc:
            return await self._fall_back(request, model, f"{type(exc).__name__}: {str(exc)[:200]}", exc)
        except anthropic.APIStatusError as exc:
            self.breaker.record_success()  # the API is up; it rejected this request
            raise ModelRequestError(_one_line(model, exc)) from exc
        self.breaker.record_success()
        response = claude_wire.model_response(message, self._price(message.model))
        self.budget.charge(response.usage.total_tokens)
        return response

    def _should_retry(self, state: RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RETRYABLE):
            self.breaker.record_failure()
            return True
        return False

    async def _send(self, model: str, request: ModelRequest) -> anthropic.types.Message:
        cache: CacheControlEphemeralParam = {"type": "ephemeral", "ttl": self._config.cache_ttl}
        tools = claude_wire.tool_params(request.tools, cache)
        system = claude_wire.system_blocks(request.system_prompt, cache)
        try:
            message = await self._client.messages.create(
                model=model,
                max_tokens=self._config.max_tokens,
                messages=claude_wire.conversation_breakpoint(
                    claude_wire.message_params(request.messages), cache
                ),
                system=system if system else anthropic.omit,
                tools=tools if tools else anthropic.omit,
                timeout=_call_timeout(self._config.timeout_seconds),
            )
        except json.JSONDecodeError as error:  # a body labelled JSON that is not (a proxy's error page)
            raise claude_wire.MalformedResponse(
                f"the API answered with a body that is not JSON: {error}"
            ) from error
        return claude_wire.checked(message)

    async def _fall_back(
        self, request: ModelRequest, model: str, why: str, exc: Exception | None = None
    ) -> ModelResponse:
        if self._fallback is None:
            raise ModelUnavailableError(f"{model} is unavailable ({why})") from exc
        logger.warning(
            "claude.fallback", role=request.role, model=model, fallback=self._fallback.name, why=why
        )
        response = await self._fallback.request(request)
        return replace(response, degraded=True)

    def _price(self, model: str) -> ModelPrice | None:
        price = self._config.prices.get(model)
        if price is None:
            logger.warning("claude.no_price", model=model)
            return None
        # The table holds 5-minute cache writes (1.25x input); a 1-hour write costs 2x input.
        return replace(price, cache_write=price.input * 2) if self._config.cache_ttl == "1h" else price


class _StopNearDeadline(stop_base):
    """No retry the run's deadline would cut off anyway."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        deadline = anyio.current_effective_deadline()
        return deadline != math.inf and deadline - anyio.current_time() < _MIN_CALL_SECONDS + (
            retry_state.upcoming_sleep or 0.0
        )


@dataclass(frozen=True)
class _StopWhenOpen(stop_base):
    """Once the circuit opened (here or in a concurrent call), stop retrying: fall back now."""

    breaker: CircuitBreaker

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.breaker.is_open


def _call_timeout(configured: float) -> float:
    """The configured timeout, but never past the run's deadline (a decision's, a chat reply's)."""
    deadline = anyio.current_effective_deadline()
    if deadline == math.inf:
        return configured
    return max(_MIN_CALL_SECONDS, min(configured, deadline - anyio.current_time()))


def _one_line(model: str, error: anthropic.APIStatusError) -> str:
    hints = {
        401: " (check ANTHROPIC_API_KEY)",
        403: " (the key may not use this model)",
        404: f" (is {model!r} a model id? see LOYALTY_MODEL_*)",
    }
    kind = getattr(error, "type", None) or "error"
    said = str(getattr(error, "api_message", None) or error.message or "").strip().splitlines()
    detail = f": {said[0][:200]}" if said else ""
    return f"Claude rejected the request: HTTP {error.status_code} {kind}{detail}{hints.get(error.status_code, '')}"


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.info(
        "claude.retry",
        attempt=state.attempt_number,
        wait_seconds=state.upcoming_sleep,
        error=type(error).__name__ if error else None,
    )
