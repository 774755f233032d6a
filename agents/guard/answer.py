"""The guard model's final answer: one JSON object, the same for Claude and the local model.

    {"verdict": "approve" | "reject" | "revise",
     "reasons": [{"code": "...", "message": "...", "field": "..."}],
     "revised_proposal": {...} | null}

A final answer (rather than a tool call) keeps the guard's tool list to the rules server's three
tools. Parsing is lenient about wrapping (a code fence, a sentence before the object) and strict
about content: an answer that does not validate makes the review fail closed.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.errors import ModelOutputError
from agents.guard.decision import GuardReason
from agents.reading import json_object_in
from policies.vocabulary import Verdict


class GuardAnswer(BaseModel):
    # Extra keys (a model volunteering an "approval_id") are ignored: approvals come from receipts.
    model_config = ConfigDict(extra="ignore", frozen=True)

    verdict: Verdict
    reasons: tuple[GuardReason, ...] = Field(default=(), max_length=50)
    revised_proposal: dict[str, Any] | None = None


class UnreadableAnswer(ModelOutputError):
    """The model's final text holds no valid guard answer."""


def render_answer(answer: GuardAnswer) -> str:
    return answer.model_dump_json(exclude_none=True)


def parse_answer(text: str) -> GuardAnswer:
    payload = json_object_in(text)  # the one tolerant reader of agents' answers
    if payload is None:
        raise UnreadableAnswer("the final answer contains no JSON object")
    try:
        return GuardAnswer.model_validate(payload)
    except ValidationError as error:
        raise UnreadableAnswer(f"the final answer is not a valid guard answer: {error}") from error
