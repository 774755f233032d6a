"""The error raised for a policy file that cannot be used.

It is a configuration error for the people who write policies, so it says where to look: the file,
then for each problem the TOML line or the dotted field path, and the reason.
"""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    reason: str
    line: int | None = None  # for TOML syntax errors
    field: str | None = None  # dotted path for validation errors, e.g. "sms.length.max_gsm7_chars"

    def __str__(self) -> str:
        if self.line is not None:
            return f"line {self.line}: {self.reason}"
        if self.field is not None:
            return f"{self.field}: {self.reason}"
        return self.reason


class PolicyError(Exception):
    def __init__(self, path: Path, problems: tuple[PolicyProblem, ...]) -> None:
        self.path = path
        self.problems = problems
        details = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"invalid policy file {path}:\n{details}")
