"""The whole team wired to its MCP servers: orchestrator, four specialists and the guard.

Least privilege is set here, once: specialists read and propose (no send, no verdict tools); the
guard checks and records verdicts (no send); the orchestrator delegates, asks the guard and sends.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from mcp import Client

from agents.agent import Agent
from agents.decision_log import DecisionLog
from agents.delegation import Delegation
from agents.guard import Guard, GuardConfig, GuardPolicy
from agents.limits import Limits
from agents.loop import RunResult, run_agent
from agents.models import LocalModel, Model
from agents.orchestrator import ORCHESTRATOR_PROMPT, SEND_TOOL, GuardReviewTool, OrchestratorPolicy
from agents.specialists import PLAYBOOKS, READ_AND_PROPOSE, SpecialistPolicy
from agents.toolbox import Toolbox
from agents.toolset import CombinedToolset
from policies.vocabulary import UseCase

ORCHESTRATOR_TOOLS = (SEND_TOOL, "channels__contact_status", "channels__contact_history")
SERVER_KEYS = ("customer_data", "offers", "rules", "channels")


def local_model() -> LocalModel:
    """The deterministic stand-in for Claude, with a policy for every role of the team."""
    model = LocalModel({"orchestrator": OrchestratorPolicy(), "guard": GuardPolicy()})
    for use_case in UseCase:
        model.register(use_case.value, SpecialistPolicy(use_case))
    return model


@dataclass(frozen=True)
class Team:
    orchestrator: Agent
    specialists: Mapping[UseCase, Agent]
    guard: Guard
    log: DecisionLog

    async def handle(self, trigger_json: str, *, trace_id: str | None = None) -> RunResult:
        return await run_agent(self.orchestrator, trigger_json, log=self.log, trace_id=trace_id)


@asynccontextmanager
async def open_team(
    clients: Mapping[str, Client],
    model: Model,
    log: DecisionLog,
    *,
    limits: Limits = Limits(max_turns=12, max_seconds=180.0),
    guard: GuardConfig | None = None,
) -> AsyncIterator[Team]:
    """Connect to the servers (`clients` keyed by SERVER_KEYS) and assemble the team."""
    async with Toolbox.open(clients) as toolbox:
        specialists = {
            use_case: Agent(
                name=use_case.value,
                system_prompt=PLAYBOOKS[use_case].system_prompt,
                model=model,
                tools=toolbox.restricted_to(READ_AND_PROPOSE),
                limits=Limits(max_turns=8, max_seconds=limits.max_seconds),
            )
            for use_case in UseCase
        }
        # Specialists get the decision's token budget through it (a sub-run's budget is its parent's).
        reviewer = Guard(toolbox=toolbox, model=model, log=log, config=guard or GuardConfig())
        delegations = [
            Delegation(
                agent,
                description=f"Ask the {use_case.value.replace('_', ' ')} specialist to decide the next "
                "best action for the trigger (pass the trigger JSON as the request).",
            )
            for use_case, agent in specialists.items()
        ]
        orchestrator = Agent(
            name="orchestrator",
            system_prompt=ORCHESTRATOR_PROMPT,
            model=model,
            tools=CombinedToolset(
                toolbox.restricted_to(ORCHESTRATOR_TOOLS), GuardReviewTool(reviewer), *delegations
            ),
            limits=limits,
        )
        yield Team(orchestrator=orchestrator, specialists=specialists, guard=reviewer, log=log)
