"""Files holding personal data are created owner-only, whatever the umask."""

import os
import stat
from pathlib import Path

import pytest

from tools.delivery.sinks import KeyedAppendFile
from tools.events.rejects import EventRejects
from tools.importers.rejects import FrameRejects
from tools.storage.db import create_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> object:
    previous = os.umask(0o022)  # what most accounts run with: new files world-readable
    yield None
    os.umask(previous)


async def test_personal_data_files_are_owner_only(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'loyalty.db'}")
    async with engine.connect():
        pass
    await engine.dispose()
    sms = KeyedAppendFile(tmp_path / "outbox" / "sms.jsonl", lambda line: line)
    assert await sms.append("k1", "k1")
    EventRejects(tmp_path / "events.rejects.jsonl", max_listed=10)
    FrameRejects().write(tmp_path / "transactions.rejects.csv")
    for name in ("loyalty.db", "outbox/sms.jsonl", "events.rejects.jsonl", "transactions.rejects.csv"):
        assert mode(tmp_path / name) == 0o600, name


async def test_a_file_left_open_by_an_earlier_version_is_tightened(tmp_path: Path) -> None:
    old = tmp_path / "loyalty.db"
    old.write_text("")
    old.chmod(0o644)
    engine = create_engine(f"sqlite+aiosqlite:///{old}")
    async with engine.connect():
        pass
    await engine.dispose()
    assert mode(old) == 0o600
