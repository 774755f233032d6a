"""The ops functions as named operations with argument schemas derived from their signatures.

One catalogue serves both front doors: the local grammar parses text into an operation name and
arguments, Claude calls the same operations as tools. Schemas and descriptions come from the
`OpsService` methods' annotations and docstrings, never written by hand.
"""

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, create_model

from loyalty.ops.service import OpsService

NAMES = (
    "plan_campaign",
    "confirm_campaign",
    "cancel_campaign",
    "offer_for_member",
    "explain_decision",
    "show_segment",
    "guard_rejections",
    "review_queue",
    "decide_review",
    "dead_letters",
    "pause_use_case",
    "resume_use_case",
)


@dataclass(frozen=True)
class Operation:
    name: str
    description: str
    arguments: type[BaseModel]

    @property
    def input_schema(self) -> dict[str, Any]:
        return self.arguments.model_json_schema()

    async def run(self, service: OpsService, arguments: Mapping[str, Any]) -> BaseModel:
        """Validate the arguments (pydantic's `ValidationError` when they are wrong) and run."""
        parsed = self.arguments.model_validate(dict(arguments))
        return await getattr(service, self.name)(
            **{name: getattr(parsed, name) for name in type(parsed).model_fields}
        )


def _operation(name: str) -> Operation:
    method = getattr(OpsService, name)
    hints = get_type_hints(method, include_extras=True)
    fields: dict[str, Any] = {
        p.name: (hints[p.name], ... if p.default is inspect.Parameter.empty else p.default)
        for p in inspect.signature(method).parameters.values()
        if p.name != "self"
    }
    arguments = create_model(
        f"{name.title().replace('_', '')}Arguments", __config__=ConfigDict(extra="forbid"), **fields
    )
    return Operation(
        name=name, description=" ".join((inspect.getdoc(method) or name).split()), arguments=arguments
    )


OPERATIONS: dict[str, Operation] = {name: _operation(name) for name in NAMES}
