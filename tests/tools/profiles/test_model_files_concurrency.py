"""Processes started together fit and save the same models at once: none fails, readers see
whole artefacts (each writer stages its own file; see tools.storage.files)."""

import subprocess
import sys
from pathlib import Path

from tests.mcp_servers.seeded_world import SeededWorld
from tools.profiles.artefact import ModelStore

PROCESSES = 6

# Each process waits for the start file, then saves the same artefact three times and reads the
# newest back after each save: the old fixed `.partial` name made all but one of them fail.
CHILD = """
import sys, time
from pathlib import Path
import joblib
from tools.profiles.artefact import ModelStore
source, target, start = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
models = joblib.load(source)
while not start.exists():
    time.sleep(0.01)
store = ModelStore(target)
for _ in range(3):
    store.save(models)
    loaded = store.for_as_of(models.as_of)
    assert loaded is not None and loaded.as_of == models.as_of
"""


def test_six_processes_save_and_read_the_same_models(shared_world: SeededWorld, tmp_path: Path) -> None:
    source_store = ModelStore(shared_world.models_dir)
    as_of = source_store.available()[-1]
    target = tmp_path / "models"
    start = tmp_path / "start"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(source_store.path_for(as_of)), str(target), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    start.touch()
    results = [(child.wait(timeout=300), child.stderr.read() if child.stderr else "") for child in children]
    for child in children:
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()

    assert [code for code, _ in results] == [0] * PROCESSES, [err[-500:] for _, err in results]
    store = ModelStore(target)
    assert store.available() == [as_of]
    assert store.for_as_of(as_of) is not None
    assert sorted(p.name for p in target.iterdir()) == [
        store.path_for(as_of).name,
        store.path_for(as_of).with_suffix(".json").name,
    ]
