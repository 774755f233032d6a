"""The one tolerant reader of agents' answers: fences, prose, several objects; nothing from an
empty, refused or cut-off answer."""

import pytest

from agents.reading import json_object_in


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"decision": "sent"}', {"decision": "sent"}),
        ('```json\n{"decision": "sent", "detail": "ok"}\n```', {"decision": "sent", "detail": "ok"}),
        ('Here is my decision.\n```json\n{"decision": "nothing"}\n```\nThanks.', {"decision": "nothing"}),
        ('```\n{"decision": "review"}\n```', {"decision": "review"}),
        ('I chose {"decision": "sent"} and then {"decision": "nothing"}', {"decision": "sent"}),
        ('Use {braces} like this: {"decision": "rejected"}', {"decision": "rejected"}),
        (
            '{"decision": "sent", "proposal": {"offer": {"pct": 10}}}',
            {"decision": "sent", "proposal": {"offer": {"pct": 10}}},
        ),
    ],
)
def test_reads_the_answer_however_it_is_wrapped(text: str, expected: dict) -> None:
    assert json_object_in(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I can't help with that.",
        '{"decision": "sent", "proposal": {"offer": {"pct": 1',
        "[1, 2, 3]",
        "```json\n```",
    ],
)
def test_reads_nothing_from_an_answer_without_a_whole_object(text: str) -> None:
    assert json_object_in(text) is None
