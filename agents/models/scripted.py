"""A model that plays back a fixed list of responses: for tests, demos and replays.

It lives in the package (not in `tests/`) so evals and the transcript replay use the same code.
It fails loudly when asked for more than its script holds, and `assert_consumed()` fails when a
test ends with responses left over.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from agents.errors import ScriptExhaustedError
from agents.messages import ModelResponse
from agents.models.base import Model, ModelRequest
from agents.transcript import Transcript


class ScriptedModel(Model):
    def __init__(self, script: Iterable[ModelResponse], *, name: str = "scripted") -> None:
        self._script = deque(script)
        self._name = name
        self.requests: list[ModelRequest] = []

    @classmethod
    def replaying(cls, transcript: Transcript) -> ScriptedModel:
        """Replays the responses recorded in a transcript, to re-run a past decision."""
        return cls(
            (message for message in transcript.messages if isinstance(message, ModelResponse)),
            name=f"replay:{transcript.trace_id}",
        )

    @property
    def name(self) -> str:
        return self._name

    @property
    def remaining(self) -> int:
        return len(self._script)

    async def request(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        if not self._script:
            raise ScriptExhaustedError(
                f"{self._name} has no response left for request {len(self.requests)} (role {request.role!r})"
            )
        return self._script.popleft()

    def assert_consumed(self) -> None:
        if self._script:
            raise AssertionError(
                f"{self._name} finished with {len(self._script)} unused scripted response(s)"
            )
