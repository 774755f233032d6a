"""An agent: a role with a system prompt, a model, an allow-listed toolset and limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.limits import Limits
from agents.models import Model
from agents.toolset import CombinedToolset, ToolCatalog, Toolset


@dataclass(frozen=True)
class Agent:
    name: str
    system_prompt: str
    model: Model
    tools: Toolset = field(default_factory=CombinedToolset)
    limits: Limits = field(default_factory=Limits)
    # Compiled once per agent (its tools are fixed), not once per run: every decision checks calls.
    catalog: ToolCatalog = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "catalog", ToolCatalog(self.tools.definitions))
