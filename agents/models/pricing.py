"""Estimated cost of a model response, from a small per-model price table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from agents.messages import Usage


@dataclass(frozen=True)
class ModelPrice:
    """US dollars per million tokens."""

    input: float
    output: float
    cache_read: float
    cache_write: float

    def cost(self, usage: Usage) -> float:
        return (
            usage.input_tokens * self.input
            + usage.output_tokens * self.output
            + usage.cache_read_tokens * self.cache_read
            + usage.cache_write_tokens * self.cache_write
        ) / 1_000_000


# List prices for the 5-minute cache (writes cost 1.25x input, reads 0.1x). Update when they move.
CLAUDE_PRICES: Mapping[str, ModelPrice] = MappingProxyType(
    {
        "claude-opus-4-6": ModelPrice(input=5.0, output=25.0, cache_read=0.50, cache_write=6.25),
        "claude-sonnet-4-6": ModelPrice(input=3.0, output=15.0, cache_read=0.30, cache_write=3.75),
        "claude-haiku-4-5": ModelPrice(input=1.0, output=5.0, cache_read=0.10, cache_write=1.25),
    }
)
