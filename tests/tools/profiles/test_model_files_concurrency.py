"""Processes started together fit and save the same models at once: none fails, readers see
whole artefacts (each writer stages its own file; see tools.storage.files)."""

import multiprocessing
from pathlib import Path

from tests.mcp_servers.seeded_world import SeededWorld
from tests.tools.profiles.model_writer import save_and_read_back
from tools.profiles.artefact import ModelStore

PROCESSES = 6


def test_six_processes_save_and_read_the_same_models(shared_world: SeededWorld, tmp_path: Path) -> None:
    source_store = ModelStore(shared_world.models_dir)
    as_of = source_store.available()[-1]
    target = tmp_path / "models"
    start = tmp_path / "start"
    # Separate processes, forked from a forkserver that imported the model code once: starting six
    # fresh interpreters cost seconds of imports each, and forking this (threaded) test process
    # would not be safe.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.tools.profiles.model_writer"])
    errors = [tmp_path / f"errors-{index}.txt" for index in range(PROCESSES)]
    children = [
        context.Process(target=save_and_read_back, args=(source_store.path_for(as_of), target, start, error))
        for error in errors
    ]
    for child in children:
        child.start()
    start.touch()
    for child in children:
        child.join(timeout=300)

    failures = [error.read_text()[-500:] for error in errors if error.exists()]
    assert [child.exitcode for child in children] == [0] * PROCESSES, failures
    store = ModelStore(target)
    assert store.available() == [as_of]
    assert store.for_as_of(as_of) is not None
    assert sorted(p.name for p in target.iterdir()) == [
        store.path_for(as_of).name,
        store.path_for(as_of).with_suffix(".json").name,
    ]
