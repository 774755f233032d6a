"""Running the `loyalty` command in a child process, as a user would."""

import subprocess
import sys
from pathlib import Path


def loyalty(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from loyalty.cli.app import main; main()", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(Path.cwd()), "PATH": "/usr/bin:/bin"},
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single `error: ...` line a failing command prints, with no traceback anywhere."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]
