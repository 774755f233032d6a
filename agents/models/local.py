"""The deterministic local model: a dispatcher from an agent's role to a policy.

Like Claude, it sees only the request — the system prompt, the messages and the tool results —
and acts only through tool calls and text, so it can be swapped for Claude without changing
anything else.

Adding behaviour for a role means writing a policy and registering it::

    class GuardPolicy:
        def respond(self, request: ModelRequest) -> ModelResponse:
            results = request.latest_tool_results
            if not results:  # first turn: look the proposal up
                return ModelResponse.from_calls(
                    ToolCall(id=call_id(request, 0), name="rules__check", arguments={...}),
                    model_name=LOCAL_MODEL_NAME,
                )
            return ModelResponse.from_text("approve: ...", model_name=LOCAL_MODEL_NAME)

    model = LocalModel({"guard": GuardPolicy()})
    model.register("reactivation", ReactivationPolicy())

A policy must be deterministic (same request, same response) and must not reach the world
except through the tool calls it returns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Protocol

from agents.errors import ConfigurationError, NoPolicyError
from agents.messages import ModelResponse
from agents.models.base import Model, ModelRequest

LOCAL_MODEL_NAME = "local"


class RolePolicy(Protocol):
    """Decides the next response for one role."""

    def respond(self, request: ModelRequest) -> ModelResponse: ...


def call_id(request: ModelRequest, index: int) -> str:
    """A tool-call id unique within a run and identical on every replay."""
    return f"{request.role}-{request.turn}-{index}"


class LocalModel(Model):
    def __init__(
        self, policies: Mapping[str, RolePolicy] | None = None, *, default: RolePolicy | None = None
    ) -> None:
        self._policies: dict[str, RolePolicy] = dict(policies or {})
        self._default = default

    @property
    def name(self) -> str:
        return LOCAL_MODEL_NAME

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self._policies)

    def register(self, role: str, policy: RolePolicy) -> None:
        if role in self._policies:
            raise ConfigurationError(f"the local model already has a policy for role {role!r}")
        self._policies[role] = policy

    async def request(self, request: ModelRequest) -> ModelResponse:
        policy = self._policies.get(request.role, self._default)
        if policy is None:
            raise NoPolicyError(
                f"the local model has no policy for role {request.role!r}; "
                f"register one with LocalModel.register (known roles: {sorted(self._policies)})"
            )
        return policy.respond(request)


class EchoPolicy:
    """A generic policy for tests and smoke runs: it never calls tools.

    It answers with the results of the last tool calls when there are any (as JSON), otherwise
    with the user's last text.
    """

    def respond(self, request: ModelRequest) -> ModelResponse:
        results = request.latest_tool_results
        if results:
            text = json.dumps(
                [{"tool": r.tool_name, "is_error": r.is_error, "content": r.content} for r in results]
            )
        else:
            text = request.last_user_text
        return ModelResponse.from_text(text, model_name=LOCAL_MODEL_NAME)
