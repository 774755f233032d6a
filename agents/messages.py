"""Our own neutral message types: what an agent and a model say to each other.

Provider types (Anthropic's content blocks) stay inside the Claude adapter, so the local model
never forges SDK objects and stored transcripts are not tied to one vendor. Every type here is a
plain frozen dataclass with a `kind` tag, which lets pydantic dump and re-load a transcript as
JSON (see `agents.transcript`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, TypeAlias

from pydantic import Discriminator, JsonValue

StopReason: TypeAlias = Literal["end_turn", "tool_use", "max_tokens", "refusal", "other"]


@dataclass(frozen=True)
class Usage:
    """Tokens, calls and estimated cost, summed over one model response or a whole run."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    requests: int = 0
    tool_calls: int = 0
    cost_usd: float = 0.0
    # Responses from a model with no known price: their cost is missing from `cost_usd`, which is
    # then a lower bound (shown as such), never a silent $0.
    unpriced_requests: int = 0

    @property
    def total_tokens(self) -> int:
        # Cached tokens are still context the model read, so they count against a token budget.
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            requests=self.requests + other.requests,
            tool_calls=self.tool_calls + other.tool_calls,
            cost_usd=self.cost_usd + other.cost_usd,
            unpriced_requests=self.unpriced_requests + other.unpriced_requests,
        )


@dataclass(frozen=True)
class UserText:
    """Text from the person or system that started the run."""

    text: str
    kind: Literal["user_text"] = "user_text"


@dataclass(frozen=True)
class ToolResult:
    """The outcome of one tool call: structured JSON when the tool gave it, else its text."""

    call_id: str
    tool_name: str
    content: JsonValue
    is_error: bool = False
    kind: Literal["tool_result"] = "tool_result"


@dataclass(frozen=True)
class AssistantText:
    text: str
    kind: Literal["assistant_text"] = "assistant_text"


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, JsonValue] = field(default_factory=dict)
    kind: Literal["tool_call"] = "tool_call"


UserPart: TypeAlias = Annotated[UserText | ToolResult, Discriminator("kind")]
AssistantPart: TypeAlias = Annotated[AssistantText | ToolCall, Discriminator("kind")]


@dataclass(frozen=True)
class UserMessage:
    """One user-side turn: the opening text, or the results of the previous turn's tool calls."""

    parts: tuple[UserPart, ...]
    kind: Literal["user"] = "user"

    @classmethod
    def text(cls, text: str) -> UserMessage:
        return cls(parts=(UserText(text),))


@dataclass(frozen=True)
class ModelResponse:
    """One assistant turn, exactly as the loop appends it to the transcript.

    `degraded` is set when the configured model failed and a fallback answered instead.
    """

    parts: tuple[AssistantPart, ...]
    model_name: str
    stop_reason: StopReason = "end_turn"
    usage: Usage = Usage()
    degraded: bool = False
    kind: Literal["response"] = "response"

    @classmethod
    def from_text(cls, text: str, *, model_name: str, usage: Usage = Usage()) -> ModelResponse:
        return cls(parts=(AssistantText(text),), model_name=model_name, usage=usage)

    @classmethod
    def from_calls(
        cls, *calls: ToolCall, model_name: str, text: str = "", usage: Usage = Usage()
    ) -> ModelResponse:
        parts: tuple[AssistantPart, ...] = ((AssistantText(text),) if text else ()) + calls
        return cls(parts=parts, model_name=model_name, stop_reason="tool_use", usage=usage)

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts if isinstance(part, AssistantText))

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        return tuple(part for part in self.parts if isinstance(part, ToolCall))


Message: TypeAlias = Annotated[UserMessage | ModelResponse, Discriminator("kind")]
