"""What a policy check returns: typed violations and a result stamped with the policy version.

A bare "denied" makes an agent retry blindly; every violation therefore names its rule, how serious
it is, which field of the proposal to change and a message saying how to change it. The numbers
behind the message travel along in `facts`, so a program (the guard's revise step, an eval scorer)
can act on them without parsing prose.
"""

from enum import StrEnum
from typing import TypeAlias

from pydantic import BaseModel, ConfigDict

from policies.rule_ids import RuleId

Fact: TypeAlias = str | int | float


class Severity(StrEnum):
    BLOCK = "block"  # must not be sent as proposed
    REVIEW = "review"  # may be sent only after a human approves it
    WARN = "warn"  # may be sent; recorded so ops can see the pattern


class Violation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: RuleId
    severity: Severity
    message: str
    field: str | None = None  # dotted path of the proposal field to change, when there is one
    facts: dict[str, Fact] = {}


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    policy_version: str
    violations: tuple[Violation, ...] = ()

    @property
    def blocking(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity is Severity.BLOCK)

    @property
    def needs_review(self) -> bool:
        """True when nothing blocks but a human must look before it is sent."""
        return not self.blocking and any(v.severity is Severity.REVIEW for v in self.violations)

    @property
    def passed(self) -> bool:
        """True when the proposal may be sent without a human; warnings do not stop it."""
        return all(v.severity is Severity.WARN for v in self.violations)
