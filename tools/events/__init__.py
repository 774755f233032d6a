"""Behavioural events in: validation at the boundary, rejects with reasons, dedupe, batch storage,
from Python, JSON Lines files, stdin or HTTP."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.events.http import MIN_TOKEN_CHARS, create_app
    from tools.events.ingest import IngestReport, ingest_jsonl

__all__ = ["IngestReport", "MIN_TOKEN_CHARS", "create_app", "ingest_jsonl"]

__getattr__ = lazy_exports(__name__)
