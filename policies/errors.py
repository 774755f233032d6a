"""The root of the product's one error tree, and the families every layer raises.

It lives here because `policies` is the layer every other may import. The whole tree:

    LoyaltyError                      a message meant for a person or a model
    ├── InvalidInput                  an argument, file or record fails validation
    │   └── PolicyError               a policy file that cannot be used (where, and why)
    ├── NotFound                      a member, SKU, decision or other record that does not exist
    ├── StorageError   (tools.errors) the database cannot be opened, is not initialised or migrated
    ├── SendRefused    (tools.errors) the channels server will not send a proposal; `code` says why
    └── AgentError     (agents.errors)
        ├── ToolCallError             fed back to the model as an error tool result
        ├── ModelOutputError          a model's answer (or a request to it) cannot be read
        ├── ConfigurationError        developer misuse; fixing the code is the remedy
        └── RunTerminated             a run stopped before its answer (turns, usage, time, model)

Each boundary maps the tree once: the CLI prints one line and exits 2 (`loyalty.cli.common`), an
MCP server returns a tool error (`mcp_servers.shared.error_mapping`), the events endpoint an HTTP status
(`tools.events.http`). Anything outside the tree is a bug: it is logged with its traceback.
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


class LoyaltyError(Exception):
    """Base for errors with a message meant for a person or a model."""


class InvalidInput(LoyaltyError):
    """An argument, file or event that fails validation."""


class NotFound(LoyaltyError):
    """A member, SKU, decision or other record that does not exist."""


class PolicyError(InvalidInput):
    """A policy file that cannot be used: it says where to look (the file, then for each problem
    the TOML line or the dotted field path) and why. Its readers are the people who write policies."""

    def __init__(self, path: Path, problems: tuple[PolicyProblem, ...]) -> None:
        self.path = path
        self.problems = problems
        details = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"invalid policy file {path}:\n{details}")
