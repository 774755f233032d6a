"""Micro-segments as data: definitions with editable thresholds (a TOML file) and their
vectorised evaluation over profile fields. A member is in several segments at once."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.segments.definitions import SegmentBook, load_segments
    from tools.segments.evaluate import lifecycle_stage, membership

__all__ = ["SegmentBook", "lifecycle_stage", "load_segments", "membership"]

__getattr__ = lazy_exports(__name__)
