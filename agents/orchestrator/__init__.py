"""The orchestrator: its system prompt, its deterministic local policy (specialist → guard →
channels), and the guard offered to it as a tool, so every proposal is reviewed before it is sent;
and, when it answers ops staff in chat, its ops prompt (Claude) and the fixed grammar the local
model reads ops requests with."""

from agents.orchestrator.guard_tool import REVIEW_TOOL, GuardReviewTool
from agents.orchestrator.ops_grammar import FORMS, HELP, Command, Help, Unsupported, parse
from agents.orchestrator.ops_prompt import OPS_PROMPT
from agents.orchestrator.policy import SEND_TOOL, OrchestratorPolicy
from agents.orchestrator.prompt import ORCHESTRATOR_PROMPT

__all__ = [
    "FORMS",
    "HELP",
    "OPS_PROMPT",
    "ORCHESTRATOR_PROMPT",
    "REVIEW_TOOL",
    "SEND_TOOL",
    "Command",
    "GuardReviewTool",
    "Help",
    "OrchestratorPolicy",
    "Unsupported",
    "parse",
]
