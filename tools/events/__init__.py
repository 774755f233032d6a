"""Behavioural events in: validation at the boundary, rejects with reasons, dedupe, batch storage,
from Python, JSON Lines files, stdin or HTTP."""
