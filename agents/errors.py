"""The agent layer's families of the one error tree (rooted at `policies.errors.LoyaltyError`).

Callers know what to catch:

1. `ToolCallError` — the model asked for something it cannot have (an unknown tool, arguments
   that fail the tool's schema). The loop never lets these escape: it turns them into an error
   tool result, so the model can read the reason and correct itself.
2. `ConfigurationError` — developer misuse: a bad allow-list, a role without a local policy, a
   scripted model that ran out of script. Raised at once; fixing the code is the only remedy.
3. `RunTerminated` — a run stopped before a final answer: max turns, usage limit, wall-clock
   timeout, no model available. The loop catches these at the run boundary and reports them as
   the result's `termination` reason.

Beside them, `ModelOutputError`: a model's answer (or a request written for it) that cannot be
read; the guard fails closed on it.
"""

from __future__ import annotations

from enum import StrEnum

from policies.errors import LoyaltyError


class AgentError(LoyaltyError):
    """Root of every error raised by `agents`."""


# 1. Fed back to the model ------------------------------------------------------------------------


class ToolCallError(AgentError):
    """A tool call the model got wrong; its message is what the model reads."""


class UnknownToolError(ToolCallError):
    """The model named a tool it does not have (or is not allowed to use — we do not say which)."""


class InvalidArgumentsError(ToolCallError):
    """The arguments do not satisfy the tool's JSON schema."""


class ModelOutputError(AgentError, ValueError):
    """A model's answer, or a request written for a model, that cannot be read."""


# 2. Developer misuse -----------------------------------------------------------------------------


class ConfigurationError(AgentError):
    """The agent layer was wired wrongly; the message says what to change."""


class NoPolicyError(ConfigurationError):
    """The local model has no policy registered for the requested role."""


class ScriptExhaustedError(ConfigurationError):
    """A scripted model was asked for more responses than its script holds."""


# 3. Run termination ------------------------------------------------------------------------------


class TerminationReason(StrEnum):
    COMPLETED = "completed"
    MAX_TURNS = "max_turns"
    USAGE_LIMIT = "usage_limit"
    TIMEOUT = "timeout"
    MODEL_UNAVAILABLE = "model_unavailable"
    MODEL_ERROR = "model_error"  # the API rejected the request itself (bad key, bad request)
    TRUNCATED = "truncated"  # the answer hit max_tokens; a cut-off tool call is never run
    REFUSED = "model_refused"  # the model declined to answer (stop_reason "refusal"); not a channel refusing
    # Only seen on a sub-run's transcript or a log entry: a cancelled run re-raises, returns nothing.
    CANCELLED = "cancelled"


class RunTerminated(AgentError):
    """A run must stop without a final answer; `reason` is recorded on the result."""

    reason: TerminationReason


class MaxTurnsExceeded(RunTerminated):
    reason = TerminationReason.MAX_TURNS


class UsageLimitExceeded(RunTerminated):
    reason = TerminationReason.USAGE_LIMIT


class RunTimeout(RunTerminated):
    reason = TerminationReason.TIMEOUT


class ModelUnavailableError(RunTerminated):
    """The model failed after its retries and there was no fallback to answer instead."""

    reason = TerminationReason.MODEL_UNAVAILABLE


class ModelRequestError(RunTerminated):
    """The API rejected the request (401, 403, 400, ...): retrying or falling back would hide a
    configuration problem, so the run stops with a one-line reason."""

    reason = TerminationReason.MODEL_ERROR


class AnswerTruncated(RunTerminated):
    """The model's turn was cut off at max_tokens: its text is incomplete and its tool calls'
    arguments may be, so nothing of it is acted on."""

    reason = TerminationReason.TRUNCATED


class ModelRefused(RunTerminated):
    """The model declined the request."""

    reason = TerminationReason.REFUSED
