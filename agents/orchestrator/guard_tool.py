"""The guard as a tool of the orchestrator: every proposal goes through `review_with_guard`.

The tool runs the guard agent (its own run, on its own least-privilege tools) and returns the typed
decision. The approval id in it comes from the rules server's receipt, never from a model.
"""

from collections.abc import Sequence

from agents.context import RunContext
from agents.guard import Guard
from agents.loop import RunResult
from agents.messages import ToolCall, ToolResult
from agents.models import ToolDefinition

REVIEW_TOOL = "review_with_guard"


class GuardReviewTool:
    def __init__(self, guard: Guard) -> None:
        self._guard = guard
        self._definition = ToolDefinition(
            name=REVIEW_TOOL,
            description=(
                "Send a proposal to the guard before anything is sent. Returns the verdict (approve, "
                "reject with reasons, or revise with a corrected proposal), and when approved an "
                "approval_id to pass to channels__send_approved_proposal together with the returned "
                "proposal exactly as given. needs_review means a person must approve it first."
            ),
            input_schema={
                "type": "object",
                "properties": {"proposal": {"type": "object", "description": "The OfferProposal to audit."}},
                "required": ["proposal"],
                "additionalProperties": False,
            },
        )

    @property
    def definitions(self) -> Sequence[ToolDefinition]:
        return (self._definition,)

    async def call(self, call: ToolCall, ctx: RunContext) -> ToolResult:
        def count(run: RunResult) -> None:
            # The guard's calls are part of the decision: its usage, its degradation and its
            # transcript join the orchestrator's run, and its tokens the decision's budget.
            ctx.absorb(run.transcript)
            ctx.budget.charge(run.usage.total_tokens)

        decision = await self._guard.review_proposal(
            call.arguments.get("proposal", {}), trace_id=ctx.trace_id, on_run=count
        )
        return ToolResult(call.id, call.name, decision.model_dump(mode="json"))
