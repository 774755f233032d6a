"""TOML files people write (segments, alert rules): a problem reading one is a single InvalidInput
that names the file and says why, never a traceback."""

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tools.errors import InvalidInput


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """`what` names the file for the person reading the error, e.g. "segment file"."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {what} {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{what} {path} is not valid TOML: {exc}") from exc


def validation_problems(error: ValidationError) -> str:
    """Every field a validation rejected, with why, on one line."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
