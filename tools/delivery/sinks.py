"""Append-only files keyed by idempotency key: the default destinations when no real gateway is
configured, and the reason a message re-sent after a crash is not written twice.

A key is written at most once per file, across tasks, threads and processes: appends happen under
an exclusive `flock`, and before each append the writer reads whatever other writers added since
it last looked. A torn last line (a writer killed mid-write) is closed off and never counts as a
key, so the message it held is written again, whole.
"""

import asyncio
import fcntl
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from tools.files import owner_only


class KeyedAppendFile:
    def __init__(self, path: Path, key_of: Callable[[str], str | None], *, header: str | None = None) -> None:
        self.path = path
        self._key_of = key_of
        self._header = header
        self._keys: set[str] = set()
        self._offset = 0
        self._lock = threading.Lock()
        self._private = False

    async def append(self, key: str, line: str) -> bool:
        """Append `line` (one line, no newline) unless `key` is already in the file; returns
        whether it was appended."""
        if "\n" in line or "\r" in line:
            raise ValueError("a record must be a single line")
        return await asyncio.to_thread(self._append, key, line)

    def _append(self, key: str, line: str) -> bool:
        if not self._private:  # messages name members: the file is the owner's alone
            owner_only(self.path)
            self._private = True
        with self._lock, self.path.open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self._catch_up(handle)
                if key in self._keys:
                    return False
                out = line.encode() + b"\n"
                if self._header is not None and self._offset == 0:
                    out = self._header.encode() + b"\n" + out
                self._write(handle, out)
                self._keys.add(key)
                return True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _catch_up(self, handle: BinaryIO) -> None:
        """Read the keys other writers appended since our last look, and close off a torn last
        line so the next record starts on a line of its own."""
        size = os.fstat(handle.fileno()).st_size
        if size < self._offset:  # truncated or replaced: start over
            self._keys.clear()
            self._offset = 0
        handle.seek(self._offset)
        complete, _, torn = handle.read(size - self._offset).rpartition(b"\n")
        for raw in complete.split(b"\n") if complete else ():
            if key := self._key_of(raw.decode("utf-8", errors="replace")):
                self._keys.add(key)
        self._offset = size
        if torn:
            self._write(handle, b"\n")

    def _write(self, handle: BinaryIO, data: bytes) -> None:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
        self._offset = handle.tell()
