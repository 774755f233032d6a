"""The ops functions as a `Toolset` (agents.toolset), for the orchestrator when Claude chats."""

from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from agents.context import RunContext
from agents.errors import InvalidArgumentsError, UnknownToolError
from agents.messages import ToolCall, ToolResult
from agents.models.base import ToolDefinition
from loyalty.ops.operations import OPERATIONS, Operation
from loyalty.ops.service import OpsService
from tools.errors import LoyaltyError


class OpsToolset:
    def __init__(self, service: OpsService, operations: Mapping[str, Operation] = OPERATIONS) -> None:
        self._service = service
        self._operations = dict(operations)
        self._definitions = tuple(ToolDefinition(name=op.name, description=op.description,
                                                 input_schema=op.input_schema) for op in self._operations.values())

    @property
    def definitions(self) -> Sequence[ToolDefinition]:
        return self._definitions

    async def call(self, call: ToolCall, ctx: RunContext) -> ToolResult:
        operation = self._operations.get(call.name)
        if operation is None:
            raise UnknownToolError(f"unknown tool {call.name!r}")
        try:
            result = await operation.run(self._service, call.arguments)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in error.errors())
            raise InvalidArgumentsError(f"invalid arguments for {call.name!r}: {problems}") from None
        except LoyaltyError as error:  # something the person or the model can act on
            return ToolResult(call.id, call.name, str(error), is_error=True)
        return ToolResult(call.id, call.name, result.model_dump(mode="json"))
