"""Segment definitions, validated at the boundary.

A segment is a set of conditions on profile fields: `all` must all hold, and when `any` is given at
least one of those must hold too. A threshold is either a `value` or a `quantile` of the field
across members who bought in the last year, as of the fitted models' date, so "top quarter by
spend" means the same thing in a grocer and a fashion retailer. A member lacking a field's value
(no orders, no messages) fails every condition on it.
"""

from collections.abc import Collection
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tools.errors import InvalidInput
from tools.files import read_toml, validation_problems

DEFAULT_PATH = Path(__file__).with_name("default.toml")

Family = Literal["behavioural", "preference", "channel", "lifecycle"]
Operator = Literal[">=", ">", "<=", "<", "==", "!="]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    field: str
    op: Operator
    value: float | None = None
    quantile: float | None = Field(None, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _one_threshold(self) -> Self:
        if (self.value is None) == (self.quantile is None):
            raise ValueError(f"condition on {self.field!r} needs exactly one of value or quantile")
        return self

    def describe(self) -> str:
        threshold = f"{self.value:g}" if self.value is not None else f"the {self.quantile:.0%} quantile"
        return f"{self.field} {self.op} {threshold}"


class Segment(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    family: Family
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=400)
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()

    @model_validator(mode="after")
    def _has_conditions(self) -> Self:
        if not self.all and not self.any:
            raise ValueError(f"segment {self.id!r} has no conditions")
        return self

    def conditions(self) -> tuple[Condition, ...]:
        return self.all + self.any

    def rule(self) -> str:
        parts = [" and ".join(c.describe() for c in self.all)] if self.all else []
        if self.any:
            parts.append("(" + " or ".join(c.describe() for c in self.any) + ")")
        return " and ".join(parts)


class SegmentBook(_Strict):
    version: str = Field(min_length=1, max_length=40)
    lifecycle_order: tuple[
        str, ...
    ]  # lifecycle segments by precedence: the first a member is in is their stage
    lifecycle_fallback: str = Field(min_length=1, max_length=40)
    segments: tuple[Segment, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ids = [s.id for s in self.segments]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"segment ids repeat: {', '.join(repeated)}")
        lifecycle = {s.id for s in self.segments if s.family == "lifecycle"}
        unknown = [i for i in self.lifecycle_order if i not in lifecycle]
        if unknown:
            raise ValueError(
                f"lifecycle_order names segments that are not lifecycle segments: {', '.join(unknown)}"
            )
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.segments)

    def get(self, segment_id: str) -> Segment:
        for segment in self.segments:
            if segment.id == segment_id:
                return segment
        raise KeyError(segment_id)


def load_segments(known_fields: Collection[str], path: Path | None = None) -> SegmentBook:
    """Read and validate a segment file (the shipped default when `path` is None); every field a
    condition names must be one of `known_fields`."""
    source = path or DEFAULT_PATH
    raw = read_toml(source, "segment file")
    try:
        book = SegmentBook.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(f"invalid segment file {source}: {validation_problems(exc)}") from exc
    unknown = sorted({c.field for s in book.segments for c in s.conditions()} - set(known_fields))
    if unknown:
        raise InvalidInput(f"segment file {source} uses unknown fields: {', '.join(unknown)}")
    return book
