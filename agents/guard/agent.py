"""The guard as an agent: its role name, its least-privilege tool list, and its limits.

The guard reads the policy, checks proposals and records verdicts. It has no send tool: the
channels server alone sends, and only with an approval the guard recorded.
"""

from dataclasses import dataclass, field

from agents.agent import Agent
from agents.guard.credential import CredentialedTools
from agents.guard.prompt import GUARD_SYSTEM_PROMPT
from agents.limits import Limits
from agents.models import Model
from agents.toolbox import Toolbox

GUARD_ROLE = "guard"
CHECK_TOOL = "rules__check_proposal"
RECORD_TOOL = "rules__record_guard_verdict"
POLICY_TOOL = "rules__get_policy"
GUARD_TOOLS = (CHECK_TOOL, RECORD_TOOL, POLICY_TOOL)


@dataclass(frozen=True)
class GuardConfig:
    # Per proposal; past it the review fails closed. At least twice a Claude call's timeout, so a
    # timed-out call can be retried (the settings check it).
    timeout_seconds: float = 60.0
    max_turns: int = 8  # check, re-check a revision, record, answer — with room for a model's detours
    campaign_concurrency: int = 8  # proposals of one campaign reviewed at once
    # The rules server's guard credential (`ServerDeps.guard_credential`), added to every verdict
    # call out of the model's sight. Without it the guard's approvals wait for a person.
    credential: str | None = field(default=None, repr=False)


def guard_agent(toolbox: Toolbox, model: Model, config: GuardConfig = GuardConfig()) -> Agent:
    """The guard agent over `toolbox`, which must hold the rules server under the name `rules`."""
    tools = toolbox.restricted_to(GUARD_TOOLS)
    return Agent(
        name=GUARD_ROLE,
        system_prompt=GUARD_SYSTEM_PROMPT,
        model=model,
        tools=(
            tools if config.credential is None else CredentialedTools(tools, RECORD_TOOL, config.credential)
        ),
        limits=Limits(max_turns=config.max_turns, max_seconds=config.timeout_seconds),
    )
