"""Loading a policy file: TOML, validated into a `Policy`, or a `PolicyError` saying what is wrong."""

import re
import tomllib
from os import PathLike
from pathlib import Path

from pydantic import ValidationError

from policies.errors import PolicyError, PolicyProblem
from policies.model import Policy

DEFAULT_POLICY_PATH = Path(__file__).with_name("default.toml")

# tomllib (Python 3.11) puts the position only in the message text: "... (at line 3, column 7)".
_TOML_POSITION = re.compile(r"\s*\(at line (?P<line>\d+), column \d+\)$")


def load_policy(path: str | PathLike[str] = DEFAULT_POLICY_PATH) -> Policy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(path, (PolicyProblem(f"cannot read the file: {error}"),)) from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(path, (_syntax_problem(error),)) from error
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        problems = tuple(
            PolicyProblem(reason=detail["msg"], field=".".join(str(part) for part in detail["loc"]) or None)
            for detail in error.errors(include_url=False)
        )
        raise PolicyError(path, problems) from error


def _syntax_problem(error: tomllib.TOMLDecodeError) -> PolicyProblem:
    message = str(error)
    position = _TOML_POSITION.search(message)
    if position is None:  # e.g. "(at end of document)": no line to point at
        return PolicyProblem(f"TOML syntax: {message}")
    return PolicyProblem(f"TOML syntax: {message[: position.start()]}", line=int(position["line"]))
