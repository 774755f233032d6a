"""Files holding personal data, created readable and writable by their owner alone.

The database, the message files (names, e-mail addresses, phone numbers, copy) and the rejects of
an import (whole rows of member data) must not be readable by every account on the machine, as
files created under a common umask (0o022) are. `owner_only` creates the file with mode 0o600 —
atomically, with no moment in which it exists more open — and tightens a file an earlier version
left open. SQLite creates its -wal and -shm files with the database file's mode.
"""

import os
from pathlib import Path

OWNER_ONLY = 0o600


def owner_only(path: Path) -> Path:
    """Create `path` if it is missing (its directory too) with mode 0o600, or make it 0o600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, OWNER_ONLY)
    try:
        os.fchmod(descriptor, OWNER_ONLY)
    finally:
        os.close(descriptor)
    return path
