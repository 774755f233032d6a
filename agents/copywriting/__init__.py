"""Message copy for the local model: templates by use case, tone and channel, and the grammar
customer-controlled names must fit before they may enter copy."""

from agents.copywriting.writer import CopyBrief, write

__all__ = ["CopyBrief", "write"]
