"""Writing a file that other processes may be writing or reading at the same moment.

Each writer stages its bytes in a temporary file of its own (a unique name in the target's folder,
created owner-only) and moves it into place in one step: a reader sees the old file or the whole
new one, never half of either, and two writers of the same file never touch each other's staging
file (the last one to finish wins, which is harmless when both wrote the same content).
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged(path: Path) -> Iterator[Path]:
    """A fresh temporary path beside `path`; moved onto `path` when the block ends without error,
    removed when it fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    with staged(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
